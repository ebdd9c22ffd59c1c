/**
 * sgl (sparse group lasso): R = gl + l1. Prox: the l1 prox then the gl prox (their composition
 * is the exact prox of the sum, also with a diagonal step); the bias, a group of size 1 in both,
 * is thus soft-thresholded by 2*lambda*h_i.
 */
import { addGroupGradient, addSign, groupNormSum, groupShrink, softThreshold, sumAbs } from '../prox-ops';
import type { PenaltyDef } from '../def';

export const sgl = {
  name: 'sgl',
  help: 'sparse group lasso = gl + l1',
  value: (p) => sumAbs(p.w) + groupNormSum(p.w, p.groups) + 2 * sumAbs(p.b),
  gradient: (p, lambda, g) => {
    addSign(g.b, p.b, 2 * lambda);
    addSign(g.w, p.w, lambda);
    addGroupGradient(p.w, p.groups, lambda, g.w);
  },
  prox: (p, lambda, hw, hb) => {
    softThreshold(p.b, p.b.length, 2 * lambda, hb);
    softThreshold(p.w, p.w.length, lambda, hw);
    groupShrink(p.w, p.groups, lambda, hw);
  },
  wasmKernel: 3,
  keptInFinetune: false,
} satisfies PenaltyDef;
