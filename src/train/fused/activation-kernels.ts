/**
 * The TypeScript kernels' activation steps for hidden layers other than ReLU (ReLU stays fused
 * into forwardRow and backpropDelta, where exact zeros are skipped): applying the activation to a
 * block of pre-activations while keeping them, and back-propagating a delta through a kernel and
 * the activation's derivative at those pre-activations. Functions come from network/activations.ts.
 */
import { activationDerivative, activationFn, type Activation } from '../../network/activations';

/** pre[from..from+count) = out[...]; out[...] = act(out[...]). */
export function activateBlock(a: Activation, out: Float64Array, pre: Float64Array, from: number, count: number): void {
  if (a.name === 'identity') {
    pre.set(out.subarray(from, from + count), from);
    return;
  }
  const f = activationFn(a);
  for (let i = from; i < from + count; i++) {
    const x = out[i];
    pre[i] = x;
    out[i] = f(x);
  }
}

/** dPrev[r,i] = act'(pre[r,i]) * (W[i,:] . delta[r,:]) for every unit (no zero skipping). */
export function backpropDeltaThrough(
  a: Activation,
  pre: Float64Array,
  n: number,
  inS: number,
  W: Float32Array,
  outS: number,
  delta: Float64Array,
  dPrev: Float64Array,
): void {
  const d1 = activationDerivative(a);
  for (let r = 0; r < n; r++) {
    const d = r * outS;
    const io = r * inS;
    for (let i = 0; i < inS; i++) {
      const k = i * outS;
      let s = 0;
      for (let j = 0; j < outS; j++) s += W[k + j] * delta[d + j];
      dPrev[io + i] = s * d1(pre[io + i]);
    }
  }
}
