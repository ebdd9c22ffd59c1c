/**
 * The tfjs LayersModel of a convolutional network (network/layers-model-cnn.ts) loaded by
 * @tensorflow/tfjs in Node gives what the ONNX export gives in onnxruntime on the same raw
 * N x C x H x W (N x C x L) values: batch norm folded or kept, per-channel input scaling, an input
 * channel the network dropped, padding, max / average / global pooling, 1-D, leaky relu, an
 * imported network, residual blocks (a functional model with Add layers), joins (Concatenate),
 * before and after pruning.
 * What the Keras layers cannot say the same way is refused.
 */
import * as tf from '@tensorflow/tfjs';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { importModel } from '../../../src/import';
import { initArchNetwork } from '../../../src/network/create-arch';
import { CNN_TFJS_WEIGHTS_FILE, toCnnLayersModel } from '../../../src/network/layers-model-cnn';
import type { AnyLayer, Network } from '../../../src/network/types';
import { exportOnnx, runOnnx } from '../../../src/onnx';
import { checkImport } from '../../../src/pipeline/import-check';
import { pruneNetwork } from '../../../src/prune';
import { Rng } from '../../../src/util/rng';
import { randomInputs } from './cnn-fixtures';

const ROWS = 16;

async function tfjsPredict(net: Network<AnyLayer>, x: Float32Array, rows: number): Promise<Float32Array> {
  const { modelJson, weights } = toCnnLayersModel(net, 'test');
  const parsed = JSON.parse(modelJson) as { modelTopology: object; weightsManifest: { weights: tf.io.WeightsManifestEntry[] }[] };
  const m = await tf.loadLayersModel(
    tf.io.fromMemory({
      modelTopology: parsed.modelTopology,
      weightSpecs: parsed.weightsManifest.flatMap((g) => g.weights),
      weightData: weights.buffer.slice(weights.byteOffset, weights.byteOffset + weights.byteLength),
    }),
  );
  const S = net.inputShape!.slice(1);
  const y = m.predict(tf.tensor(x, [rows, net.inputWidth / S.reduce((a, b) => a * b, 1), ...S])) as tf.Tensor;
  const out = Float32Array.from(y.dataSync());
  y.dispose();
  m.dispose();
  return out;
}

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'gs-cnn-tfjs-'));
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));
let saved = 0;

/** The tfjs export written to a folder (model.json and its weights file), as `prune --export-tfjs` writes it. */
function saveTfjs(net: Network<AnyLayer>): string {
  const dir = path.join(tmp, `m${++saved}`);
  fs.mkdirSync(dir);
  const { modelJson, weights } = toCnnLayersModel(net, 'test');
  fs.writeFileSync(path.join(dir, 'model.json'), modelJson);
  fs.writeFileSync(path.join(dir, CNN_TFJS_WEIGHTS_FILE), weights);
  return path.join(dir, 'model.json');
}

const worstDiff = (a: ArrayLike<number>, b: ArrayLike<number>): number => {
  let worst = 0;
  for (let i = 0; i < a.length; i++) worst = Math.max(worst, Math.abs(a[i] - b[i]));
  return worst;
};

/** The tfjs export gives the ONNX export's outputs; imported back, it is a network that gives them too. */
async function expectSame(net: Network<AnyLayer>): Promise<void> {
  const x = randomInputs(net, ROWS, 9);
  const onnx = await runOnnx(exportOnnx(net, { producerVersion: 'test', io: null }), x, ROWS, net.inputWidth);
  const p = await tfjsPredict(net, x, ROWS);
  expect(worstDiff(onnx.probabilities, p)).toBeLessThan(1e-5);
  const back = importModel(saveTfjs(net));
  expect(back.network.inputWidth).toBe(net.inputWidth);
  const again = await runOnnx(exportOnnx(back.network, { producerVersion: 'test', io: null }), x, ROWS, net.inputWidth);
  expect(worstDiff(onnx.probabilities, again.probabilities)).toBeLessThan(1e-5);
  const check = await checkImport(back, x, ROWS);
  expect(check.maxProbabilityDiff).toBeLessThanOrEqual(1e-5);
}

function madeUp(net: Network<AnyLayer>, seed: number): Network<AnyLayer> {
  const rng = new Rng(seed);
  for (const l of net.layers) {
    if (l.op !== 'batchnorm') continue;
    for (let c = 0; c < l.channels; c++) {
      l.gamma[c] = 0.5 + rng.next();
      l.beta[c] = 0.3 * rng.normal();
      l.runningMean[c] = 0.2 * rng.normal();
      l.runningVar[c] = 0.4 + rng.next();
    }
  }
  return net;
}

test('batch norm, average pooling, per-channel scaling and a dropped input channel', async () => {
  const net = madeUp(initArchNetwork('c6k3p1-bn-m2-c8k3p1-bn-a2-f12', [3, 10, 10], 4, 2), 3);
  const S = 100;
  net.scaling = {
    mean: Float32Array.from({ length: 300 }, (_, i) => [0.5, -1, 2][Math.floor(i / S)]),
    std: Float32Array.from({ length: 300 }, (_, i) => [2, 0.5, 1.5][Math.floor(i / S)]),
  };
  await expectSame(net);
  const c = net.layers[0] as { weight: Float32Array; cout: number };
  for (let o = 0; o < c.cout; o++) c.weight.fill(0, (o * 3 + 1) * 9, (o * 3 + 2) * 9);
  const pruned = pruneNetwork(net).network;
  expect(pruned.inputShape).toEqual([2, 10, 10]);
  await expectSame(pruned);
});

test('residual blocks become a functional model with Add layers; pruned too', async () => {
  const net = madeUp(initArchNetwork('c4k3p1-bn-(c4k3p1-bn-c4k3p1-bn)-(c6k3p1s2-bn-c6k3p1-bn)-g', [2, 8, 8], 3, 6), 7);
  const parsed = JSON.parse(toCnnLayersModel(net, 'test').modelJson) as { modelTopology: unknown };
  const topo = parsed.modelTopology as {
    class_name: string;
    config: { layers: { class_name: string }[] };
  };
  expect(topo.class_name).toBe('Model');
  expect(topo.config.layers.filter((l) => l.class_name === 'Add')).toHaveLength(2);
  await expectSame(net);
  // channel 1 of the first block's set: read by nothing
  const convs = net.layers.filter((l) => l.op === 'conv');
  for (const c of [convs[1], convs[3], convs[5]]) {
    const k = c.weight.length / (c.cout * c.cin);
    for (let o = 0; o < c.cout; o++) c.weight.fill(0, (o * c.cin + 1) * k, (o * c.cin + 2) * k);
  }
  const pruned = pruneNetwork(net).network;
  expect(pruned.layers.filter((l) => l.op === 'conv')[0].cout).toBe(3);
  await expectSame(pruned);
});

test('joins become Concatenate layers (the earlier branches first), nested with a residual block; pruned too', async () => {
  const net = madeUp(initArchNetwork('c4k3p1-bn-[c2k1-bn|(c4k3p1-bn-c4k3p1-bn)|]-m2-[|c3k3p1]-g', [2, 8, 8], 3, 8), 9);
  const topo = (JSON.parse(toCnnLayersModel(net, 'test').modelJson) as { modelTopology: { config: { layers: { class_name: string }[] } } })
    .modelTopology;
  expect(topo.config.layers.filter((l) => l.class_name === 'Concatenate')).toHaveLength(3);
  await expectSame(net);
  // branch A's channel 1 (channel 1 of both joins): its slice in the last conv and its row in the classifier zeroed
  const convs = net.layers.filter((l) => l.op === 'conv');
  const c = convs[convs.length - 1];
  const k = c.weight.length / (c.cout * c.cin);
  for (let o = 0; o < c.cout; o++) c.weight.fill(0, (o * c.cin + 1) * k, (o * c.cin + 2) * k);
  const last = net.layers[net.layers.length - 1];
  if (last.op === 'dense') last.kernel.fill(0, 1 * last.outSize, 2 * last.outSize);
  const pruned = pruneNetwork(net).network;
  expect(pruned.layers.filter((l) => l.op === 'conv')[1].cout).toBe(1);
  await expectSame(pruned);
});

test('1-D with stride, global average pooling with leaky relu', async () => {
  await expectSame(initArchNetwork('c5k3s2-m2-c4k2-f6', [3, 40], 3, 4));
  const net = initArchNetwork('c4k3p1-c6k3-g-f5', [1, 9, 9], 3, 5);
  for (const l of net.layers) if (l.op === 'conv') l.activation = { name: 'leaky_relu', alpha: 0.1 };
  await expectSame(net);
});

test('an imported PyTorch CNN (batch norm kept, Pad + pooling); refusals say why', async () => {
  const fx = (f: string) => path.join(__dirname, '..', '..', 'fixtures', 'import', f);
  await expectSame(importModel(fx('torch-cnn-bn-kept.onnx')).network);
  // nn.SiLU: Keras 'swish'
  await expectSame(importModel(fx('torch-cnn-silu.onnx')).network);
  expect(() => toCnnLayersModel(importModel(fx('torch-cnn-pool-variants.onnx')).network, 'test')).toThrow(
    /the tfjs export of this convolutional network: an average pooling pads without counting the padding; --export writes ONNX/,
  );
});

test('depthwise convolutions (batch norm kept apart by a relu6, or folded) become DepthwiseConv2D; 1-D is refused', async () => {
  const net = madeUp(initArchNetwork('c6k3p1-dk3p1s2-bn-c8k1-bn-dk2-f5', [2, 9, 9], 3, 8), 4);
  for (const l of net.layers) if ('activation' in l && l.activation && l.op !== 'dense') l.activation = { name: 'relu6' };
  await expectSame(net);
  const { modelJson } = toCnnLayersModel(net, 'test');
  expect(modelJson).toContain('"class_name":"DepthwiseConv2D"');
  expect(modelJson).toContain('"activation":"relu6"');
  // the pruned network (a dead channel goes with its depthwise filter) too
  const c = net.layers[0] as { weight: Float32Array; bias: Float32Array; cin: number };
  c.weight.fill(0, 0, 2 * 9);
  c.bias[0] = 0;
  const d = net.layers[1] as { weight: Float32Array };
  d.weight.fill(0, 0, 9);
  const pruned = pruneNetwork(net).network;
  expect((pruned.layers[1] as { channels: number }).channels).toBe(5);
  await expectSame(pruned);
  expect(() => toCnnLayersModel(initArchNetwork('c4k3-dk3-f4', [2, 12], 3, 1), 'test')).toThrow(
    /1-D depthwise convolution \(tfjs has no DepthwiseConv1D\)/,
  );
});
