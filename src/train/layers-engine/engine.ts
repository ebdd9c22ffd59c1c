/**
 * The layers engine: a training engine for networks of any layer types of the table (dense,
 * convolution 1-D/2-D, pooling, global average pooling, flatten, batch norm), float32 parameters.
 * 'layers-js' runs the TypeScript reference kernels (float64 sums); 'layers-wasm' runs the
 * convolutions (forward, input and weight gradients) on the WebAssembly SIMD kernels (float32,
 * ./ops/conv-wasm.ts, one instance per convolution reused across batches) and the dense layers on
 * the WebAssembly SIMD dense kernels (./ops/dense-wasm.ts), batch norm's training passes on
 * ./ops/batchnorm-wasm.ts, max pooling on ./ops/pool-wasm.ts, the rest as layers-js. Each step: the minibatch's forward and
 * backward pass (./pass.ts, per-type kernels in ./ops/), the penalty's gradient when it is smooth
 * (or under the subgradient solver), the optimizer step of the fused engine (fused/optimizers.ts:
 * the same formulas) over one flat parameter array, then the proximal step on each layer's groups
 * (LayerType.groups) with the optimizer's per-coordinate step (or its scalar step, as the fused engine).
 * Batch norm trains on batch statistics and updates its running statistics; evaluation and the
 * returned layers use the running ones. layers-js is the reference that faster kernels are checked
 * against (test/train-layers/wasm-parity.test.ts).
 */
import { GsError } from '../../errors';
import { cloneLayer, layerShapes, layerType } from '../../network/layers/table';
import type { AnyLayer } from '../../network/types';
import { addPartsGradient, addsGradient, isProximal, partsOf, proxParts } from '../../penalty';
import type { FusedConfig, FusedKernels } from '../fused/engine';
import { wasmPassAvailable } from '../fused/wasm-pass';
import { createOptimizer } from '../fused/optimizers';
import type { TrainingData, TrainingEngine } from '../types';
import { batchGradient } from './pass';
import { trainOp } from './ops/table';
import { wasmConvTrainOp } from './ops/conv-wasm';
import { CONV_TRAIN } from './ops/conv';
import { DENSE_TRAIN } from './ops/dense';
import { wasmDenseTrainOp } from './ops/dense-wasm';
import { BATCHNORM_TRAIN } from './ops/batchnorm';
import { wasmBatchNormTrainOp } from './ops/batchnorm-wasm';
import { POOL_TRAIN } from './ops/pool';
import { wasmMaxPoolTrainOp } from './ops/pool-wasm';
import { DEPTHWISE_TRAIN } from './ops/depthwise';
import { wasmDepthwiseTrainOp } from './ops/depthwise-wasm';
import type { TrainOp } from './ops/train-op';
import { checkLearningRate, runBatches } from '../epoch-batches';

export const LAYERS_ENGINE = 'layers-js';
/** The layers engine with its convolutions on the WebAssembly SIMD kernels. */
export const LAYERS_WASM_ENGINE = 'layers-wasm';

export interface LayersEngineOptions {
  /** Convolution kernels: 'wasm' (WebAssembly SIMD, float32), 'js' (the TypeScript reference,
   * float64), 'auto' (default: wasm when this runtime can run it). */
  kernels?: FusedKernels;
}

/** Where one layer's trainable buffers sit in the flat arrays. */
interface Slot {
  offsets: number[];
  lengths: number[];
}

function checkInputs(layers: readonly AnyLayer[], shapes: number[][], data: TrainingData, cfg: FusedConfig): void {
  if (!Number.isInteger(cfg.batchSize) || cfg.batchSize < 1)
    throw new GsError('BAD_OPTION', `batch size must be a positive integer, got ${cfg.batchSize}`);
  if (!(cfg.lr > 0) || !Number.isFinite(cfg.lr))
    throw new GsError('BAD_OPTION', `learning rate must be a finite number > 0, got ${cfg.lr}`);
  if (!(cfg.lambda >= 0) || !Number.isFinite(cfg.lambda))
    throw new GsError('BAD_OPTION', `penalty lambda must be a finite number >= 0, got ${cfg.lambda}`);
  layers.forEach((l, k) => {
    const bad = layerType(l).invalid(l);
    if (bad) throw new GsError('BAD_MODEL', `layer ${k} (${l.op}) ${bad}`);
  });
  const width = shapes[0].reduce((a, b) => a * b, 1);
  if (width !== data.cols)
    throw new RangeError(`the first layer reads ${width} values (${shapes[0].join('x')}) but the data has ${data.cols} columns`);
  const out = shapes[shapes.length - 1];
  const C = out.reduce((a, b) => a * b, 1);
  if (out.length !== 1 || C !== data.classes)
    throw new RangeError(`the output layer has shape ${out.join('x')} but the data has ${data.classes} classes`);
  if (data.x.length !== data.rows * data.cols || data.y.length !== data.rows)
    throw new RangeError(`data arrays do not match ${data.rows} rows x ${data.cols} columns`);
  if (data.targets) {
    if (data.targets.length !== data.rows * C)
      throw new RangeError(`regression targets hold ${data.targets.length} values, expected ${data.rows} rows x ${C} outputs`);
    return;
  }
  for (let r = 0; r < data.rows; r++) {
    const c = data.y[r];
    if (!(c >= 0 && c < C)) throw new RangeError(`label ${c} of row ${r} is outside 0..${C - 1}`);
  }
}

/**
 * A layers engine training copies of `init` (examples of shape `inShape`, read flat from data.x)
 * on `data` (see TrainingEngine).
 */
export function createLayersEngine(
  init: readonly AnyLayer[],
  inShape: readonly number[],
  data: TrainingData,
  cfg: FusedConfig,
  opts: LayersEngineOptions = {},
): TrainingEngine<AnyLayer> {
  if (init.length === 0) throw new RangeError('a network needs at least one layer');
  const layers = init.map((l) => cloneLayer(l));
  const shapes = layerShapes(layers, inShape);
  checkInputs(layers, shapes, data, cfg);
  // one flat array of every trainable buffer; the layers are rebound to views into it
  const slots: Slot[] = [];
  let total = 0;
  for (const l of layers) {
    const bufs = trainOp(l).params(l);
    const slot: Slot = { offsets: [], lengths: [] };
    for (const b of bufs) {
      slot.offsets.push(total);
      slot.lengths.push(b.length);
      total += b.length;
    }
    slots.push(slot);
  }
  const params = new Float32Array(total);
  const grads = new Float32Array(total);
  const views = (flat: Float32Array, s: Slot) => s.offsets.map((o, i) => flat.subarray(o, o + s.lengths[i]));
  layers.forEach((l, k) => {
    const op = trainOp(l);
    const pv = views(params, slots[k]);
    op.params(l).forEach((b, i) => pv[i].set(b));
    op.bind(l, pv);
  });
  const gradViews = slots.map((s) => views(grads, s));

  const kind = cfg.penalty;
  const lambda = cfg.lambda;
  const proxKind = isProximal(kind) ? kind : null;
  const prox = cfg.solver === 'prox' && proxKind !== null && lambda > 0 ? { kind: proxKind, step: cfg.proxStep ?? 'preconditioned' } : null;
  const addGrad = addsGradient(kind, cfg.solver, lambda);
  const opt = createOptimizer(cfg.optimizer, total, cfg.lr);
  const perCoordinate = prox !== null && prox.step !== 'lr' && opt.scalarStep === null;
  const h = perCoordinate ? new Float32Array(total) : null;
  const hViews = h ? slots.map((s) => views(h, s)) : null;

  // each layer's penalty parts (views into params), and where their w and b sit among its buffers
  const parts = layers.map((l, k) => {
    const p = partsOf(l);
    if (!p) return null;
    const bufs = trainOp(l).params(l);
    const wi = bufs.indexOf(p.w);
    const bi = bufs.indexOf(p.b);
    if (wi < 0 || bi < 0) throw new Error(`layer ${k} (${l.op}): its penalty groups are not among its trainable buffers`);
    return { p, wi, bi };
  });

  const cols = data.cols;
  const batch = cfg.batchSize;
  const kernels = opts.kernels ?? 'auto';
  if (kernels === 'wasm' && !wasmPassAvailable())
    throw new GsError(
      'UNAVAILABLE',
      'the WebAssembly SIMD kernels are unavailable (build/kernels.wasm missing, or no SIMD in this runtime)',
    );
  // the name says which kernels run: without a convolution the TypeScript ones do everything
  const wasm = kernels !== 'js' && wasmPassAvailable() && layers.some((l) => l.op === 'conv');
  const wasmConv = wasm ? (wasmConvTrainOp(CONV_TRAIN, batch) as TrainOp<AnyLayer>) : null;
  const wasmDense = wasm ? (wasmDenseTrainOp(DENSE_TRAIN, batch) as TrainOp<AnyLayer>) : null;
  const wasmBatchNorm = wasm ? (wasmBatchNormTrainOp(BATCHNORM_TRAIN, batch) as TrainOp<AnyLayer>) : null;
  const wasmPool = wasm ? (wasmMaxPoolTrainOp(POOL_TRAIN, batch) as TrainOp<AnyLayer>) : null;
  const wasmDepthwise = wasm ? (wasmDepthwiseTrainOp(DEPTHWISE_TRAIN, batch) as TrainOp<AnyLayer>) : null;
  // the WebAssembly op of each layer type that has one, else the TypeScript one
  const wasmOps: Partial<Record<AnyLayer['op'], TrainOp<AnyLayer> | null>> = {
    conv: wasmConv,
    dense: wasmDense,
    batchnorm: wasmBatchNorm,
    pool: wasmPool,
    depthwise: wasmDepthwise,
  };
  const opOf = (l: AnyLayer): TrainOp<AnyLayer> => wasmOps[l.op] ?? trainOp(l);
  const xb = new Float64Array(batch * cols);
  const rows = new Int32Array(batch);
  let disposed = false;

  function step(order: Int32Array, start: number, n: number): number {
    for (let r = 0; r < n; r++) {
      const row = order[start + r];
      rows[r] = row;
      const o = row * cols;
      for (let c = 0; c < cols; c++) xb[r * cols + c] = data.x[o + c];
    }
    const loss = batchGradient(layers, shapes, n === batch ? xb : xb.subarray(0, n * cols), n, rows.subarray(0, n), data, gradViews, opOf);
    if (addGrad) {
      parts.forEach((q, k) => {
        if (q) addPartsGradient(q.p, kind, lambda, { w: gradViews[k][q.wi], b: gradViews[k][q.bi] });
      });
    }
    opt.step(params, grads, h);
    if (prox) {
      const scalar = prox.step === 'lr' ? opt.lr : opt.scalarStep;
      parts.forEach((q, k) => {
        if (!q) return;
        const hw = hViews ? hViews[k][q.wi] : (scalar as number);
        const hb = hViews ? hViews[k][q.bi] : (scalar as number);
        proxParts(q.p, prox.kind, lambda, hw, hb);
      });
    }
    return loss;
  }

  return {
    name: wasm ? LAYERS_WASM_ENGINE : LAYERS_ENGINE,
    runEpoch(order: Int32Array): number {
      if (disposed) throw new Error('the layers engine was disposed');
      return runBatches(order, data.rows, batch, step);
    },
    layers: () => layers.map((l) => cloneLayer(l)),
    setLearningRate(lr: number): void {
      opt.lr = checkLearningRate(lr);
    },
    dispose(): void {
      disposed = true;
    },
  };
}
