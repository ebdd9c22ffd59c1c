/**
 * How a CNN's weights are written: batch norm folded into the convolution before it (the same
 * function, no BatchNormalization node), and the lossy weight storages (float16, int8 per output
 * channel) applied to convolutions as to dense layers, each checked in onnxruntime-node; a
 * per-channel input scaling's 1/std folded into the first convolution.
 */
import { decodeOnnx } from '../../../src/codec/onnx-file';
import { initArchNetwork } from '../../../src/network/create-arch';
import { foldBatchNorms } from '../../../src/network/layers/fold-batchnorm';
import { forwardLayers } from '../../../src/network/layers/table';
import type { AnyLayer, Network } from '../../../src/network/types';
import { exportOnnx } from '../../../src/onnx/export';
import type { Quantize } from '../../../src/onnx/quantize';
import { verifyOnnx } from '../../../src/onnx/verify';
import { runOnnx } from '../../../src/onnx';
import { predictProba } from '../../../src/network/forward';
import { selectColumns } from '../../../src/data/columns';
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

test('per-channel 1/std goes into the first convolution (no Div): exact with padding, a dropped input channel, compact input and a depthwise first layer; int8 keeps the Div', async () => {
  const ops = (bytes: Uint8Array) => (decodeOnnx(bytes, 't.onnx').graph?.node ?? []).map((n) => n.opType);
  const scaled = (net: Network<AnyLayer>, C: number, S: number) => {
    net.scaling = {
      mean: Float32Array.from({ length: C * S }, (_, i) => [0.3, -0.7, 1.1][Math.floor(i / S)]),
      std: Float32Array.from({ length: C * S }, (_, i) => [1.5, 0.25, 3][Math.floor(i / S)]),
    };
    return net;
  };
  const agrees = async (net: Network<AnyLayer>, bytes: Uint8Array, compact = false) => {
    const x = randomInputs(net, ROWS, 3);
    const fed = compact ? selectColumns(x, ROWS, net.inputWidth, net.inputIndices) : x;
    const out = await runOnnx(bytes, fed, ROWS, fed.length / ROWS);
    const ref = predictProba(net, x, ROWS);
    let worst = 0;
    ref.forEach((p, i) => (worst = Math.max(worst, Math.abs(p - out.probabilities[i]))));
    expect(worst).toBeLessThan(1e-5);
  };
  const conv = scaled(initArchNetwork('c4k3p1-bn-m2-f6', [3, 9, 9], 3, 4), 3, 81);
  const bn = conv.layers[1] as { gamma: Float32Array; runningVar: Float32Array };
  bn.gamma.set([0.5, 2, 1.5, 0.8]);
  bn.runningVar.set([0.3, 2, 0.7, 1.2]);
  const bytes = exportOnnx(conv, { producerVersion: 'test' });
  expect(ops(bytes)).not.toContain('Div');
  expect(ops(bytes)[0]).toBe('Sub');
  await agrees(conv, bytes);
  // input channel 1 dropped: the kept channels' stds go to the kept weights
  conv.inputIndices = conv.inputIndices.filter((c) => Math.floor(c / 81) !== 1);
  const c0 = conv.layers[0] as { weight: Float32Array; cin: number; cout: number };
  const kept = new Float32Array(c0.cout * 2 * 9);
  for (let o = 0; o < c0.cout; o++)
    [0, 2].forEach((c, i) => kept.set(c0.weight.subarray((o * 3 + c) * 9, (o * 3 + c + 1) * 9), (o * 2 + i) * 9));
  conv.layers[0] = { ...(conv.layers[0] as object), weight: kept, cin: 2 } as AnyLayer;
  conv.inputShape = [2, 9, 9];
  await agrees(conv, exportOnnx(conv, { producerVersion: 'test' }));
  await agrees(conv, exportOnnx(conv, { producerVersion: 'test', compactInput: true }), true);
  const depthwise = scaled(initArchNetwork('dk3p1-c4k1-f5', [2, 8, 8], 3, 6), 2, 64);
  const dBytes = exportOnnx(depthwise, { producerVersion: 'test' });
  expect(ops(dBytes)).not.toContain('Div');
  await agrees(depthwise, dBytes);
  expect(ops(exportOnnx(depthwise, { producerVersion: 'test', quantize: 'int8' }))).toContain('Div');
});
