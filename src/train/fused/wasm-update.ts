/**
 * The fused engine's parameter update on the WebAssembly kernels: the optimizer step (float32,
 * four lanes) writing each coordinate's step h, then the proximal operator of every layer
 * (float64, the same arithmetic as src/penalty/prox.ts). State lives in the pass's memory.
 */
import type { ProxKind } from '../../penalty/types';
import type { OptimizerName, ProxStep } from '../types';
import type { FlatLayout } from './layout';
import type { WasmNetworkMemory } from './wasm-pass';

const B1 = 0.9;
const B2 = 0.999;
const KIND: Record<ProxKind, number> = { l1: 1, gl: 2, sgl: 3 };

/** The proximal step applied after each optimizer step. */
export interface ProxSetting {
  kind: ProxKind;
  lambda: number;
  step: ProxStep;
}

export interface WasmUpdateConfig {
  optimizer: OptimizerName;
  lr: number;
  /** The proximal step to apply after each update, or null for none. */
  prox: ProxSetting | null;
}

export class WasmUpdate {
  private t = 0;
  private readonly kernelPtr: number[];
  private readonly biasPtr: number[];
  /** Where the optimizer writes its per-coordinate steps, or 0 when the prox takes the scalar lr
   * (no prox, sgd, or proxStep 'lr'). */
  private readonly h: number;
  /** Learning rate of the steps that follow (starts at cfg.lr; a schedule changes it). */
  lr: number;

  constructor(
    private readonly mem: WasmNetworkMemory,
    private readonly lay: FlatLayout,
    private readonly cfg: WasmUpdateConfig,
  ) {
    this.kernelPtr = lay.kernelOffset.map((o) => 4 * o);
    this.biasPtr = lay.biasOffset.map((o) => 4 * o);
    const perCoordinate = cfg.prox !== null && cfg.prox.step === 'preconditioned' && cfg.optimizer !== 'sgd';
    this.h = perCoordinate ? mem.hOff : 0;
    this.lr = cfg.lr;
  }

  /** One optimizer step from the gradient buffer, then the proximal step if configured. */
  step(): void {
    const { mem, lay, cfg, h } = this;
    const ex = mem.ex;
    const n = lay.total;
    const t = ++this.t;
    const prox = cfg.prox;
    const lr = this.lr;
    if (cfg.optimizer === 'adam') {
      ex.adamStep(mem.pOff, mem.gOff, mem.mOff, mem.vOff, h, n, lr / (1 - Math.pow(B1, t)), 1 / Math.sqrt(1 - Math.pow(B2, t)), lr);
    } else if (cfg.optimizer === 'adamax') {
      ex.adamaxStep(mem.pOff, mem.gOff, mem.mOff, mem.vOff, h, n, lr / (1 - Math.pow(B1, t)));
    } else if (cfg.optimizer === 'rmsprop') {
      ex.rmspropStep(mem.pOff, mem.gOff, mem.vOff, h, n, lr);
    } else {
      ex.sgdStep(mem.pOff, mem.gOff, n, lr);
    }
    if (prox === null) return;
    for (let k = 0; k < lay.inSize.length; k++) {
      const W = mem.pOff + this.kernelPtr[k];
      const b = mem.pOff + this.biasPtr[k];
      const hW = h ? mem.hOff + this.kernelPtr[k] : 0;
      const hb = h ? mem.hOff + this.biasPtr[k] : 0;
      ex.proxLayer(W, b, lay.inSize[k], lay.outSize[k], KIND[prox.kind], prox.lambda, hW, hb, lr);
    }
  }
}
