/**
 * Reading an ONNX file back: decode with onnx-proto, check it looks like a model, and
 * summarize it for `inspect` (inputs/outputs, nodes, initializers, dense layers, metadata).
 * Anything undecodable is a GsError BAD_MODEL naming the file, never a protobuf stack trace.
 */
import * as fs from 'fs';
import { GsError } from '../errors';
import { type ModelInterface, modelInterface } from './metadata';
import { type Int64Like, onnx, tensorSize, toNum } from './proto';

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
  op: string; // Gemm or MatMul(+Add)
  inSize: number;
  outSize: number;
  relu: boolean;
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

/** Bytes of a model file; a missing file is NOT_FOUND. */
export function readModelFile(file: string): Uint8Array {
  try {
    return fs.readFileSync(file);
  } catch {
    throw new GsError('NOT_FOUND', `${file} not found (expected an ONNX model file)`);
  }
}

/** Decoded and sanity-checked ModelProto. */
export function decodeOnnx(bytes: Uint8Array, file: string): onnx.ModelProto {
  const bad = (why: string) => new GsError('BAD_MODEL', `${file}: not a valid ONNX model (${why})`);
  if (bytes.length === 0) throw bad('the file is empty');
  let model: onnx.ModelProto;
  try {
    model = onnx.ModelProto.decode(bytes);
  } catch (e) {
    throw bad(`${(e as Error).message}; the file may be truncated or not ONNX at all`);
  }
  const g = model.graph;
  if (toNum(model.irVersion as Int64Like) <= 0) throw bad('no ir_version');
  if (!g || !g.node || g.node.length === 0) throw bad('no graph or an empty graph');
  if (!g.input?.length || !g.output?.length) throw bad('the graph has no inputs or outputs');
  return model;
}

function tensorInfo(v: onnx.IValueInfoProto): TensorInfo {
  const t = v.type?.tensorType;
  const shape = (t?.shape?.dim ?? []).map((d) => (d.dimParam ? d.dimParam : toNum(d.dimValue as Int64Like)));
  return { name: v.name ?? '', type: typeName(t?.elemType), shape };
}

function denseLayers(g: onnx.IGraphProto, inits: Map<string, InitializerInfo>): LayerInfo[] {
  const nodes = g.node ?? [];
  const consumer = (name: string) => nodes.find((n) => (n.input ?? []).includes(name));
  const layers: LayerInfo[] = [];
  for (const n of nodes) {
    if (n.opType !== 'Gemm' && n.opType !== 'MatMul') continue;
    const w = inits.get(n.input?.[1] ?? '');
    if (!w || w.dims.length !== 2) continue;
    let out = n.output?.[0] ?? '';
    let biasSize = n.opType === 'Gemm' ? (inits.get(n.input?.[2] ?? '')?.size ?? 0) : 0;
    let op = n.opType;
    const next = consumer(out);
    if (n.opType === 'MatMul' && next?.opType === 'Add') {
      biasSize = (next.input ?? []).map((i) => inits.get(i)?.size ?? 0).reduce((a, b) => a + b, 0);
      out = next.output?.[0] ?? '';
      op = 'MatMul+Add';
    }
    layers.push({
      node: n.name ?? '',
      op,
      inSize: w.dims[0],
      outSize: w.dims[1],
      relu: consumer(out)?.opType === 'Relu',
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
    layers: denseLayers(g, inits),
    parameterCount: initializers.filter((t) => t.type === 'float32').reduce((s, t) => s + t.size, 0),
    metadata,
    interface: modelInterface(metadata, file),
  };
}
