/** l2 (weight decay): R = sum w^2 + sum b^2; smooth, so its gradient joins the loss under either solver. */
import { addScaled, sumSquares } from '../prox-ops';
import type { PenaltyDef } from '../def';

export const l2 = {
  name: 'l2',
  help: 'weight decay, lambda*sum w^2',
  value: (p) => sumSquares(p.w) + sumSquares(p.b),
  gradient: (p, lambda, g) => {
    addScaled(g.w, p.w, 2 * lambda);
    addScaled(g.b, p.b, 2 * lambda);
  },
  prox: null,
  wasmKernel: null,
  keptInFinetune: true,
} satisfies PenaltyDef;
