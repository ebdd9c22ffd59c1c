/**
 * (Sub)gradients of lambda * R, added in place to gradient buffers laid out like the penalty's
 * parts, from the penalty table (./table.ts). Used by the subgradient solver and for smooth
 * penalties (l2). At kinks the subgradient chosen is the one of minimal norm for isolated zeros:
 * sign(0) = 0 and 0 for an all-zero group.
 */
import { denseParts, type PenaltyParts } from './groups';
import { PENALTIES } from './table';
import type { PenaltyKind } from './types';

/** g.w += lambda * dR/dw, g.b += lambda * dR/db (see each penalty in ./kinds/). */
export function addPartsGradient(parts: PenaltyParts, kind: PenaltyKind, lambda: number, g: { w: Float32Array; b: Float32Array }): void {
  if (lambda === 0) return;
  PENALTIES[kind].gradient(parts, lambda, g);
}

/** The same for a dense layer's buffers: gKernel += lambda * dR/dkernel, gBias += lambda * dR/dbias. */
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
  addPartsGradient(denseParts(kernel, bias, inSize, outSize), kind, lambda, { w: gKernel, b: gBias });
}

/** Whether the training step adds the penalty's gradient to the loss gradient: always for a
 * smooth penalty, and for a non-smooth one under the subgradient solver (the prox solver takes
 * a proximal step instead). */
export function addsGradient(kind: PenaltyKind, solver: 'prox' | 'subgradient', lambda: number): boolean {
  return lambda > 0 && (PENALTIES[kind].prox === null || solver === 'subgradient');
}
