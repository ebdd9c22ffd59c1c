/**
 * A layer's activation in training: applied to the pre-activation (kept for the backward pass), and
 * the gradient taken back through it.
 */
import { activationDerivative, type Activation } from '../../../network/activations';
import { activateInPlace } from '../../../network/layers/activate';

/** act(z) as a new array, or into `out` (z itself when there is no activation). */
export function activate(z: Float64Array, a: Activation | null, out?: Float64Array): Float64Array {
  if (a === null) return z;
  const y = out ? out.subarray(0, z.length) : z.slice();
  if (out) y.set(z);
  activateInPlace(y, a);
  return y;
}

/** dL/dz = dL/dy * act'(z) as a new array, or into `out` (dy itself when there is no activation). */
export function activationBackward(dy: Float64Array, z: Float64Array, a: Activation | null, out?: Float64Array): Float64Array {
  if (a === null) return dy;
  const dz = out ? out.subarray(0, dy.length) : new Float64Array(dy.length);
  if (a.name === 'relu') {
    for (let i = 0; i < dy.length; i++) dz[i] = z[i] > 0 ? dy[i] : 0;
    return dz;
  }
  const d = activationDerivative(a);
  for (let i = 0; i < dy.length; i++) dz[i] = dy[i] * d(z[i]);
  return dz;
}
