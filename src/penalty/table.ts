/**
 * The penalty table: every penalty gs-compress knows, each defined once in its own file under
 * kinds/ (name, CLI help, value, gradient, proximal operator and its WebAssembly kernel id, and
 * whether fine-tuning keeps it). Everything else (penalty values, gradients, proximal steps, the
 * fused engine, the WebAssembly update, fine-tuning, the CLI's help and choices) reads it from
 * here. Adding a penalty: a file in kinds/, a line below, its kernel in assembly/update.ts if it
 * has a proximal operator the existing kernel ids do not cover, and a test.
 */
import { gl } from './kinds/gl';
import { l1 } from './kinds/l1';
import { l2 } from './kinds/l2';
import { none } from './kinds/none';
import { sgl } from './kinds/sgl';
import type { PenaltyParts } from './groups';
import type { ProxStep } from './types';

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

export const PENALTIES = { none, l2, l1, gl, sgl } satisfies Record<string, PenaltyDef>;
