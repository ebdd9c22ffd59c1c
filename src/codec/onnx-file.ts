/**
 * Reading ONNX files: the bytes of a file and a decoded, sanity-checked ModelProto. Part of the
 * shared ONNX codec (with ./onnx-proto.ts) that the exporter (onnx/) and the importer (import/)
 * both use; anything undecodable is a GsError naming the file, never a protobuf stack trace.
 */
import * as fs from 'fs';
import { GsError } from '../errors';
import { type Int64Like, onnx, toNum } from './onnx-proto';

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
