/**
 * Proximal operators of the non-smooth penalties, in place on one layer:
 *
 *   x <- argmin_x  sum_i (x_i - v_i)^2 / (2 h_i)  +  lambda * R_layer(x)
 *
 * with v the current content and h_i > 0 the step per coordinate: one number for all (SGD), or a
 * diagonal preconditioner from Adam/RMSprop/AdaMax (the preconditioned proximal step of Yun et
 * al. 2021, "ProxGen"). The objective separates over groups (kernel rows, bias elements), and
 * every case is solved exactly:
 *   l1   elementwise soft-threshold by lambda*h_i;
 *   gl   kernel row, uniform h: row *= max(0, 1 - lambda*h*sqrt(outSize)/||row||);
 *        kernel row, per-coordinate h: zero iff ||v/h|| <= tau (tau = lambda*sqrt(outSize)),
 *        else x_i = v_i r/(r + tau h_i) where r = ||x|| solves sum (v_i/(r + tau h_i))^2 = 1,
 *        found by Newton on the concave secular function 1/sqrt(sum ...) - 1 (as in More-Sorensen),
 *        kept inside a bracket of the root, which converges monotonically after at most one step
 *        (exact at once when h is uniform; 2-3 steps for Adam-like spreads of h);
 *        bias elements are groups of size 1: soft-threshold by lambda*h_i;
 *   sgl  the l1 prox then the gl prox (the composition is the exact prox of l1 + gl, also with a
 *        diagonal h); the bias is thus soft-thresholded twice, i.e. by 2*lambda*h_i.
 * Zeroed groups are written as exact 0, and so are coordinates a group shrink leaves below the
 * smallest normal float32 (no denormals). No allocation per call; arithmetic in float64.
 * The operators are the table's (./table.ts, ./kinds/), built from ./prox-ops.ts.
 */
import { GsError } from '../errors';
import type { AnyLayer } from '../network/types';
import { denseParts, partsOf, type PenaltyParts } from './groups';
import { PENALTIES } from './table';
import type { ProxKind, ProxStep } from './types';

/** Prox of one layer's parts in place; see the module comment. hw/hb: a number or an array laid
 * out like parts.w / parts.b. lambda = 0 leaves the parts untouched. */
export function proxParts(parts: PenaltyParts, kind: ProxKind, lambda: number, hw: ProxStep, hb: ProxStep): void {
  if (!(lambda >= 0) || !Number.isFinite(lambda)) {
    throw new GsError('BAD_OPTION', `penalty lambda must be a finite number >= 0, got ${lambda}`);
  }
  checkStep(hw, parts.w.length, 'kernel');
  checkStep(hb, parts.b.length, 'bias');
  if (lambda === 0) return;
  PENALTIES[kind].prox(parts, lambda, hw, hb);
}

/** Prox of a dense layer's buffers in place (kernel rows the groups, bias elements singletons). */
export function proxLayer(
  kernel: Float32Array,
  bias: Float32Array,
  inSize: number,
  outSize: number,
  kind: ProxKind,
  lambda: number,
  hKernel: ProxStep,
  hBias: ProxStep,
): void {
  checkStep(hKernel, inSize * outSize, 'kernel');
  checkStep(hBias, outSize, 'bias');
  proxParts(denseParts(kernel.subarray(0, inSize * outSize), bias.subarray(0, outSize), inSize, outSize), kind, lambda, hKernel, hBias);
}

/** Prox of every layer of a network with one uniform step h (e.g. lr under SGD), in place. */
export function proxLayers(layers: readonly AnyLayer[], kind: ProxKind, lambda: number, h: number): void {
  for (const l of layers) {
    const p = partsOf(l);
    if (p) proxParts(p, kind, lambda, h, h);
  }
}

function checkStep(h: ProxStep, length: number, what: string): void {
  if (typeof h === 'number') {
    if (!(h > 0) || !Number.isFinite(h)) {
      throw new GsError('BAD_OPTION', `proximal step for the ${what} must be a finite number > 0, got ${h}`);
    }
  } else if (h.length !== length) {
    throw new GsError('BAD_OPTION', `proximal step array for the ${what} has length ${h.length}, expected ${length}`);
  }
}
