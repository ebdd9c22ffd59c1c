/**
 * The fused training engine: a whole minibatch step (forward, the task's loss, backward,
 * penalty gradient, optimizer update, preconditioned proximal step) over preallocated flat
 * arrays, with no allocation per step: on the WebAssembly SIMD kernels (wasm-pass.ts,
 * wasm-update.ts) when the runtime has them, else on the TypeScript kernels (pass.ts,
 * optimizers.ts, penalty/prox.ts). On the small networks gs-compress trains this avoids the
 * per-operation overhead of tfjs entirely.
 */
import { GsError } from '../../errors';
import type { DenseLayer } from '../../network/types';
import { addPenaltyGradient, addsGradient, isProximal, proxLayer } from '../../penalty';
import type { TrainConfig, TrainingData, TrainingEngine } from '../types';
import { layoutOf, packLayers, unpackLayers, viewsOf } from './layout';
import type { FlatLayout, LayerViews } from './layout';
import { createOptimizer } from './optimizers';
import { BatchPass } from './pass';
import { WasmBatchPass, wasmPassAvailable } from './wasm-pass';
import { WasmUpdate, type ProxSetting } from './wasm-update';
import { checkLearningRate, runBatches } from '../epoch-batches';
import { checkInputColumns, compactTrainingData, rowWidth } from '../training-data';

export type FusedConfig = Pick<TrainConfig, 'optimizer' | 'lr' | 'batchSize' | 'penalty' | 'lambda' | 'solver' | 'proxStep'>;

/** Computes one minibatch's mean cross-entropy and its gradient (written, not accumulated). */
export interface GradientPass {
  run(params: LayerViews<Float32Array>[], grads: LayerViews<Float32Array>[], order: Int32Array, start: number, n: number): number;
  /** Parameter and gradient arrays (flat layout) the engine must use, when the pass owns them. */
  buffers?(): { params: Float32Array; grads: Float32Array };
}

/** Kernels of the fused engine's own pass: WebAssembly SIMD (float32) or plain TypeScript
 * (float64 accumulation). 'auto' takes wasm when this runtime can run it. */
export type FusedKernels = 'auto' | 'wasm' | 'js';

/** Optional replacements: another gradient pass (e.g. tfjs) under the same optimizer and prox. */
export interface FusedOptions {
  pass?: GradientPass;
  /** Kernels when no pass is given (default 'auto'). */
  kernels?: FusedKernels;
  /** Engine name reported by `name` (default 'fused-wasm' or 'fused-js'). */
  name?: string;
  /** Called once by dispose(). */
  onDispose?: () => void;
}

function checkInputs(init: readonly DenseLayer[], data: TrainingData, cfg: FusedConfig): void {
  if (!Number.isInteger(cfg.batchSize) || cfg.batchSize < 1) {
    throw new GsError('BAD_OPTION', `batch size must be a positive integer, got ${cfg.batchSize}`);
  }
  if (!(cfg.lr > 0) || !Number.isFinite(cfg.lr))
    throw new GsError('BAD_OPTION', `learning rate must be a finite number > 0, got ${cfg.lr}`);
  if (!(cfg.lambda >= 0) || !Number.isFinite(cfg.lambda))
    throw new GsError('BAD_OPTION', `penalty lambda must be a finite number >= 0, got ${cfg.lambda}`);
  if (init.length > 0 && init[0].inSize !== data.cols) {
    throw new RangeError(`the first layer reads ${init[0].inSize} inputs but the data has ${data.cols} columns`);
  }
  const C = init.length > 0 ? init[init.length - 1].outSize : 0;
  if (init.length > 0 && C !== data.classes) {
    throw new RangeError(`the output layer has ${C} units but the data has ${data.classes} classes`);
  }
  if (data.x.length !== data.rows * rowWidth(data) || data.y.length !== data.rows) {
    throw new RangeError(`data arrays do not match ${data.rows} rows x ${rowWidth(data)} columns`);
  }
  if (data.inputColumns) checkInputColumns(data.inputColumns, data.cols);
  if (data.targets) {
    if (data.soft) throw new GsError('BAD_OPTION', 'distillation (soft targets) applies to classification, not to regression');
    if (data.targets.length !== data.rows * C) {
      throw new RangeError(`regression targets hold ${data.targets.length} values, expected ${data.rows} rows x ${C} outputs`);
    }
    for (let i = 0; i < data.targets.length; i++) {
      if (!Number.isFinite(data.targets[i]))
        throw new RangeError(`target ${data.targets[i]} of row ${Math.floor(i / C)} is not a finite number`);
    }
    return;
  }
  for (let r = 0; r < data.rows; r++) {
    const c = data.y[r];
    if (!(c >= 0 && c < C)) throw new RangeError(`label ${c} of row ${r} is outside 0..${C - 1}`);
  }
}

/** The optimizer step and proximal step in TypeScript over the flat arrays. */
function typedArrayUpdate(
  lay: FlatLayout,
  params: Float32Array,
  grads: Float32Array,
  cfg: FusedConfig,
  prox: ProxSetting | null,
): { update: () => void; setLr: (lr: number) => void } {
  const opt = createOptimizer(cfg.optimizer, lay.total, cfg.lr);
  const pv = viewsOf(params, lay);
  // per-coordinate proximal steps, only when the optimizer has a diagonal preconditioner and the
  // configuration asks for it; otherwise one scalar step (sgd's lr, or lr under proxStep 'lr')
  const perCoordinate = prox !== null && prox.step !== 'lr' && opt.scalarStep === null;
  const h = perCoordinate ? new Float32Array(lay.total) : null;
  const hv = h ? viewsOf(h, lay) : null;
  const setLr = (lr: number) => (opt.lr = lr);
  const update = () => {
    opt.step(params, grads, h);
    if (!prox) return;
    const scalarStep = prox.step === 'lr' ? opt.lr : opt.scalarStep;
    for (let k = 0; k < pv.length; k++) {
      const hk = hv ? hv[k].kernel : (scalarStep as number);
      const hb = hv ? hv[k].bias : (scalarStep as number);
      proxLayer(pv[k].kernel, pv[k].bias, lay.layers[k].inSize, lay.layers[k].outSize, prox.kind, prox.lambda, hk, hb);
    }
  };
  return { update, setLr };
}

/** A fused engine training copies of `init` on `data` (see TrainingEngine). */
export function createFusedEngine(init: DenseLayer[], given: TrainingData, cfg: FusedConfig, opts: FusedOptions = {}): TrainingEngine {
  const lay = layoutOf(init);
  checkInputs(init, given, cfg);
  const L = lay.layers.length;
  const kernels = opts.kernels ?? 'auto';
  const useWasm = !opts.pass && (kernels === 'wasm' || (kernels === 'auto' && wasmPassAvailable()));
  // the WebAssembly pass gathers kept input columns into its memory, the TypeScript pass reads a copy of them
  const data = useWasm ? given : compactTrainingData(given);
  const wasmPass = useWasm ? new WasmBatchPass(lay, data, cfg.batchSize) : null;
  const pass: GradientPass = opts.pass ?? wasmPass ?? new BatchPass(lay, data, cfg.batchSize);
  const shared = pass.buffers?.() ?? null;
  const params = shared ? shared.params : new Float32Array(lay.total);
  params.set(packLayers(init, lay));
  const grads = shared ? shared.grads : new Float32Array(lay.total);
  const pv = viewsOf(params, lay);
  const gv = viewsOf(grads, lay);
  const kind = cfg.penalty;
  const lambda = cfg.lambda;
  const proxKind = isProximal(kind) ? kind : null;
  const prox =
    cfg.solver === 'prox' && proxKind !== null && lambda > 0 ? { kind: proxKind, lambda, step: cfg.proxStep ?? 'preconditioned' } : null;
  const addGrad = addsGradient(kind, cfg.solver, lambda);
  let update: () => void;
  let setLr: (lr: number) => void;
  if (wasmPass) {
    // the optimizer and proximal step run in the module too, on the same state
    const u = new WasmUpdate(wasmPass.mem, lay, { optimizer: cfg.optimizer, lr: cfg.lr, prox });
    update = () => u.step();
    setLr = (lr) => (u.lr = lr);
  } else {
    ({ update, setLr } = typedArrayUpdate(lay, params, grads, cfg, prox));
  }
  const batch = cfg.batchSize;
  let disposed = false;
  let final: Float32Array | null = null;

  function step(order: Int32Array, start: number, n: number): number {
    const loss = pass.run(pv, gv, order, start, n);
    if (addGrad) {
      for (let k = 0; k < L; k++) {
        addPenaltyGradient(pv[k].kernel, pv[k].bias, lay.layers[k].inSize, lay.layers[k].outSize, kind, lambda, gv[k].kernel, gv[k].bias);
      }
    }
    update();
    return loss;
  }

  return {
    name: opts.name ?? (useWasm ? 'fused-wasm' : 'fused-js'),
    runEpoch(order: Int32Array): number {
      if (disposed) throw new Error('the fused engine was disposed');
      return runBatches(order, data.rows, batch, step);
    },
    layers(): DenseLayer[] {
      return unpackLayers(final ?? params, lay);
    },
    setLearningRate(lr: number): void {
      setLr(checkLearningRate(lr));
    },
    dispose(): void {
      if (disposed) return;
      disposed = true;
      // the WebAssembly instance goes back to the pool: keep the weights readable
      if (wasmPass) {
        final = params.slice();
        wasmPass.dispose();
      }
      opts.onDispose?.();
    },
  };
}
