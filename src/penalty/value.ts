/**
 * Penalty values: R of one layer's parts and lambda * sum over layers R for a network, from the
 * penalty table (./table.ts) over each layer type's groups (./groups.ts). Sums are in float64.
 */
import type { AnyLayer } from '../network/types';
import { denseParts, partsOf } from './groups';
import { PENALTIES } from './table';
import type { PenaltyKind } from './types';

/** R of a dense layer's buffers (without lambda). Groups: kernel rows (weight sqrt(outSize)) and bias elements. */
export function layerRegularizer(kernel: Float32Array, bias: Float32Array, inSize: number, outSize: number, kind: PenaltyKind): number {
  return PENALTIES[kind].value(denseParts(kernel, bias, inSize, outSize));
}

/** lambda * sum over layers of R (0 for 'none'); layers without weights add nothing. */
export function penaltyValue(layers: readonly AnyLayer[], kind: PenaltyKind, lambda: number): number {
  if (lambda === 0) return 0;
  const def = PENALTIES[kind];
  let r = 0;
  for (const l of layers) {
    const p = partsOf(l);
    if (p) r += def.value(p);
  }
  return lambda * r;
}
