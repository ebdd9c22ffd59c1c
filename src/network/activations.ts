/**
 * The activation table: every hidden-layer activation gs-compress knows, in one place. Each entry
 * gives the function and its derivative (float64, used by the reference forward pass, pruning and
 * the TypeScript kernels), the id of its AssemblyScript kernel (assembly/pass.ts), its name in a
 * tfjs/Keras LayersModel and its ONNX node form. Everything else (engines, export, import, save/load)
 * looks activations up here; adding one is an entry here, its kernel id in assembly/pass.ts and a test.
 *
 * GELU is the exact (erf) form, x * Phi(x), as torch.nn.GELU() and ONNX's Erf-based pattern compute it.
 * ReLU6 is min(max(x, 0), 6) (torch.nn.ReLU6, ONNX Clip(0, 6)); its derivative is 1 strictly inside (0, 6), as torch's.
 * SiLU (swish) is x * sigmoid(x) (torch.nn.SiLU, written to ONNX as Sigmoid and Mul; Keras 'swish' / 'silu').
 */
import { GsError } from '../errors';

export type ActivationName = 'relu' | 'leaky_relu' | 'tanh' | 'sigmoid' | 'gelu' | 'relu6' | 'silu' | 'identity';

/** A layer's activation: a table name plus its parameter (leaky_relu's negative slope alpha). */
export interface Activation {
  name: ActivationName;
  /** leaky_relu only: slope for negative inputs (default 0.01, as torch and ONNX). */
  alpha?: number;
}

/** How an activation appears in ONNX: one node with optional float attributes (or, for Clip, its
 * bounds as inputs min and max, opset >= 11), the Erf-based GELU subgraph, SiLU's x * Sigmoid(x), or
 * nothing (identity). */
export type OnnxActivationForm = { op: string; alphaAttr?: boolean; clip?: readonly [number, number] } | 'gelu-erf' | 'silu-mul' | null;

export interface ActivationDef {
  name: ActivationName;
  /** Kernel id in assembly/pass.ts (ACT_* constants there) and the TypeScript kernels. */
  kernelId: number;
  forward(x: number, alpha: number): number;
  /** d act / d x at pre-activation x. */
  derivative(x: number, alpha: number): number;
  /** Keras / tfjs activation string of a Dense layer; null when tfjs needs a separate layer (LeakyReLU). */
  tfjs: string | null;
  /** Other Keras / tfjs activation strings an importer reads as this one, with the parameter they imply
   * (Keras 3's activation 'leaky_relu' has slope 0.2). */
  tfjsImport?: readonly { name: string; alpha?: number }[];
  onnx: OnnxActivationForm;
  /** Other single ONNX ops an importer reads as this one (the exporter writes `onnx`). */
  onnxImport?: readonly string[];
  /** Never negative (relu, relu6): zero padding before a max pooling then never wins. */
  nonNegative?: boolean;
}

export const DEFAULT_LEAKY_ALPHA = 0.01;

/** erf(x) to about 1e-15 (series near 0, Lentz continued fraction for erfc beyond). */
export function erf(x: number): number {
  const ax = Math.abs(x);
  if (ax < 2.5) {
    // Maclaurin series: 2/sqrt(pi) * sum (-1)^n x^(2n+1) / (n! (2n+1))
    let term = ax;
    let sum = ax;
    const x2 = ax * ax;
    for (let n = 1; n < 60; n++) {
      term *= -x2 / n;
      const add = term / (2 * n + 1);
      sum += add;
      if (Math.abs(add) < 1e-17 * Math.abs(sum)) break;
    }
    const r = (2 / Math.sqrt(Math.PI)) * sum;
    return x < 0 ? -r : r;
  }
  if (ax > 6) return x < 0 ? -1 : 1;
  // erfc(x) = exp(-x^2)/sqrt(pi) * 1/(x + 1/2/(x + 1/(x + 3/2/(x + ...)))), modified Lentz
  const tiny = 1e-300;
  let f = ax;
  let C = ax;
  let D = 0;
  for (let n = 1; n < 200; n++) {
    const a = n / 2;
    D = ax + a * D;
    D = D === 0 ? tiny : 1 / D;
    C = ax + a / C;
    if (C === 0) C = tiny;
    const delta = C * D;
    f *= delta;
    if (Math.abs(delta - 1) < 1e-16) break;
  }
  const erfc = Math.exp(-ax * ax) / Math.sqrt(Math.PI) / f;
  return x < 0 ? erfc - 1 : 1 - erfc;
}

const SQRT1_2 = Math.SQRT1_2;
const INV_SQRT_2PI = 1 / Math.sqrt(2 * Math.PI);
const sigmoid = (x: number): number => (x >= 0 ? 1 / (1 + Math.exp(-x)) : Math.exp(x) / (1 + Math.exp(x)));

export const ACTIVATIONS: Record<ActivationName, ActivationDef> = {
  relu: {
    name: 'relu',
    kernelId: 0,
    forward: (x) => (x < 0 ? 0 : x),
    derivative: (x) => (x > 0 ? 1 : 0),
    tfjs: 'relu',
    onnx: { op: 'Relu' },
    nonNegative: true,
  },
  leaky_relu: {
    name: 'leaky_relu',
    kernelId: 1,
    forward: (x, a) => (x < 0 ? a * x : x),
    derivative: (x, a) => (x > 0 ? 1 : a),
    tfjs: null,
    tfjsImport: [{ name: 'leaky_relu', alpha: 0.2 }],
    onnx: { op: 'LeakyRelu', alphaAttr: true },
  },
  tanh: {
    name: 'tanh',
    kernelId: 2,
    forward: (x) => Math.tanh(x),
    derivative: (x) => {
      const t = Math.tanh(x);
      return 1 - t * t;
    },
    tfjs: 'tanh',
    onnx: { op: 'Tanh' },
  },
  sigmoid: {
    name: 'sigmoid',
    kernelId: 3,
    forward: sigmoid,
    derivative: (x) => {
      const s = sigmoid(x);
      return s * (1 - s);
    },
    tfjs: 'sigmoid',
    onnx: { op: 'Sigmoid' },
  },
  gelu: {
    name: 'gelu',
    kernelId: 4,
    forward: (x) => 0.5 * x * (1 + erf(x * SQRT1_2)),
    derivative: (x) => 0.5 * (1 + erf(x * SQRT1_2)) + x * INV_SQRT_2PI * Math.exp(-0.5 * x * x),
    tfjs: 'gelu',
    onnx: 'gelu-erf',
    onnxImport: ['Gelu'],
  },
  relu6: {
    name: 'relu6',
    kernelId: 6,
    forward: (x) => (x < 0 ? 0 : x > 6 ? 6 : x),
    derivative: (x) => (x > 0 && x < 6 ? 1 : 0),
    tfjs: 'relu6',
    onnx: { op: 'Clip', clip: [0, 6] },
    nonNegative: true,
  },
  silu: {
    name: 'silu',
    kernelId: 7,
    forward: (x) => x * sigmoid(x),
    derivative: (x) => {
      const s = sigmoid(x);
      return s * (1 + x * (1 - s));
    },
    tfjs: 'swish',
    tfjsImport: [{ name: 'silu' }],
    onnx: 'silu-mul',
  },
  identity: {
    name: 'identity',
    kernelId: 5,
    forward: (x) => x,
    derivative: () => 1,
    tfjs: 'linear',
    onnx: null,
  },
};

export const ACTIVATION_NAMES = Object.keys(ACTIVATIONS) as ActivationName[];

export const RELU: Activation = { name: 'relu' };

/** The activation of hidden layer `layer` (absent = relu, the default of networks saved before activations existed). */
export function activationOf(layer: { activation?: Activation }): Activation {
  return layer.activation ?? RELU;
}

/** leaky_relu's alpha (its default when absent); 0 for the others. */
export function alphaOf(a: Activation): number {
  return a.name === 'leaky_relu' ? (a.alpha ?? DEFAULT_LEAKY_ALPHA) : 0;
}

/** The table entry of an activation; an activation the table does not know is an error, never the identity. */
export function activationDef(a: Activation): ActivationDef {
  const def = (ACTIVATIONS as Partial<Record<string, ActivationDef>>)[a.name];
  if (!def) throw new GsError('BAD_MODEL', `unknown activation ${JSON.stringify(a.name)}; expected one of ${ACTIVATION_NAMES.join(', ')}`);
  return def;
}

/** The activation a single ONNX node of type `op` computes (its table form, or one an importer also reads), or null.
 * `alphaAttr` says the node carries the activation's parameter as its `alpha` attribute; for Clip, `clip` gives
 * the bounds the table's entry needs (the importer checks the node's and refuses other ranges). */
export function activationOfOnnxOp(op: string): { def: ActivationDef; alphaAttr: boolean; clip?: readonly [number, number] } | null {
  for (const def of Object.values(ACTIVATIONS)) {
    const form = def.onnx;
    if (form !== null && typeof form === 'object' && form.op === op)
      return { def, alphaAttr: form.alphaAttr === true, ...(form.clip ? { clip: form.clip } : {}) };
    if (def.onnxImport?.includes(op)) return { def, alphaAttr: false };
  }
  return null;
}

/** True when `a`'s outputs are never negative (relu, relu6). */
export function isNonNegative(a: Activation | null | undefined): boolean {
  return a !== null && a !== undefined && ACTIVATIONS[a.name]?.nonNegative === true;
}

/** The ONNX ops an importer reads as activations (for its list of supported ops). */
export function onnxActivationOps(): string[] {
  return Object.values(ACTIVATIONS).flatMap((d) => [
    ...(d.onnx !== null && typeof d.onnx === 'object' ? [d.onnx.op] : []),
    ...(d.onnxImport ?? []),
  ]);
}

/** A scalar function x -> act(x) for this activation. */
export function activationFn(a: Activation): (x: number) => number {
  const def = activationDef(a);
  const alpha = alphaOf(a);
  return (x) => def.forward(x, alpha);
}

/** d act/dx as a scalar function of the pre-activation. */
export function activationDerivative(a: Activation): (x: number) => number {
  const def = activationDef(a);
  const alpha = alphaOf(a);
  return (x) => def.derivative(x, alpha);
}

export function isRelu(a: Activation | undefined): boolean {
  return a === undefined || a.name === 'relu';
}

/** Checks a user- or file-given activation; `where` names the option, file or layer for the message. */
export function parseActivation(value: unknown, where: string): Activation {
  if (value === undefined || value === null) return RELU;
  let name: unknown = value;
  let alpha: unknown;
  if (typeof value === 'object') {
    name = (value as { name?: unknown }).name;
    alpha = (value as { alpha?: unknown }).alpha;
  } else if (typeof value === 'string') {
    // 'leaky_relu:0.2' or 'leaky-relu' forms from the command line
    const [n, a] = value.split(':');
    name = n.replace(/-/g, '_').toLowerCase();
    if (a !== undefined) alpha = Number(a);
    if (name === 'leakyrelu') name = 'leaky_relu';
    if (name === 'linear') name = 'identity';
  }
  if (typeof name !== 'string' || !(name in ACTIVATIONS)) {
    throw new GsError(
      'BAD_OPTION',
      `${where}: unknown activation ${JSON.stringify(value)}; expected one of ${ACTIVATION_NAMES.join(', ')}`,
    );
  }
  const act: Activation = { name: name as ActivationName };
  if (alpha !== undefined) {
    if (name !== 'leaky_relu')
      throw new GsError('BAD_OPTION', `${where}: only leaky_relu takes a parameter (got ${JSON.stringify(value)})`);
    if (typeof alpha !== 'number' || !Number.isFinite(alpha)) {
      throw new GsError('BAD_OPTION', `${where}: leaky_relu alpha must be a finite number (got ${JSON.stringify(value)})`);
    }
    act.alpha = alpha;
  }
  return act;
}

/** Short text form, e.g. 'relu' or 'leaky_relu:0.2'. */
export function activationLabel(a: Activation): string {
  return a.name === 'leaky_relu' && a.alpha !== undefined ? `leaky_relu:${a.alpha}` : a.name;
}
