/**
 * A layer's activation in training: applied to the pre-activation (kept for the backward pass), and
 * the gradient taken back through it.
 */
import { activationDerivative, type Activation } from '../../../network/activations';
import { activateInPlace } from '../../../network/layers/activate';
import { toFloat64, type WasmRelu } from '../../fused/wasm-instance';

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

/** A WebAssembly kernel's output after its activation: y for the next layer, z for the backward pass. */
export interface WasmActivated {
  y: Float64Array;
  /** The pre-activation (float64), or y when the ReLU ran in the instance. */
  z: Float64Array;
  /** Whether the ReLU ran in the instance (its backward then masks there too). */
  relu: boolean;
}

/**
 * The first m values of a kernel's float32 output `out` (in its instance) after activation `a`
 * (null: none), as float64 in the engine's buffers zBuf / yBuf: a ReLU runs in the instance
 * (assembly/relu.ts), any other activation in TypeScript on the float64 copy.
 */
export function wasmActivate(
  relu: WasmRelu,
  out: Float32Array,
  m: number,
  a: Activation | null,
  zBuf: Float64Array,
  yBuf: Float64Array,
): WasmActivated {
  if (a?.name === 'relu') {
    relu.forward(out, m);
    const y = toFloat64(yBuf, out, m);
    return { y, z: y, relu: true };
  }
  const z = toFloat64(zBuf, out, m);
  return { y: activate(z, a, yBuf), z, relu: false };
}

/** Writes dL/dz of the first m values into the kernel's float32 gradient buffer `into` (see wasmActivate). */
export function wasmActivationBackward(
  relu: WasmRelu,
  dy: Float64Array,
  m: number,
  a: Activation | null,
  done: WasmActivated,
  out: Float32Array,
  into: Float32Array,
  dzBuf: Float64Array,
): void {
  if (done.relu) {
    into.set(dy.subarray(0, m));
    relu.backward(into, out, m);
  } else into.set(activationBackward(dy, done.z, a, dzBuf).subarray(0, m));
}
