/** l1 (lasso): R = sum |w| + sum |b|; prox: elementwise soft-threshold by lambda*h_i. */
import { addSign, softThreshold, sumAbs } from '../prox-ops';
import type { PenaltyDef } from '../def';

export const l1 = {
  name: 'l1',
  help: 'lasso, lambda*sum |w|',
  value: (p) => sumAbs(p.w) + sumAbs(p.b),
  gradient: (p, lambda, g) => {
    addSign(g.b, p.b, lambda);
    addSign(g.w, p.w, lambda);
  },
  prox: (p, lambda, hw, hb) => {
    softThreshold(p.b, p.b.length, lambda, hb);
    softThreshold(p.w, p.w.length, lambda, hw);
  },
  wasmKernel: 1,
  keptInFinetune: false,
} satisfies PenaltyDef;
