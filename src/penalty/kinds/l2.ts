/** l2 (weight decay): R = sum w^2 + sum b^2; smooth, so its gradient joins the loss under either solver. */
import { addScaled, sumSquares } from '../prox-ops';
import type { PenaltyDef } from '../table';

export const l2 = {
  name: 'l2',
  help: 'weight decay, lambda*sum w^2',
  value: (kernel, bias, inSize, outSize) => sumSquares(kernel, inSize * outSize) + sumSquares(bias, outSize),
  gradient: (kernel, bias, inSize, outSize, lambda, gKernel, gBias) => {
    addScaled(gKernel, kernel, 2 * lambda, inSize * outSize);
    addScaled(gBias, bias, 2 * lambda, outSize);
  },
  prox: null,
  wasmKernel: null,
  keptInFinetune: true,
} satisfies PenaltyDef;
