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
 * returned layers use the running ones. On two threads (opts.threads, ./parallel/) the minibatch's
 * gradient is computed in two parts, this thread's and a worker thread's, over shared parameters,
 * with batch norm's statistics summed over both parts; the update that follows runs here, once.
 * layers-js is the reference that faster kernels are checked against
 * (test/train-layers/wasm-parity.test.ts).
 */
import { GsError } from '../../errors';
import { cloneLayer, layerShapes, layerType } from '../../network/layers/table';
import type { AnyLayer } from '../../network/types';
import { addPartsGradient, addsGradient, isProximal, partsOf, proxParts } from '../../penalty';
import type { FusedConfig, FusedKernels } from '../fused/engine';
import { wasmPassAvailable } from '../fused/wasm-pass';
import { createOptimizer } from '../fused/optimizers';
import type { TrainingData, TrainingEngine } from '../types';
import { batchGradient, gatherBatch } from './pass';
import { trainOp } from './ops/table';
import { layerOps } from './ops/kernel-choice';
import { bindLayers, flatLayout, slotViews } from './flat-params';
import { createSplitPass, partRows, type SplitPass } from './parallel/split-pass';
import { chooseThreads, parseThreads, type ThreadsOption } from './parallel/threads';
import { checkLearningRate, runBatches } from '../epoch-batches';

export const LAYERS_ENGINE = 'layers-js';
/** The layers engine with its convolutions on the WebAssembly SIMD kernels. */
export const LAYERS_WASM_ENGINE = 'layers-wasm';

export interface LayersEngineOptions {
  /** Convolution kernels: 'wasm' (WebAssembly SIMD, float32), 'js' (the TypeScript reference,
   * float64), 'auto' (default: wasm when this runtime can run it). */
  kernels?: FusedKernels;
  /** Threads of the WebAssembly kernels' steps: 1, 2 (each minibatch split between this thread and a
   * worker thread, ./parallel/), or 'auto' (default: 2 where it pays, ./parallel/threads.ts). */
  threads?: ThreadsOption;
}

/** The engine's name: its kernels, and its threads when more than one. */
export function layersEngineName(wasm: boolean, threads: number): string {
  const base = wasm ? LAYERS_WASM_ENGINE : LAYERS_ENGINE;
  return threads > 1 ? `${base} (${threads} threads)` : base;
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
  const kernels = opts.kernels ?? 'auto';
  if (kernels === 'wasm' && !wasmPassAvailable())
    throw new GsError(
      'UNAVAILABLE',
      'the WebAssembly SIMD kernels are unavailable (build/kernels.wasm missing, or no SIMD in this runtime)',
    );
  // the name says which kernels run: without a convolution the TypeScript ones do everything
  const wasm = kernels !== 'js' && wasmPassAvailable() && layers.some((l) => l.op === 'conv');
  const threads = chooseThreads(parseThreads(opts.threads ?? 'auto'), wasm, cfg.batchSize, data.rows);
  // one flat array of every trainable buffer (shared memory when a worker thread reads it too); the
  // layers are rebound to views into it
  const layout = flatLayout(layers);
  const { slots, total } = layout;
  const params = threads > 1 ? new Float32Array(new SharedArrayBuffer(total * 4)) : new Float32Array(total);
  const grads = new Float32Array(total);
  bindLayers(layers, layout, params, true);
  const gradViews = slots.map((s) => slotViews(grads, s));

  const kind = cfg.penalty;
  const lambda = cfg.lambda;
  const proxKind = isProximal(kind) ? kind : null;
  const prox = cfg.solver === 'prox' && proxKind !== null && lambda > 0 ? { kind: proxKind, step: cfg.proxStep ?? 'preconditioned' } : null;
  const addGrad = addsGradient(kind, cfg.solver, lambda);
  const opt = createOptimizer(cfg.optimizer, total, cfg.lr);
  const perCoordinate = prox !== null && prox.step !== 'lr' && opt.scalarStep === null;
  const h = perCoordinate ? new Float32Array(total) : null;
  const hViews = h ? slots.map((s) => slotViews(h, s)) : null;

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
  // on two threads this thread computes the first part of each batch, so its instances hold that part
  const opOf = layerOps(wasm, threads > 1 ? partRows(batch) : batch);
  const xb = new Float64Array(batch * cols);
  const rows = new Int32Array(batch);
  const split: SplitPass | null =
    threads > 1 ? createSplitPass({ init, layers, shapes, inShape, batch, data, params, grads, gradViews, opOf }) : null;
  let disposed = false;

  function gradient(order: Int32Array, start: number, n: number): number {
    if (split) return split.gradient(order, start, n);
    gatherBatch(data.x, cols, order, start, n, xb, rows);
    return batchGradient(layers, shapes, n === batch ? xb : xb.subarray(0, n * cols), n, rows.subarray(0, n), data, gradViews, opOf);
  }

  function step(order: Int32Array, start: number, n: number): number {
    const loss = gradient(order, start, n);
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
    name: layersEngineName(wasm, threads),
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
      split?.dispose();
    },
  };
}
