/**
 * Reading values out of an ONNX graph for the importers: node attributes, constant tensors
 * (initializers and Constant nodes) as float64, in the file's layout.
 */
import { type Int64Like, onnx, toNum } from '../codec/onnx-proto';
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

  /** The nodes reading `cur` not yet taken by the walk. */
  next(cur: string): Node[] {
    return (this.consumers.get(cur) ?? []).filter((n) => !this.used.has(n));
  }
}
