/**
 * The fused engine's parameter update on the WebAssembly kernels: the optimizer step (float32,
 * four lanes) writing each coordinate's step h, then the proximal operator of every layer
 * (float64, the same arithmetic as src/penalty/prox.ts). State lives in the pass's memory.
 */
import { rowGroups } from '../../network/layers/group-view';
import { PENALTIES } from '../../penalty/table';
import type { ProxKind } from '../../penalty/types';
import type { OptimizerName, ProxStep } from '../types';
import type { FlatLayout } from './layout';
import { OPTIMIZER_TABLE } from './optimizers';
import type { WasmNetworkMemory } from './wasm-pass';

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
  /** The penalty table's kernel id of the prox (assembly/update.ts proxGroups). */
  private readonly proxKernel: number;

  constructor(
    private readonly mem: WasmNetworkMemory,
    private readonly lay: FlatLayout,
    private readonly cfg: WasmUpdateConfig,
  ) {
    this.kernelPtr = lay.layers.map((s) => 4 * s.kernelOffset);
    this.biasPtr = lay.layers.map((s) => 4 * s.biasOffset);
    const perCoordinate = cfg.prox !== null && cfg.prox.step === 'preconditioned' && OPTIMIZER_TABLE[cfg.optimizer].preconditioned;
    this.h = perCoordinate ? mem.hOff : 0;
    this.lr = cfg.lr;
    this.proxKernel = cfg.prox === null ? 0 : PENALTIES[cfg.prox.kind].wasmKernel;
  }

  /** One optimizer step from the gradient buffer, then the proximal step if configured. */
  step(): void {
    const { mem, lay, cfg, h } = this;
    const ex = mem.ex;
    const n = lay.total;
    const t = ++this.t;
    const prox = cfg.prox;
    const lr = this.lr;
    OPTIMIZER_TABLE[cfg.optimizer].wasmStep(ex, { p: mem.pOff, g: mem.gOff, m: mem.mOff, v: mem.vOff, h, n }, lr, t);
    if (prox === null) return;
    for (let k = 0; k < lay.layers.length; k++) {
      const W = mem.pOff + this.kernelPtr[k];
      const b = mem.pOff + this.biasPtr[k];
      const hW = h ? mem.hOff + this.kernelPtr[k] : 0;
      const hb = h ? mem.hOff + this.biasPtr[k] : 0;
      // the layer's penalty groups as a view (a dense layout: kernel rows; contiguous, so no scratch)
      const v = rowGroups(lay.layers[k].inSize, lay.layers[k].outSize);
      const nW = lay.layers[k].inSize * lay.layers[k].outSize;
      ex.proxGroups(
        W,
        nW,
        b,
        lay.layers[k].outSize,
        v.offset,
        v.count,
        v.groupStride,
        v.blocks,
        v.blockStride,
        v.blockLen,
        this.proxKernel,
        prox.lambda,
        hW,
        hb,
        lr,
        0,
      );
    }
  }
}
