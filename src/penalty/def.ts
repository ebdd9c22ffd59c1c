/**
 * What a penalty is (the contract of each file in kinds/), and the step of a proximal operator: a
 * leaf of the penalty folder, so the table, its kinds and the names derived from it import it and
 * not each other.
 */
import type { PenaltyParts } from './groups';

/**
 * Step size of a proximal step: one number for every coordinate (plain SGD), or one h_i > 0 per
 * coordinate (the diagonal preconditioner of Adam/RMSprop/AdaMax), laid out like the buffer it
 * belongs to (kernel or bias).
 */
export type ProxStep = Float32Array | number;

/** prox(...) sets the parts to argmin_x sum_i (x_i - v_i)^2 / (2 h_i) + lambda * R(x) in place,
 * v being their content and h the step (a number, or one h_i > 0 per coordinate, laid out like w and b). */
export type ProxFn = (parts: PenaltyParts, lambda: number, hw: ProxStep, hb: ProxStep) => void;

export interface PenaltyDef {
  /** The name on the command line, in configurations and in records (the table key). */
  readonly name: string;
  /** What it is, for `--penalty` help (R written out). */
  readonly help: string;
  /** R of one layer's parts (./groups.ts) without lambda, in float64. */
  value(parts: PenaltyParts): number;
  /** g.w += lambda dR/dw and g.b += lambda dR/db (g laid out like the parts): the gradient, or at
   * kinks the subgradient of minimal norm for isolated zeros (sign(0) = 0, 0 for an all-zero group). */
  gradient(parts: PenaltyParts, lambda: number, g: { w: Float32Array; b: Float32Array }): void;
  /** The exact proximal operator for a non-smooth penalty, used after every update under
   * `--solver prox` (the subgradient solver adds `gradient` instead); null for a smooth penalty,
   * whose gradient is added to the loss under either solver. */
  readonly prox: ProxFn | null;
  /** Kernel id of `prox` in the WebAssembly update (assembly/update.ts proxLayer: bit 1 the
   * elementwise l1 part, bit 2 the group part, each also soft-thresholding the bias); null
   * exactly when prox is null. */
  readonly wasmKernel: number | null;
  /** Fine-tuning after pruning keeps a smooth regularizer (same lambda) and drops a sparsity
   * penalty, whose work pruning has made permanent. */
  readonly keptInFinetune: boolean;
}
