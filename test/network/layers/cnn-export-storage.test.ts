/**
 * How a CNN's weights are written: batch norm folded into the convolution before it (the same
 * function, no BatchNormalization node), and the lossy weight storages (float16, int8 per output
 * channel) applied to convolutions as to dense layers, each checked in onnxruntime-node.
 */
import { decodeOnnx } from '../../../src/codec/onnx-file';
import { initArchNetwork } from '../../../src/network/create-arch';
import { foldBatchNorms } from '../../../src/network/layers/fold-batchnorm';
import { forwardLayers } from '../../../src/network/layers/table';
import type { AnyLayer, Network } from '../../../src/network/types';
import { exportOnnx } from '../../../src/onnx/export';
import type { Quantize } from '../../../src/onnx/quantize';
import { verifyOnnx } from '../../../src/onnx/verify';
import { Rng } from '../../../src/util/rng';
import { randomInputs } from './cnn-fixtures';

const ROWS = 32;

/** A batch-norm CNN whose statistics are far from the identity (so a wrong fold shows). */
function bnNet(): Network<AnyLayer> {
  const net = initArchNetwork('c6k3p1-bn-m2-c8k3p1-bn-m2-f12', [2, 10, 10], 4, 3);
  const rng = new Rng(21);
  for (const l of net.layers) {
    if (l.op !== 'batchnorm') continue;
    for (let c = 0; c < l.channels; c++) {
      l.gamma[c] = 0.3 + 1.5 * rng.next();
      l.beta[c] = 0.4 * rng.normal();
      l.runningMean[c] = 0.3 * rng.normal();
      l.runningVar[c] = 0.2 + 2 * rng.next();
    }
  }
  return net;
}

function opsOf(bytes: Uint8Array): string[] {
  return (decodeOnnx(bytes, 'test.onnx').graph?.node ?? []).map((n) => n.opType ?? '');
}

test('folding batch norm into the convolution before it keeps the function and removes the layers', () => {
  const net = bnNet();
  const folded = foldBatchNorms(net.layers);
  expect(net.layers.map((l) => l.op)).toContain('batchnorm');
  expect(folded.map((l) => l.op)).toEqual(net.layers.filter((l) => l.op !== 'batchnorm').map((l) => l.op));
  const x = Float64Array.from(randomInputs(net, ROWS));
  const a = forwardLayers(net.layers, x, ROWS, net.inputShape!);
  const b = forwardLayers(folded, x, ROWS, net.inputShape!);
  let worst = 0;
  a.forEach((v, i) => (worst = Math.max(worst, Math.abs(v - b[i]) / (1 + Math.abs(v)))));
  expect(worst).toBeLessThan(1e-5);
  // the original layers are not changed
  expect(net.layers.filter((l) => l.op === 'batchnorm')).toHaveLength(2);
});

test('a batch norm after a convolution that applies its own activation is not folded', () => {
  const net = bnNet();
  const conv = net.layers[0];
  if (conv.op !== 'conv') throw new Error('expected a convolution first');
  conv.activation = { name: 'relu' };
  const folded = foldBatchNorms(net.layers);
  expect(folded.map((l) => l.op).filter((op) => op === 'batchnorm')).toHaveLength(1);
});

test('the ONNX export of a batch-norm CNN has no BatchNormalization node and agrees in onnxruntime', async () => {
  const net = bnNet();
  const bytes = exportOnnx(net, { producerVersion: 'test' });
  expect(opsOf(bytes)).not.toContain('BatchNormalization');
  expect(opsOf(bytes).filter((o) => o === 'Conv')).toHaveLength(2);
  const r = await verifyOnnx({ onnx: bytes, reference: net, features: randomInputs(net, ROWS, 4), rows: ROWS });
  expect(r.maxProbDiff).toBeLessThan(1e-5);
});

test.each<[Quantize, number]>([
  ['float16', 0.55],
  ['int8', 0.35],
  ['int8-weights', 0.35],
])('%s stores the convolution weights smaller and still predicts nearly the same', async (quantize, sizeRatio) => {
  const net = initArchNetwork('c16k3p1-bn-m2-c32k3p1-bn-m2-f16', [1, 12, 12], 5, 9);
  const float = exportOnnx(net, { producerVersion: 'test' });
  const bytes = exportOnnx(net, { producerVersion: 'test', quantize });
  expect(bytes.length).toBeLessThan(sizeRatio * float.length);
  expect(opsOf(bytes)).toContain('Cast');
  const r = await verifyOnnx({ onnx: bytes, reference: net, features: randomInputs(net, 200, 5), rows: 200, maxAccuracyDrop: 1 });
  // rounding the weights moves the probabilities a little, not the predictions as a whole
  expect(r.maxProbDiff).toBeGreaterThan(0);
  expect(r.maxProbDiff).toBeLessThan(quantize === 'float16' ? 0.01 : 0.05);
  expect(r.agreement).toBeGreaterThan(0.9);
});

test('per-channel input scaling is stored once per channel, and the export still agrees', async () => {
  const net = initArchNetwork('c4k3-m2-f6', [2, 9, 9], 3, 4);
  const S = 81;
  const perChannel = () => ({
    mean: Float32Array.from({ length: 2 * S }, (_, i) => [0.3, -0.7][Math.floor(i / S)]),
    std: Float32Array.from({ length: 2 * S }, (_, i) => [1.5, 0.25][Math.floor(i / S)]),
  });
  net.scaling = perChannel();
  const dimsOf = (bytes: Uint8Array) =>
    (decodeOnnx(bytes, 't.onnx').graph?.initializer ?? []).find((t) => t.name === 'input_mean')?.dims?.map(Number);
  const bytes = exportOnnx(net, { producerVersion: 'test' });
  expect(dimsOf(bytes)).toEqual([2, 1, 1]);
  expect((await verifyOnnx({ onnx: bytes, reference: net, features: randomInputs(net, ROWS, 2), rows: ROWS })).maxProbDiff).toBeLessThan(
    1e-5,
  );
  // a scaling that differs within a channel keeps a value per position
  net.scaling.mean[5] = 2;
  const varied = exportOnnx(net, { producerVersion: 'test' });
  expect(dimsOf(varied)).toEqual([2, 9, 9]);
  expect((await verifyOnnx({ onnx: varied, reference: net, features: randomInputs(net, ROWS, 2), rows: ROWS })).maxProbDiff).toBeLessThan(
    1e-5,
  );
});
