/**
 * gl (group lasso): R = sum_groups sqrt(group size) * ||group||_2 + sum |b|. A group is one
 * channel's view of the weights (a dense input unit's kernel row; see ../groups.ts); every bias
 * element is its own group of size 1. Prox: each group shrunk as a whole (exactly, also with a
 * per-coordinate step), the bias soft-thresholded.
 */
import { addGroupGradient, addSign, groupNormSum, groupShrink, softThreshold, sumAbs } from '../prox-ops';
import type { PenaltyDef } from '../def';

export const gl = {
  name: 'gl',
  help: "group lasso: one group per input unit's (channel's) outgoing weights, sqrt(group size) weighted, each bias its own group",
  value: (p) => groupNormSum(p.w, p.groups) + sumAbs(p.b),
  gradient: (p, lambda, g) => {
    addSign(g.b, p.b, lambda);
    addGroupGradient(p.w, p.groups, lambda, g.w);
  },
  prox: (p, lambda, hw, hb) => {
    softThreshold(p.b, p.b.length, lambda, hb);
    groupShrink(p.w, p.groups, lambda, hw);
  },
  wasmKernel: 2,
  keptInFinetune: false,
} satisfies PenaltyDef;
