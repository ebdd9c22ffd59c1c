/**
 * (Sub)gradients of lambda * R for one layer, added in place to gradient buffers, from the
 * penalty table (./table.ts). Used by the subgradient solver and for smooth penalties (l2). At
 * kinks the subgradient chosen is the one of minimal norm for isolated zeros: sign(0) = 0 and 0
 * for an all-zero kernel row.
 */
import { PENALTIES } from './table';
import type { PenaltyKind } from './types';

/** gKernel += lambda * dR/dkernel, gBias += lambda * dR/dbias (see each penalty in ./kinds/). */
export function addPenaltyGradient(
  kernel: Float32Array,
  bias: Float32Array,
  inSize: number,
  outSize: number,
  kind: PenaltyKind,
  lambda: number,
  gKernel: Float32Array,
  gBias: Float32Array,
): void {
  if (lambda === 0) return;
  PENALTIES[kind].gradient(kernel, bias, inSize, outSize, lambda, gKernel, gBias);
}

/** Whether the training step adds the penalty's gradient to the loss gradient: always for a
 * smooth penalty, and for a non-smooth one under the subgradient solver (the prox solver takes
 * a proximal step instead). */
export function addsGradient(kind: PenaltyKind, solver: 'prox' | 'subgradient', lambda: number): boolean {
  return lambda > 0 && (PENALTIES[kind].prox === null || solver === 'subgradient');
}
