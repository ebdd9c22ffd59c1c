/**
 * Penalty values: R for one layer and lambda * sum over layers R for a network, from the penalty
 * table (./table.ts). Sums are accumulated in float64.
 */
import type { DenseLayer } from '../network/types';
import { PENALTIES } from './table';
import type { PenaltyKind } from './types';

/** R of one layer (without lambda). Groups: kernel rows (weight sqrt(outSize)) and bias elements. */
export function layerRegularizer(kernel: Float32Array, bias: Float32Array, inSize: number, outSize: number, kind: PenaltyKind): number {
  return PENALTIES[kind].value(kernel, bias, inSize, outSize);
}

/** lambda * sum over layers of R (0 for 'none'). */
export function penaltyValue(layers: readonly DenseLayer[], kind: PenaltyKind, lambda: number): number {
  if (lambda === 0) return 0;
  const def = PENALTIES[kind];
  let r = 0;
  for (const l of layers) r += def.value(l.kernel, l.bias, l.inSize, l.outSize);
  return lambda * r;
}
