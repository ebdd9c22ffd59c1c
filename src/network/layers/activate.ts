/**
 * The activation a layer type applies after itself when it is hidden, in place on its float64
 * output, and its value on one number (for constants that pruning folds). Shared by the layer types
 * whose activation is optional (convolution, batch norm: null = linear, batch norm carries the ReLU).
 */
import { activationFn, type Activation } from '../activations';

/** Applies `a` to every value of `y` in place (nothing for null). */
export function activateInPlace(y: Float64Array, a: Activation | null): void {
  if (a === null) return;
  if (a.name === 'relu') {
    for (let i = 0; i < y.length; i++) if (y[i] < 0) y[i] = 0;
    return;
  }
  const f = activationFn(a);
  for (let i = 0; i < y.length; i++) y[i] = f(y[i]);
}

/** `a` of one value (v itself for null). */
export function activateValue(v: number, a: Activation | null): number {
  return a === null ? v : activationFn(a)(v);
}

export const size = (s: readonly number[]): number => s.reduce((p, v) => p * v, 1);
