/**
 * Layers of any type as JSON plus one binary buffer: every Float32Array field of a layer value is
 * stored in the buffer (little-endian float32, in layer order) and named in the JSON by offset and
 * length; every other field is stored as it is. No layer type needs code of its own here, so a new
 * type is saved and loaded as soon as it is in the table. Loading checks each layer with its type.
 */
import { layerType, type Layer } from './table';

/** A layer's JSON form: its plain fields, and its float arrays as [offset, length] into the buffer. */
export interface StoredLayer {
  op: string;
  fields: Record<string, unknown>;
  arrays: Record<string, [number, number]>;
}

export function serializeLayers(layers: readonly Layer[]): { layers: StoredLayer[]; weights: Uint8Array } {
  const chunks: Float32Array[] = [];
  let offset = 0;
  const stored = layers.map((l) => {
    const fields: Record<string, unknown> = {};
    const arrays: Record<string, [number, number]> = {};
    for (const [k, v] of Object.entries(l)) {
      if (k === 'op') continue;
      if (v instanceof Float32Array) {
        arrays[k] = [offset, v.length];
        chunks.push(v);
        offset += v.length;
      } else fields[k] = v;
    }
    return { op: l.op, fields, arrays };
  });
  const all = new Float32Array(offset);
  let at = 0;
  for (const c of chunks) {
    all.set(c, at);
    at += c.length;
  }
  return { layers: stored, weights: new Uint8Array(all.buffer) };
}

/** The layers back from their JSON and buffer; `bad` builds the error for a damaged file. */
export function deserializeLayers(stored: unknown, weights: Uint8Array, bad: (what: string) => Error): Layer[] {
  if (!Array.isArray(stored) || stored.length === 0) throw bad('no layers');
  if (weights.byteLength % 4 !== 0) throw bad('the weights file is not a whole number of float32 values');
  const all = new Float32Array(weights.buffer.slice(weights.byteOffset, weights.byteOffset + weights.byteLength));
  return stored.map((s: Partial<StoredLayer>, k) => {
    if (!s || typeof s.op !== 'string' || typeof s.fields !== 'object' || typeof s.arrays !== 'object') throw bad(`layer ${k} is damaged`);
    const layer: Record<string, unknown> = { op: s.op, ...s.fields };
    for (const [name, span] of Object.entries(s.arrays ?? {})) {
      const [off, len] = span;
      if (!Number.isInteger(off) || !Number.isInteger(len) || off < 0 || len < 0 || off + len > all.length) {
        throw bad(`layer ${k}: ${name} lies outside the weights file`);
      }
      layer[name] = all.slice(off, off + len);
    }
    let t;
    try {
      t = layerType(layer as unknown as Layer);
    } catch {
      throw bad(`layer ${k} has the unknown type '${s.op}'`);
    }
    const why = t.invalid(layer as unknown as Layer);
    if (why) throw bad(`layer ${k} (${s.op}) ${why}`);
    return layer as unknown as Layer;
  });
}
