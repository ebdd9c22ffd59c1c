/**
 * Small builders over onnx-proto's generated message types (protobufjs 6): tensors, value
 * infos, nodes and attributes, plus int64 field decoding: the shared ONNX codec (a leaf, with
 * ./onnx-file.ts) that the exporter (onnx/) and the importer (import/) both build on.
 */
import { onnx } from 'onnx-proto';

export { onnx };

export const FLOAT = onnx.TensorProto.DataType.FLOAT;
export const INT64 = onnx.TensorProto.DataType.INT64;

/** protobufjs decodes int64 fields as Long objects when the `long` package is present. */
export type Int64Like = number | { toNumber(): number } | null | undefined;

export function toNum(v: Int64Like): number {
  if (v === null || v === undefined) return 0;
  return typeof v === 'number' ? v : v.toNumber();
}

/** Little-endian bytes of a typed array (ONNX raw_data is little-endian; so are x86 and ARM). */
function bytesOf(a: Float32Array | BigInt64Array): Uint8Array {
  return new Uint8Array(a.buffer.slice(a.byteOffset, a.byteOffset + a.byteLength));
}

export function floatTensor(name: string, dims: number[], data: Float32Array): onnx.ITensorProto {
  return { name, dims, dataType: FLOAT, rawData: bytesOf(data) };
}

export function int64Tensor(name: string, dims: number[], data: number[]): onnx.ITensorProto {
  return { name, dims, dataType: INT64, rawData: bytesOf(BigInt64Array.from(data.map((v) => BigInt(v)))) };
}

/** A tensor value info; a string dimension is symbolic (dim_param). */
export function valueInfo(name: string, elemType: number, dims: (number | string)[]): onnx.IValueInfoProto {
  return {
    name,
    type: {
      tensorType: {
        elemType,
        shape: { dim: dims.map((d) => (typeof d === 'string' ? { dimParam: d } : { dimValue: d })) },
      },
    },
  };
}

export function intAttr(name: string, i: number): onnx.IAttributeProto {
  return { name, type: onnx.AttributeProto.AttributeType.INT, i };
}

export function floatAttr(name: string, f: number): onnx.IAttributeProto {
  return { name, type: onnx.AttributeProto.AttributeType.FLOAT, f };
}

export function node(
  opType: string,
  input: string[],
  output: string[],
  name: string,
  attribute: onnx.IAttributeProto[] = [],
): onnx.INodeProto {
  return { opType, input, output, name, attribute, domain: '' };
}

/** Number of elements of a decoded tensor (product of its dims; 1 for a scalar). */
export function tensorSize(t: onnx.ITensorProto): number {
  const dims: readonly Int64Like[] = t.dims ?? [];
  return dims.reduce<number>((s, d) => s * toNum(d), 1);
}
