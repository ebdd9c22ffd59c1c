/**
 * The ONNX nodes of an activation (its form in the activation table, network/activations.ts),
 * for every layer type that applies one after itself.
 */
import { ACTIVATIONS, alphaOf, type Activation } from '../activations';
import type { OnnxBuilder, OnnxSite } from './onnx-builder';

/** Nodes of `a` after `input`; returns the activated tensor's name (`${prefix}.${name}`, or input for identity). */
export function activationOnnx(a: Activation, input: string, prefix: string, b: OnnxBuilder): string {
  const form = ACTIVATIONS[a.name].onnx;
  if (form === null) return input;
  const out = `${prefix}.${a.name}`;
  if (form === 'gelu-erf') {
    // 0.5 * x * (1 + erf(x / sqrt 2)), the pattern torch.onnx.export writes for nn.GELU() below opset 20
    const sqrt2 = b.floats(`${prefix}.sqrt2`, [], Float32Array.of(Math.SQRT2));
    const one = b.floats(`${prefix}.one`, [], Float32Array.of(1));
    const half = b.floats(`${prefix}.half`, [], Float32Array.of(0.5));
    b.node('Div', [input, sqrt2], [`${prefix}.gelu_scaled`], `${prefix}.gelu_div`);
    b.node('Erf', [`${prefix}.gelu_scaled`], [`${prefix}.gelu_erf`], `${prefix}.gelu_erf`);
    b.node('Add', [`${prefix}.gelu_erf`, one], [`${prefix}.gelu_sum`], `${prefix}.gelu_add`);
    b.node('Mul', [input, `${prefix}.gelu_sum`], [`${prefix}.gelu_prod`], `${prefix}.gelu_mul`);
    b.node('Mul', [`${prefix}.gelu_prod`, half], [out], `${prefix}.gelu_half`);
    return out;
  }
  if (form === 'silu-mul') {
    // x * sigmoid(x), as torch.onnx.export writes nn.SiLU()
    b.node('Sigmoid', [input], [`${prefix}.silu_gate`], `${prefix}.silu_sigmoid`);
    b.node('Mul', [input, `${prefix}.silu_gate`], [out], `${prefix}.silu_mul`);
    return out;
  }
  if (form.clip) {
    // Clip's bounds are inputs from opset 11 on (we write opset 17)
    const lo = b.floats(`${prefix}.clip_min`, [], Float32Array.of(form.clip[0]));
    const hi = b.floats(`${prefix}.clip_max`, [], Float32Array.of(form.clip[1]));
    b.node(form.op, [input, lo, hi], [out], out);
    return out;
  }
  b.node(form.op, [input], [out], out, form.alphaAttr ? { floats: { alpha: alphaOf(a) } } : undefined);
  return out;
}

/**
 * A layer's ONNX tail when it is hidden or the network's last: `write(name)` adds the layer's own
 * node with output `name` (site.output when no activation follows and one is asked for, else
 * `${prefix}.${tag}`), then its activation `act` (null: none), then an Identity to site.output when the
 * activation's output is not already it. Returns the layer's output name.
 */
export function nodeThenActivation(
  site: OnnxSite,
  act: Activation | null,
  tag: string,
  b: OnnxBuilder,
  write: (out: string) => void,
): string {
  const main = act === null && site.output !== undefined ? site.output : `${site.prefix}.${tag}`;
  write(main);
  const out = act === null ? main : activationOnnx(act, main, site.prefix, b);
  if (site.output === undefined || site.output === out) return out;
  b.node('Identity', [out], [site.output], `${site.prefix}.output`);
  return site.output;
}
