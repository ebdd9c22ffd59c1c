/**
 * Names shared by the penalty layer and its users.
 *
 * Penalties (lambda * R), over all layers of a Network:
 *   l2:  R = sum w^2 + sum b^2                       (always added to the loss)
 *   l1:  R = sum |w| + sum |b|
 *   gl:  R = sum_rows sqrt(outSize) * ||kernel row||_2 + sum |b|   (a kernel row = one input unit's
 *        outgoing weights = one group; every bias element is its own group of size 1)
 *   sgl: R = gl + l1
 */
export type PenaltyKind = 'none' | 'l2' | 'l1' | 'gl' | 'sgl';
export const PENALTY_KINDS: readonly PenaltyKind[] = ['none', 'l2', 'l1', 'gl', 'sgl'];

/** Penalties that are non-smooth and get a proximal step under `--solver prox`. */
export function isProximal(kind: PenaltyKind): kind is 'l1' | 'gl' | 'sgl' {
  return kind === 'l1' || kind === 'gl' || kind === 'sgl';
}

/** The proximal (non-smooth) penalties. */
export type ProxKind = 'l1' | 'gl' | 'sgl';

/**
 * Step size of a proximal step: one number for every coordinate (plain SGD), or one h_i > 0 per
 * coordinate (the diagonal preconditioner of Adam/RMSprop/AdaMax), laid out like the buffer it
 * belongs to (kernel or bias).
 */
export type ProxStep = Float32Array | number;
