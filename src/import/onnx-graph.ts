/**
 * Reading values out of an ONNX graph for the importers: node attributes, constant tensors
 * (initializers and Constant nodes) as float64, in the file's layout.
 */
import { type Int64Like, onnx, toNum } from '../codec/onnx-proto';
import { activationOfOnnxOp, DEFAULT_LEAKY_ALPHA, type Activation } from '../network/activations';
import type { Origin } from './types';

export interface Const {
  dims: number[];
  values: Float64Array;
}

export type Node = onnx.INodeProto;

export function attr(n: Node, name: string): onnx.IAttributeProto | undefined {
  return (n.attribute ?? []).find((a) => a.name === name);
}
export function attrInt(n: Node, name: string, dflt: number): number {
  const a = attr(n, name);
  return a ? toNum(a.i as Int64Like) : dflt;
}
export function attrFloat(n: Node, name: string, dflt: number): number {
  const a = attr(n, name);
  return a && typeof a.f === 'number' ? a.f : dflt;
}

/** Float values of a decoded float tensor (raw_data or float_data). */
function floatValues(t: onnx.ITensorProto): Float32Array {
  if (t.rawData && t.rawData.length > 0) {
    const copy = new Uint8Array(t.rawData);
    return new Float32Array(copy.buffer, 0, copy.length >> 2);
  }
  return Float32Array.from(t.floatData ?? []);
}

export function tensorValues(t: onnx.ITensorProto): Float64Array {
  const type: number = t.dataType ?? 0;
  const T = onnx.TensorProto.DataType as unknown as Record<string, number>;
  if (type === T.FLOAT) return Float64Array.from(floatValues(t));
  if (type === T.DOUBLE) {
    if (t.rawData && t.rawData.length > 0) return new Float64Array(new Uint8Array(t.rawData).buffer);
    return Float64Array.from(t.doubleData ?? []);
  }
  if (type === T.INT64) {
    if (t.rawData && t.rawData.length > 0) return Float64Array.from(new BigInt64Array(new Uint8Array(t.rawData).buffer), Number);
    return Float64Array.from((t.int64Data ?? []).map((v) => toNum(v as Int64Like)));
  }
  if (type === T.INT32) return Float64Array.from(t.int32Data ?? []);
  return new Float64Array(0);
}

/** An INTS attribute as numbers, or the default when absent. */
export function attrInts(n: Node, name: string, dflt: number[] | null): number[] | null {
  const a = attr(n, name);
  return a?.ints && a.ints.length > 0 ? a.ints.map((v) => toNum(v as Int64Like)) : dflt;
}

/** A STRING attribute as text, or null. */
export function attrString(n: Node, name: string): string | null {
  const a = attr(n, name);
  return a?.s ? new TextDecoder().decode(a.s) : null;
}

/** A graph indexed for walking: its constants, the nodes reading each tensor, the nodes already taken. */
export class GraphIndex {
  readonly consts = new Map<string, Const>();
  readonly consumers = new Map<string, Node[]>();
  readonly used = new Set<Node>();

  constructor(
    readonly file: string,
    readonly graph: onnx.IGraphProto,
  ) {
    for (const t of graph.initializer ?? [])
      this.consts.set(t.name ?? '', { dims: (t.dims ?? []).map((d) => toNum(d as Int64Like)), values: tensorValues(t) });
    for (const n of graph.node ?? []) {
      if (n.opType === 'Constant') {
        const v = attr(n, 'value');
        const vf = attr(n, 'value_float');
        if (v?.t)
          this.consts.set(n.output?.[0] ?? '', { dims: (v.t.dims ?? []).map((d) => toNum(d as Int64Like)), values: tensorValues(v.t) });
        else if (vf) this.consts.set(n.output?.[0] ?? '', { dims: [], values: Float64Array.of(vf.f ?? 0) });
        this.used.add(n);
        continue;
      }
      // an Identity of a constant is that constant (torch writes them for weights several nodes share)
      const same = n.opType === 'Identity' ? this.consts.get(n.input?.[0] ?? '') : undefined;
      if (same) {
        this.consts.set(n.output?.[0] ?? '', same);
        this.used.add(n);
        continue;
      }
      for (const i of n.input ?? []) {
        if (!i) continue;
        const list = this.consumers.get(i) ?? [];
        list.push(n);
        this.consumers.set(i, list);
      }
    }
  }

  origin(n: Node): Origin {
    return { name: n.name || (n.output?.[0] ?? '?'), op: n.opType ?? '?' };
  }

  konst(name: string | undefined | null): Const | undefined {
    return name ? this.consts.get(name) : undefined;
  }

  /**
   * At a fork of the logits into the label and the probabilities (ArgMax beside one Softmax or
   * LogSoftmax, as gs-compress writes them): takes every node but the Softmax as tail and says true,
   * so the walk goes on through the Softmax; false (nothing taken) at any other fork.
   */
  takeLabelBesideSoftmax(nodes: readonly Node[], tailOps: ReadonlySet<string>): boolean {
    const soft = nodes.filter((n) => n.opType === 'Softmax' || n.opType === 'LogSoftmax');
    if (soft.length !== 1 || !nodes.every((n) => tailOps.has(n.opType ?? ''))) return false;
    for (const n of nodes) if (n !== soft[0]) this.used.add(n);
    return true;
  }

  /** The nodes reading `cur` not yet taken by the walk. */
  next(cur: string): Node[] {
    return (this.consumers.get(cur) ?? []).filter((n) => !this.used.has(n));
  }

  /** Matches 0.5 * x * (1 + erf(x / sqrt 2)) starting at x = cur; returns the output tensor or null. */
  matchGeluErf(cur: string, nodes: Node[]): string | null {
    const scaleNode = nodes.find((n) => {
      const c = (n.input ?? []).length === 2 ? this.konst((n.input ?? []).find((i) => i !== cur)) : undefined;
      if (!c || c.values.length !== 1) return false;
      return (
        (n.opType === 'Div' && Math.abs(c.values[0] - Math.SQRT2) < 1e-5) ||
        (n.opType === 'Mul' && Math.abs(c.values[0] - Math.SQRT1_2) < 1e-5)
      );
    });
    if (!scaleNode) return null;
    const one = (list: Node[], op: string) => (list.length === 1 && list[0].opType === op ? list[0] : null);
    const erfNode = one(this.next(scaleNode.output?.[0] ?? ''), 'Erf');
    if (!erfNode) return null;
    const addNode = one(this.next(erfNode.output?.[0] ?? ''), 'Add');
    const addC = addNode ? this.konst((addNode.input ?? []).find((i) => i !== erfNode.output?.[0])) : undefined;
    if (!addNode || !addC || addC.values.length !== 1 || addC.values[0] !== 1) return null;
    const mulNode = one(this.next(addNode.output?.[0] ?? ''), 'Mul');
    if (!mulNode) return null;
    const other = (mulNode.input ?? []).find((i) => i !== addNode.output?.[0]) ?? '';
    const isHalf = (n: Node, x: string) => {
      const c = this.konst((n.input ?? []).find((i) => i !== x));
      return n.opType === 'Mul' && !!c && c.values.length === 1 && c.values[0] === 0.5;
    };
    const rest = nodes.filter((n) => n !== scaleNode);
    if (other === cur && rest.length === 1 && rest[0] === mulNode) {
      // x * (1 + erf) then * 0.5 (torch.onnx.export)
      const half = one(this.next(mulNode.output?.[0] ?? ''), 'Mul');
      if (!half || !isHalf(half, mulNode.output?.[0] ?? '')) return null;
      [scaleNode, erfNode, addNode, mulNode, half].forEach((n) => this.used.add(n));
      return half.output?.[0] ?? null;
    }
    const halfFirst = rest.length === 1 ? rest[0] : null;
    if (halfFirst && halfFirst.output?.[0] === other && isHalf(halfFirst, cur)) {
      // (0.5 * x) * (1 + erf)
      [scaleNode, erfNode, addNode, mulNode, halfFirst].forEach((n) => this.used.add(n));
      return mulNode.output?.[0] ?? null;
    }
    return null;
  }

  /** x * Sigmoid(x) starting at x = cur (nn.SiLU as torch.onnx.export writes it): the output tensor or null. */
  matchSiluMul(cur: string, nodes: Node[]): string | null {
    const sig = nodes.find((n) => n.opType === 'Sigmoid');
    const mul = nodes.find((n) => n.opType === 'Mul');
    const gate = sig?.output?.[0] ?? '';
    if (nodes.length !== 2 || !sig || !mul || this.next(gate).length !== 1) return null;
    const ins = mul.input ?? [];
    if (ins.length !== 2 || !ins.includes(cur) || !ins.includes(gate)) return null;
    this.used.add(sig);
    this.used.add(mul);
    return mul.output?.[0] ?? null;
  }

  /** An activation written as several nodes from x = cur (GELU's erf form, SiLU's x * Sigmoid(x)):
   * the activation, its output tensor and how the file wrote it; null when `nodes` are not one. */
  matchActivationPattern(cur: string, nodes: Node[]): { activation: Activation; out: string; op: string } | null {
    const gelu = this.matchGeluErf(cur, nodes);
    if (gelu) return { activation: { name: 'gelu' }, out: gelu, op: 'Erf GELU' };
    const silu = this.matchSiluMul(cur, nodes);
    if (silu) return { activation: { name: 'silu' }, out: silu, op: 'Sigmoid * x' };
    return null;
  }

  /** The activation a single ONNX activation node computes (the table's ONNX forms), or null when `n`'s op is none.
   * LeakyRelu's alpha is read; a tanh-approximated Gelu is refused; a Clip must have constant bounds equal to
   * the table entry's (0 and 6, ReLU6; inputs from opset 11, attributes before), other ranges are refused. */
  activationOfNode(n: Node, refuse: (why: string) => Error): Activation | null {
    const act = activationOfOnnxOp(n.opType ?? '');
    if (!act) return null;
    if (attr(n, 'approximate')?.s && attrString(n, 'approximate') !== 'none') throw refuse('uses the tanh approximation of GELU');
    if (act.clip) {
      const bound = (i: number, name: string, dflt: number): number | null => {
        const input = n.input?.[i];
        if (input) {
          const c = this.konst(input);
          return c && c.values.length === 1 ? c.values[0] : null;
        }
        return attrFloat(n, name, dflt);
      };
      const lo = bound(1, 'min', -Infinity);
      const hi = bound(2, 'max', Infinity);
      if (lo === null || hi === null) throw refuse('clips to bounds that are not constants');
      if (lo !== act.clip[0] || hi !== act.clip[1])
        throw refuse(
          `clips to [${lo}, ${hi}]; the only clipped activation supported is ReLU6, Clip(${act.clip[0]}, ${act.clip[1]}) (hardtanh and other ranges are not)`,
        );
      return { name: act.def.name };
    }
    return act.alphaAttr ? { name: act.def.name, alpha: Math.fround(attrFloat(n, 'alpha', DEFAULT_LEAKY_ALPHA)) } : { name: act.def.name };
  }
}
