/**
 * Reading an ONNX file back: decode with onnx-proto, check it looks like a model, and
 * summarize it for `inspect` (inputs/outputs, nodes, initializers, dense layers, metadata).
 * Anything undecodable is a GsError BAD_MODEL naming the file, never a protobuf stack trace.
 */
import { type ModelInterface, modelInterface } from './metadata';
import { ACTIVATIONS } from '../network/activations';
import { decodeOnnx, readModelFile } from '../codec/onnx-file';
import { INT64, type Int64Like, onnx, tensorSize, toNum } from '../codec/onnx-proto';

export { decodeOnnx, readModelFile };

/** Little-endian int64 values of a raw_data field. */
function int64FromRaw(raw: Uint8Array | null | undefined): number[] {
  if (!raw) return [];
  const view = new DataView(raw.buffer, raw.byteOffset, raw.byteLength);
  return Array.from({ length: Math.floor(raw.byteLength / 8) }, (_, i) => Number(view.getBigInt64(8 * i, true)));
}

export interface TensorInfo {
  name: string;
  type: string; // 'float32', 'int64', ...
  shape: (number | string)[]; // a string is a symbolic dimension
}

export interface InitializerInfo {
  name: string;
  type: string;
  dims: number[];
  size: number;
}

export interface LayerInfo {
  node: string;
  op: string; // Gemm, MatMul+Add, or MatMulInteger (int8 weights, dynamically quantized input)
  inSize: number;
  outSize: number;
  relu: boolean;
  /** What follows the layer: an activation name (relu, tanh, ...), softmax, or '-' (none found). */
  activation: string;
  /** Element type the kernel is stored in (float32, float16, int8). */
  weights: string;
  /** Kernel and bias elements stored in the file (an int8 kernel stores no leading or trailing zero rows). */
  parameters: number;
}

export interface OnnxInfo {
  file: string;
  bytes: number;
  irVersion: number;
  opsets: { domain: string; version: number }[];
  producer: { name: string; version: string };
  inputs: TensorInfo[];
  outputs: TensorInfo[];
  nodes: { name: string; op: string; inputs: string[]; outputs: string[] }[];
  initializers: InitializerInfo[];
  layers: LayerInfo[];
  /** Elements of all float initializers (weights and biases). */
  parameterCount: number;
  metadata: Record<string, string>;
  /** Class labels and kept columns recorded by gs-compress; null for other producers' models. */
  interface: ModelInterface | null;
}

const TYPE_NAMES: Record<number, string> = {
  1: 'float32',
  2: 'uint8',
  3: 'int8',
  6: 'int32',
  7: 'int64',
  8: 'string',
  9: 'bool',
  10: 'float16',
  11: 'float64',
};
const typeName = (t: number | null | undefined) => TYPE_NAMES[t ?? 0] ?? `type${t ?? 0}`;

function tensorInfo(v: onnx.IValueInfoProto): TensorInfo {
  const t = v.type?.tensorType;
  const shape = (t?.shape?.dim ?? []).map((d) => (d.dimParam ? d.dimParam : toNum(d.dimValue as Int64Like)));
  return { name: v.name ?? '', type: typeName(t?.elemType), shape };
}

/** Activation names by the ONNX op that applies them (from the activation table), plus the output's. */
const ACTIVATION_OPS: Record<string, string> = {
  ...Object.fromEntries(
    Object.values(ACTIVATIONS).flatMap((a) => (a.onnx && typeof a.onnx === 'object' ? [[a.onnx.op, a.name] as [string, string]] : [])),
  ),
  Softmax: 'softmax',
  LogSoftmax: 'log_softmax',
};

interface Weight {
  dims: number[];
  type: string;
  size: number;
}

/**
 * Layers of the graph: Conv and BatchNormalization (channels), and dense ones: Gemm, MatMul (+ Add) and MatMulInteger (+ Cast, Mul by the scales, Add
 * of the bias) nodes whose kernel is an initializer, possibly through a Cast (float16 weights) or a
 * Pad of initializers (int8 weights without their zero rows).
 */
function denseLayers(g: onnx.IGraphProto, inits: Map<string, InitializerInfo>, int64s: Map<string, number[]>): LayerInfo[] {
  const nodes = g.node ?? [];
  const consumer = (name: string) => nodes.find((n) => (n.input ?? []).includes(name));
  const producer = (name: string) => nodes.find((n) => (n.output ?? []).includes(name));
  const weight = (name: string, depth = 0): Weight | undefined => {
    const init = inits.get(name);
    if (init) return { dims: init.dims, type: init.type, size: init.size };
    const p = depth < 4 ? producer(name) : undefined;
    const src =
      p && ['Cast', 'Pad', 'Mul', 'DequantizeLinear'].includes(p.opType ?? '') ? weight(p.input?.[0] ?? '', depth + 1) : undefined;
    if (!p || !src) return undefined;
    if (p.opType !== 'Pad') return src;
    const pads = int64s.get(p.input?.[1] ?? '');
    if (!pads || pads.length !== 2 * src.dims.length) return undefined;
    return { ...src, dims: src.dims.map((d, i) => d + pads[i] + pads[i + src.dims.length]) };
  };
  const layers: LayerInfo[] = [];
  const activationAfter = (out: string): string => {
    const after = consumer(out);
    const erfNear = after && [after, consumer(after.output?.[0] ?? '')].some((m) => m?.opType === 'Erf');
    return after ? (ACTIVATION_OPS[after.opType ?? ''] ?? (erfNear ? 'gelu' : '-')) : '-';
  };
  for (const n of nodes) {
    if (n.opType === 'Conv' || n.opType === 'BatchNormalization') {
      // a convolution's channels in and out (OIHW weights), or batch norm's scale and bias (its running
      // statistics are stored too but are not parameters)
      const w = inits.get(n.input?.[1] ?? '');
      if (!w) continue;
      const conv = n.opType === 'Conv';
      if (conv && w.dims.length < 3) continue;
      const channels = conv ? w.dims[0] : w.size;
      const bias = inits.get(n.input?.[2] ?? '')?.size ?? 0;
      const activation = activationAfter(n.output?.[0] ?? '');
      // a grouped convolution reads dims[1] channels per group: group x dims[1] in all (depthwise: C)
      const groupAttr = conv ? n.attribute?.find((a) => a.name === 'group') : undefined;
      const group = groupAttr?.i !== undefined && groupAttr.i !== null ? toNum(groupAttr.i as Int64Like) : 1;
      layers.push({
        node: n.name ?? '',
        op: n.opType,
        inSize: conv ? w.dims[1] * group : channels,
        outSize: channels,
        relu: activation === 'relu',
        activation,
        weights: w.type,
        parameters: w.size + bias,
      });
      continue;
    }
    if (n.opType !== 'Gemm' && n.opType !== 'MatMul' && n.opType !== 'MatMulInteger') continue;
    const w = weight(n.input?.[1] ?? '');
    if (!w || w.dims.length !== 2) continue;
    let out = n.output?.[0] ?? '';
    let biasSize = n.opType === 'Gemm' ? (inits.get(n.input?.[2] ?? '')?.size ?? 0) : 0;
    let op = n.opType;
    if (n.opType === 'MatMulInteger') {
      // int32 accumulator -> Cast -> Mul (scales) -> Add (bias)
      for (let k = 0, next = consumer(out); k < 3 && next; k++, next = consumer(out)) {
        out = next.output?.[0] ?? '';
        if (next.opType === 'Add') {
          biasSize = (next.input ?? []).map((i) => inits.get(i)?.size ?? 0).reduce((a, b) => a + b, 0);
          break;
        }
      }
    } else {
      const next = consumer(out);
      if (n.opType === 'MatMul' && next?.opType === 'Add') {
        biasSize = (next.input ?? []).map((i) => inits.get(i)?.size ?? 0).reduce((a, b) => a + b, 0);
        out = next.output?.[0] ?? '';
        op = 'MatMul+Add';
      }
    }
    const transB = n.opType === 'Gemm' && (n.attribute ?? []).some((a) => a.name === 'transB' && toNum(a.i as Int64Like) === 1);
    const [inSize, outSize] = transB ? [w.dims[1], w.dims[0]] : [w.dims[0], w.dims[1]];
    const activation = activationAfter(out);
    layers.push({
      node: n.name ?? '',
      op,
      inSize,
      outSize,
      relu: activation === 'relu',
      activation,
      weights: w.type,
      parameters: w.size + biasSize,
    });
  }
  return layers;
}

/** Summary of an ONNX model for `inspect` and for checks before running it. */
export function readOnnxInfo(bytes: Uint8Array, file: string): OnnxInfo {
  const model = decodeOnnx(bytes, file);
  const g = model.graph as onnx.GraphProto;
  const initializers = g.initializer.map((t) => {
    const dims = (t.dims ?? []).map((d) => toNum(d as Int64Like));
    return { name: t.name ?? '', type: typeName(t.dataType), dims, size: tensorSize(t) };
  });
  const inits = new Map(initializers.map((t) => [t.name, t]));
  // small int64 initializers (Pad amounts, shapes), by value
  const int64s = new Map<string, number[]>();
  for (const t of g.initializer) {
    if (t.dataType !== INT64 || tensorSize(t) > 16) continue;
    const v = t.int64Data?.length ? t.int64Data.map((x) => toNum(x as Int64Like)) : int64FromRaw(t.rawData);
    int64s.set(t.name ?? '', v);
  }
  const metadata: Record<string, string> = {};
  for (const p of model.metadataProps) metadata[p.key ?? ''] = p.value ?? '';
  const initNames = new Set(inits.keys());
  return {
    file,
    bytes: bytes.length,
    irVersion: toNum(model.irVersion as Int64Like),
    opsets: model.opsetImport.map((o) => ({ domain: o.domain ?? '', version: toNum(o.version as Int64Like) })),
    producer: { name: model.producerName, version: model.producerVersion },
    inputs: g.input.filter((v) => !initNames.has(v.name ?? '')).map(tensorInfo),
    outputs: g.output.map(tensorInfo),
    nodes: g.node.map((n) => ({ name: n.name ?? '', op: n.opType ?? '', inputs: n.input ?? [], outputs: n.output ?? [] })),
    initializers,
    layers: denseLayers(g, inits, int64s),
    parameterCount: initializers.filter((t) => t.type === 'float32').reduce((s, t) => s + t.size, 0),
    metadata,
    interface: modelInterface(metadata, file),
  };
}
