/**
 * The layers engine with its convolutions, dense layers and batch norm on the WebAssembly SIMD kernels (float32) against the
 * TypeScript reference kernels (float64 sums): one batch's gradients of every parameter agree to
 * float32 rounding on the networks of gradient.test.ts, and so do the weights after a few epochs
 * of steps (adam, and group lasso with proximal steps) on small CNNs.
 */
import { initArchNetwork } from '../../src/network/create-arch';
import { forwardLayers, layerShapes } from '../../src/network/layers/table';
import type { AnyLayer } from '../../src/network/types';
import type { FusedConfig } from '../../src/train/fused/engine';
import { wasmPassAvailable } from '../../src/train/fused/wasm-pass';
import {
  batchGradient,
  createLayersEngine,
  gradientBuffers,
  layersAccuracy,
  layersCrossEntropy,
  trainOp,
  wasmEvalOps,
} from '../../src/train/layers-engine';
import { CONV_TRAIN } from '../../src/train/layers-engine/ops/conv';
import { wasmConvTrainOp } from '../../src/train/layers-engine/ops/conv-wasm';
import { DENSE_TRAIN } from '../../src/train/layers-engine/ops/dense';
import { wasmDenseTrainOp } from '../../src/train/layers-engine/ops/dense-wasm';
import { BATCHNORM_TRAIN } from '../../src/train/layers-engine/ops/batchnorm';
import { wasmBatchNormTrainOp } from '../../src/train/layers-engine/ops/batchnorm-wasm';
import { POOL_TRAIN } from '../../src/train/layers-engine/ops/pool';
import { wasmMaxPoolTrainOp } from '../../src/train/layers-engine/ops/pool-wasm';
import type { TrainOp } from '../../src/train/layers-engine/ops/train-op';
import type { TrainingData } from '../../src/train/types';
import { Rng } from '../../src/util/rng';

const maybe = wasmPassAvailable() ? describe : describe.skip;

/** Largest |a - b| over max(|a|, |b|, floor) of every parameter of two layer lists. */
function maxRel(a: readonly AnyLayer[], b: readonly AnyLayer[], floor: number): number {
  let worst = 0;
  a.forEach((l, k) => {
    const pb = trainOp(b[k]).params(b[k]);
    trainOp(l)
      .params(l)
      .forEach((buf, i) =>
        buf.forEach((v, j) => (worst = Math.max(worst, Math.abs(v - pb[i][j]) / Math.max(floor, Math.abs(v), Math.abs(pb[i][j]))))),
      );
  });
  return worst;
}

maybe('WebAssembly convolutions in the layers engine', () => {
  test.each<[string, number[]]>([
    ['c3k3-m2-f6', [2, 6, 6]],
    ['c3k3p1-m2-c4k2-f5', [1, 6, 6]],
    ['c4k3p1-bn-a2-c3k3p1-bn-g-f5', [2, 6, 6]],
    ['c3k3s2-m2-c4k2-f5', [2, 21]],
    // dense layers of widths that are not multiples of 4 (the kernels' lanes) and an unused input
    ['c2k3-f7-f5', [1, 5, 5]],
    // max pooling of odd sizes (a last row and column no window reads)
    ['c3k2-m2-c2k2-m2-f4', [1, 9, 9]],
    // residual blocks: an identity and a projection shortcut around WebAssembly layers
    ['c3k3p1-bn-(c3k3p1-bn-c3k3p1-bn)-(c4k3p1s2-bn-c4k3p1-bn)-g-f5', [2, 6, 6]],
  ])('%s: one batch gives the gradients of the TypeScript kernels', (arch, inShape) => {
    const ROWS = 5;
    const layers = initArchNetwork(arch, inShape, 3, 2).layers;
    const shapes = layerShapes(layers, inShape);
    const cols = inShape.reduce((a, b) => a * b, 1);
    const rng = new Rng(3);
    const x = Float64Array.from({ length: ROWS * cols }, () => rng.normal());
    const y = Int32Array.from({ length: ROWS }, () => rng.int(3));
    const rows = Int32Array.from({ length: ROWS }, (_, i) => i);
    const gradsOf = () => gradientBuffers(layers);
    const wasmConv = wasmConvTrainOp(CONV_TRAIN, 8) as TrainOp<AnyLayer>;
    const wasmDense = wasmDenseTrainOp(DENSE_TRAIN, 8) as TrainOp<AnyLayer>;
    const wasmBatchNorm = wasmBatchNormTrainOp(BATCHNORM_TRAIN, 8) as TrainOp<AnyLayer>;
    const wasmPool = wasmMaxPoolTrainOp(POOL_TRAIN, 8) as TrainOp<AnyLayer>;
    const wasmOps: Partial<Record<string, TrainOp<AnyLayer>>> = {
      conv: wasmConv,
      dense: wasmDense,
      batchnorm: wasmBatchNorm,
      pool: wasmPool,
    };
    const opOf = (l: AnyLayer): TrainOp<AnyLayer> => wasmOps[l.op] ?? trainOp(l);
    // batch norm folds batch statistics into its running ones: each pass on its own copy
    const copy = () => initArchNetwork(arch, inShape, 3, 2).layers;
    const ref = gradsOf();
    const got = gradsOf();
    const la = batchGradient(copy(), shapes, x, ROWS, rows, { y }, ref);
    const lb = batchGradient(copy(), shapes, x, ROWS, rows, { y }, got, opOf);
    expect(Math.abs(la - lb)).toBeLessThan(1e-5 * Math.max(1, Math.abs(la)));
    let worst = 0;
    let scale = 0;
    ref.forEach((bufs) => bufs.forEach((b) => b.forEach((v) => (scale = Math.max(scale, Math.abs(v))))));
    ref.forEach((bufs, k) =>
      bufs.forEach((b, i) =>
        b.forEach((v, j) => (worst = Math.max(worst, Math.abs(v - got[k][i][j]) / Math.max(1e-2 * scale, Math.abs(v))))),
      ),
    );
    expect(worst).toBeLessThan(1e-4);
  });

  test.each<[string, string, number[], Partial<FusedConfig>]>([
    ['adam', 'c4k3p1-m2-c6k3', [1, 8, 8], {}],
    // sgd: a convolution's bias before batch norm has a gradient of ~0 (rounding noise), which adam would scale up to full steps
    [
      'sgd, batch norm, a last batch shorter than the others',
      'c4k3p1-bn-m2-c6k3-bn',
      [1, 8, 8],
      { optimizer: 'sgd', lr: 0.05, batchSize: 12 },
    ],
    ['group lasso with prox steps', 'c6k3p1-m2-c4k3', [1, 8, 8], { penalty: 'gl', lambda: 2e-3 }],
    ['1-D, sgd', 'c3k3s2-m2-c4k2-f5', [2, 21], { optimizer: 'sgd', lr: 0.05 }],
    ['residual blocks, sgd', 'c4k3p1-(c4k3p1-bn-c4k3p1-bn)-m2-(c6k3p1-c6k3p1)', [1, 8, 8], { optimizer: 'sgd', lr: 0.05 }],
  ])('%s: the same weights as the TypeScript kernels after a few epochs of steps', (_name, arch, inShape, over) => {
    const cfg: FusedConfig = { optimizer: 'adam', lr: 1e-2, batchSize: 16, penalty: 'none', lambda: 0, solver: 'prox', ...over };
    const net = initArchNetwork(arch, inShape, 4, 5);
    const cols = inShape.reduce((a, b) => a * b, 1);
    const ROWS = 40;
    const rng = new Rng(7);
    const x = Float32Array.from({ length: ROWS * cols }, () => rng.normal());
    const y = Int32Array.from({ length: ROWS }, (_, r) => (x[r * cols] > 0 ? 1 : 0) + (x[r * cols + 5] > 0 ? 2 : 0));
    const d: TrainingData = { x, y, rows: ROWS, cols, classes: 4 };
    const js = createLayersEngine(net.layers, inShape, d, cfg, { kernels: 'js' });
    const wasm = createLayersEngine(net.layers, inShape, d, cfg, { kernels: 'wasm' });
    expect(js.name).toBe('layers-js');
    expect(wasm.name).toBe('layers-wasm');
    const order = new Rng(11);
    for (let epoch = 0; epoch < 3; epoch++) {
      const o = order.permutation(ROWS);
      const a = js.runEpoch(o);
      const b = wasm.runEpoch(o);
      expect(Math.abs(a - b)).toBeLessThan(1e-4 * Math.max(1, a));
    }
    expect(maxRel(js.layers(), wasm.layers(), 1e-2)).toBeLessThan(1e-4);
    // the weights did move
    expect(maxRel(js.layers(), net.layers, 1e-2)).toBeGreaterThan(1e-2);
  });

  test('evaluation on the WebAssembly convolutions: the accuracy of the reference forward pass, chunks and picked rows', () => {
    const inShape = [1, 8, 8];
    const net = initArchNetwork('c4k3p1-bn-m2-c6k3', inShape, 4, 9);
    const bn = net.layers[1] as Extract<AnyLayer, { op: 'batchnorm' }>;
    bn.runningMean.fill(0.1);
    bn.runningVar.fill(1.5);
    const ROWS = 300; // more than one chunk of 256
    const rng = new Rng(4);
    const x = Float32Array.from({ length: ROWS * 64 }, () => rng.normal());
    const y = Int32Array.from({ length: ROWS }, () => rng.int(4));
    const ops = wasmEvalOps();
    const ref = layersAccuracy(net.layers, inShape, x, y);
    expect(layersAccuracy(net.layers, inShape, x, y, null, ops)).toBe(ref);
    const pick = Int32Array.from({ length: 40 }, (_, i) => (i * 7) % ROWS);
    expect(layersAccuracy(net.layers, inShape, x, y, pick, ops)).toBe(layersAccuracy(net.layers, inShape, x, y, pick));
    // again with the instances already laid out, on a copy of the layers
    expect(layersAccuracy(initArchNetwork('c4k3p1-bn-m2-c6k3', inShape, 4, 9).layers, inShape, x, y, null, ops)).toBeGreaterThan(0);
  });

  test('cross-entropy on the WebAssembly convolutions: the mean of -log softmax at the label, as the reference pass gives it', () => {
    const inShape = [1, 8, 8];
    const net = initArchNetwork('c4k3p1-bn-m2-c6k3', inShape, 4, 11);
    const ROWS = 300;
    const rng = new Rng(5);
    const x = Float32Array.from({ length: ROWS * 64 }, () => rng.normal());
    const y = Int32Array.from({ length: ROWS }, () => rng.int(4));
    // by hand from the reference logits
    const z = forwardLayers(net.layers, Float64Array.from(x), ROWS, inShape);
    let sum = 0;
    for (let r = 0; r < ROWS; r++) {
      const row = Array.from(z.subarray(r * 4, r * 4 + 4));
      sum += Math.log(row.reduce((a, v) => a + Math.exp(v), 0)) - row[y[r]];
    }
    const ref = layersCrossEntropy(net.layers, inShape, x, y);
    expect(ref).toBeCloseTo(sum / ROWS, 10);
    expect(layersCrossEntropy(net.layers, inShape, x, y, null, wasmEvalOps())).toBeCloseTo(ref, 5);
    // picked rows: the rows' own mean
    const pick = Int32Array.from([3, 3, 17]);
    const one = (r: number) => layersCrossEntropy(net.layers, inShape, x.subarray(r * 64, r * 64 + 64), y.subarray(r, r + 1));
    expect(layersCrossEntropy(net.layers, inShape, x, y, pick)).toBeCloseTo((2 * one(3) + one(17)) / 3, 10);
  });
});
