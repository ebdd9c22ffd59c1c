/**
 * Names shared by the penalty layer and its users, derived from the penalty table (./table.ts;
 * one file per penalty in ./kinds/, where each R is written out). A penalty is lambda * R summed
 * over all layers of a Network.
 */
import { PENALTIES } from './table';

export type PenaltyKind = keyof typeof PENALTIES;
/** Every penalty, in the table's order (none, l2, l1, gl, sgl). */
export const PENALTY_KINDS: readonly PenaltyKind[] = Object.keys(PENALTIES) as PenaltyKind[];

/** The proximal (non-smooth) penalties: those whose table entry has a prox. */
export type ProxKind = { [K in PenaltyKind]: (typeof PENALTIES)[K]['prox'] extends null ? never : K }[PenaltyKind];

/** Penalties that are non-smooth and get a proximal step under `--solver prox`. */
export function isProximal(kind: PenaltyKind): kind is ProxKind {
  return PENALTIES[kind].prox !== null;
}

export type { ProxStep } from './def';
