/**
 * sgl (sparse group lasso): R = gl + l1. Prox: the l1 prox then the gl prox (their composition
 * is the exact prox of the sum, also with a diagonal step); the bias, a group of size 1 in both,
 * is thus soft-thresholded by 2*lambda*h_i.
 */
import { addGroupGradient, addSign, groupNormSum, groupShrinkRows, softThreshold, sumAbs } from '../prox-ops';
import type { PenaltyDef } from '../table';

export const sgl = {
  name: 'sgl',
  help: 'sparse group lasso = gl + l1',
  value: (kernel, bias, inSize, outSize) =>
    sumAbs(kernel, inSize * outSize) + groupNormSum(kernel, inSize, outSize) + 2 * sumAbs(bias, outSize),
  gradient: (kernel, bias, inSize, outSize, lambda, gKernel, gBias) => {
    addSign(gBias, bias, 2 * lambda, outSize);
    addSign(gKernel, kernel, lambda, inSize * outSize);
    addGroupGradient(kernel, inSize, outSize, lambda, gKernel);
  },
  prox: (kernel, bias, inSize, outSize, lambda, hKernel, hBias) => {
    softThreshold(bias, outSize, 2 * lambda, hBias);
    softThreshold(kernel, inSize * outSize, lambda, hKernel);
    groupShrinkRows(kernel, inSize, outSize, lambda, hKernel);
  },
  wasmKernel: 3,
  keptInFinetune: false,
} satisfies PenaltyDef;
