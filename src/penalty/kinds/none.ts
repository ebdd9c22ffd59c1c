/** No penalty: R = 0. */
import type { PenaltyDef } from '../def';

export const none = {
  name: 'none',
  help: 'no penalty',
  value: () => 0,
  gradient: () => undefined,
  prox: null,
  wasmKernel: null,
  keptInFinetune: false,
} satisfies PenaltyDef;
