/**
 * Evaluating the small integer subgraphs exporters write to compute shapes and pads (torch's
 * ZeroPad2d: ConstantOfShape, Concat, Reshape, Slice, Transpose, Cast; x.view(x.size(0), -1):
 * Shape, Gather, Unsqueeze, Concat) from constants and the batch size, so the walk sees a constant
 * Pad or Reshape. The batch dimension is the value BATCH; an unknown value makes the result null.
 */
import { attr, attrInt, attrInts, tensorValues, type Const, type GraphIndex, type Node } from './onnx-graph';

/** Stands for the (symbolic) batch size in a folded shape. */
export const BATCH = -7_777_777;

const size = (dims: readonly number[]): number => dims.reduce((a, b) => a * b, 1);

/** Row-major strides of `dims`. */
function strides(dims: readonly number[]): number[] {
  const s = new Array<number>(dims.length).fill(1);
  for (let i = dims.length - 2; i >= 0; i--) s[i] = s[i + 1] * dims[i + 1];
  return s;
}

function transpose(c: Const, perm: number[]): Const {
  const dims = perm.map((p) => c.dims[p]);
  const src = strides(c.dims);
  const out = new Float64Array(c.values.length);
  const idx = new Array<number>(dims.length).fill(0);
  for (let k = 0; k < out.length; k++) {
    let off = 0;
    for (let a = 0; a < dims.length; a++) off += idx[a] * src[perm[a]];
    out[k] = c.values[off];
    for (let a = dims.length - 1; a >= 0; a--) {
      if (++idx[a] < dims[a]) break;
      idx[a] = 0;
    }
  }
  return { dims, values: out };
}

function slice(c: Const, starts: number[], ends: number[], axes: number[], steps: number[]): Const {
  const r = c.dims.length;
  const lo = new Array<number>(r).fill(0);
  const step = new Array<number>(r).fill(1);
  const count = [...c.dims];
  axes.forEach((a0, k) => {
    const a = a0 < 0 ? a0 + r : a0;
    const n = c.dims[a];
    const st = steps[k] ?? 1;
    const clampS = (v: number) => (v < 0 ? v + n : v);
    let s = clampS(starts[k]);
    let e = ends[k] > 1e15 ? n : ends[k] < -1e15 ? -1 : clampS(ends[k]);
    if (st > 0) {
      s = Math.min(Math.max(s, 0), n);
      e = Math.min(Math.max(e, 0), n);
      count[a] = Math.max(0, Math.ceil((e - s) / st));
    } else {
      s = Math.min(Math.max(s, -1), n - 1);
      e = Math.min(Math.max(e, -1), n - 1);
      count[a] = Math.max(0, Math.ceil((s - e) / -st));
    }
    lo[a] = s;
    step[a] = st;
  });
  const src = strides(c.dims);
  const out = new Float64Array(size(count));
  const idx = new Array<number>(r).fill(0);
  for (let k = 0; k < out.length; k++) {
    let off = 0;
    for (let a = 0; a < r; a++) off += (lo[a] + idx[a] * step[a]) * src[a];
    out[k] = c.values[off];
    for (let a = r - 1; a >= 0; a--) {
      if (++idx[a] < count[a]) break;
      idx[a] = 0;
    }
  }
  return { dims: count, values: out };
}

/**
 * The value of tensor `name`: a constant, or a fold of the ops above over constants and Shape of a
 * tensor whose shape `shapeOf` knows. Nodes folded are marked used. Null when it cannot be folded.
 */
export function foldTensor(
  g: GraphIndex,
  producers: Map<string, Node>,
  shapeOf: (t: string) => number[] | null,
  name: string,
): Const | null {
  const k = g.konst(name);
  if (k) return k;
  const n = producers.get(name);
  if (!n) return null;
  const ins = n.input ?? [];
  const arg = (i: number): Const | null => (ins[i] ? foldTensor(g, producers, shapeOf, ins[i]) : null);
  const ints = (i: number): number[] | null => {
    const c = arg(i);
    return c ? Array.from(c.values) : null;
  };
  let out: Const | null = null;
  switch (n.opType) {
    case 'Shape': {
      const s = shapeOf(ins[0]);
      if (s && attr(n, 'start') === undefined && attr(n, 'end') === undefined)
        out = { dims: [s.length + 1], values: Float64Array.from([BATCH, ...s]) };
      break;
    }
    case 'Identity':
    case 'Cast':
      out = arg(0);
      break;
    case 'Gather': {
      const d = arg(0);
      const i = arg(1);
      if (d && i && d.dims.length === 1 && attrInt(n, 'axis', 0) === 0) {
        out = { dims: i.dims, values: i.values.map((v) => d.values[v < 0 ? v + d.values.length : v]) };
      }
      break;
    }
    case 'Unsqueeze':
    case 'Squeeze': {
      const d = arg(0);
      if (d) out = { dims: d.values.length === 1 && n.opType === 'Unsqueeze' ? [1] : [d.values.length], values: d.values };
      break;
    }
    case 'Concat': {
      const parts = ins.map((_, i) => arg(i));
      if (parts.every((p): p is Const => p !== null && p.dims.length <= 1) && attrInt(n, 'axis', 0) === 0) {
        const values = Float64Array.from(parts.flatMap((p) => Array.from(p.values)));
        out = { dims: [values.length], values };
      }
      break;
    }
    case 'ConstantOfShape': {
      const d = ints(0);
      const v = attr(n, 'value')?.t;
      if (d && d.every((x) => x >= 0)) {
        const fill = v ? (tensorValues(v)[0] ?? 0) : 0;
        out = { dims: d, values: new Float64Array(size(d)).fill(fill) };
      }
      break;
    }
    case 'Reshape': {
      const d = arg(0);
      const s = ints(1);
      if (d && s) {
        const dims = s.map((x, i) => (x === 0 ? d.dims[i] : x));
        const known = size(dims.filter((x) => x !== -1));
        out = { dims: dims.map((x) => (x === -1 ? d.values.length / known : x)), values: d.values };
      }
      break;
    }
    case 'Transpose': {
      const d = arg(0);
      const perm = attrInts(n, 'perm', null);
      if (d) out = transpose(d, perm ?? d.dims.map((_, i) => d.dims.length - 1 - i));
      break;
    }
    case 'Slice': {
      const d = arg(0);
      const starts = ints(1);
      const ends = ints(2);
      if (d && starts && ends) {
        const axes = ins[3] ? ints(3) : starts.map((_, i) => i);
        const steps = ins[4] ? ints(4) : starts.map(() => 1);
        if (axes && steps) out = slice(d, starts, ends, axes, steps);
      }
      break;
    }
    default:
      out = null;
  }
  if (out) g.used.add(n);
  return out;
}
