/** l1 (lasso): R = sum |w| + sum |b|; prox: elementwise soft-threshold by lambda*h_i. */
import { addSign, softThreshold, sumAbs } from '../prox-ops';
import type { PenaltyDef } from '../table';

export const l1 = {
  name: 'l1',
  help: 'lasso, lambda*sum |w|',
  value: (kernel, bias, inSize, outSize) => sumAbs(kernel, inSize * outSize) + sumAbs(bias, outSize),
  gradient: (kernel, bias, inSize, outSize, lambda, gKernel, gBias) => {
    addSign(gBias, bias, lambda, outSize);
    addSign(gKernel, kernel, lambda, inSize * outSize);
  },
  prox: (kernel, bias, inSize, outSize, lambda, hKernel, hBias) => {
    softThreshold(bias, outSize, lambda, hBias);
    softThreshold(kernel, inSize * outSize, lambda, hKernel);
  },
  wasmKernel: 1,
  keptInFinetune: false,
} satisfies PenaltyDef;
