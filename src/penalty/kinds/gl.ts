/**
 * gl (group lasso): R = sum_rows sqrt(outSize) * ||kernel row||_2 + sum |b|. A kernel row (one
 * input unit's outgoing weights) is one group; every bias element is its own group of size 1.
 * Prox: each row shrunk as a group (exactly, also with a per-coordinate step), the bias
 * soft-thresholded.
 */
import { addGroupGradient, addSign, groupNormSum, groupShrinkRows, softThreshold, sumAbs } from '../prox-ops';
import type { PenaltyDef } from '../table';

export const gl = {
  name: 'gl',
  help: "group lasso: one group per input unit's outgoing weights, sqrt(group size) weighted, each bias its own group",
  value: (kernel, bias, inSize, outSize) => groupNormSum(kernel, inSize, outSize) + sumAbs(bias, outSize),
  gradient: (kernel, bias, inSize, outSize, lambda, gKernel, gBias) => {
    addSign(gBias, bias, lambda, outSize);
    addGroupGradient(kernel, inSize, outSize, lambda, gKernel);
  },
  prox: (kernel, bias, inSize, outSize, lambda, hKernel, hBias) => {
    softThreshold(bias, outSize, lambda, hBias);
    groupShrinkRows(kernel, inSize, outSize, lambda, hKernel);
  },
  wasmKernel: 2,
  keptInFinetune: false,
} satisfies PenaltyDef;
