/**
 * Running a user's ORIGINAL ONNX file (not a gs-compress export) with onnxruntime: the one place
 * that does it, used by import's check, compress (its agreement and the model's own labels) and
 * train --init. Any tensor of the graph can be asked for (the logits before a final Softmax are
 * added as an output of an in-memory copy).
 *
 * A fixed batch dimension (torch.onnx.export without dynamic_axes fixes it at the example's size,
 * usually 1) is handled in the in-memory copy: its batch dimension is made symbolic, and that copy
 * is used when a run of two rows gives what two runs of one row give on the file as written; a
 * graph that bakes the batch size in (a Reshape to [1, -1]) fails that probe and is fed in chunks
 * of exactly its batch size instead (the last chunk padded with zero rows).
 */
import type * as Ort from 'onnxruntime-common';
import { GsError } from '../errors';
import { type Int64Like, onnx, toNum } from '../codec/onnx-proto';
import { loadRuntime, type OrtRuntime, type RuntimeChoice } from './runtime';

export interface OriginalSpec {
  /** The graph's feature input and its dims after the batch dimension (e.g. [64] or [1, 28, 28]). */
  inputName: string;
  inputShape: number[];
  /** Float tensors to return, [rows x width] each (graph outputs or inner tensors). */
  outputs: string[];
}

/** How the original is fed: any number of rows at once, or exactly `batch` rows per run. */
export type BatchMode = { kind: 'dynamic' } | { kind: 'fixed'; batch: number };

function decode(bytes: Uint8Array): onnx.ModelProto {
  try {
    return onnx.ModelProto.decode(bytes);
  } catch (e) {
    throw new GsError('BAD_MODEL', `the original model cannot be decoded: ${(e as Error).message}`);
  }
}

/** The fixed batch size of the graph's input `name`, or null when it is symbolic or unknown. */
export function fixedBatch(model: onnx.IModelProto, name: string): number | null {
  const input = (model.graph?.input ?? []).find((i) => i.name === name);
  const d0 = input?.type?.tensorType?.shape?.dim?.[0];
  if (!d0 || d0.dimParam) return null;
  const v = d0.dimValue === undefined || d0.dimValue === null ? 0 : toNum(d0.dimValue as Int64Like);
  return v > 0 ? v : null;
}

/** A copy of `model` with every requested tensor as a graph output and, with `symbolic`, the batch
 * dimension of the input and outputs symbolic (inner shape annotations dropped: onnxruntime infers them). */
function prepared(bytes: Uint8Array, spec: OriginalSpec, symbolic: boolean): Uint8Array {
  const model = decode(bytes);
  const g = model.graph as onnx.GraphProto;
  for (const name of spec.outputs) {
    if (!g.output.some((o) => o.name === name)) {
      g.output.push(onnx.ValueInfoProto.create({ name, type: { tensorType: { elemType: onnx.TensorProto.DataType.FLOAT } } }));
    }
  }
  if (symbolic) {
    const batchOf = (v: onnx.IValueInfoProto) => {
      const d0 = v.type?.tensorType?.shape?.dim?.[0];
      if (d0 && !d0.dimParam) {
        d0.dimValue = null;
        d0.dimParam = 'batch';
      }
    };
    for (const v of g.input) if (v.name === spec.inputName) batchOf(v);
    for (const v of g.output) batchOf(v);
    g.valueInfo = [];
  }
  return onnx.ModelProto.encode(model).finish();
}

async function session(rt: OrtRuntime, bytes: Uint8Array): Promise<Ort.InferenceSession> {
  try {
    return await rt.ort.InferenceSession.create(bytes);
  } catch (e) {
    throw new GsError('BAD_MODEL', `the original model does not load in onnxruntime: ${(e as Error).message.split('\n')[0]}`);
  }
}

/** An open onnxruntime session on a user's original model, fed in whatever batches it takes. */
export class OriginalSession {
  private constructor(
    private readonly rt: OrtRuntime,
    private readonly s: Ort.InferenceSession,
    readonly spec: OriginalSpec,
    /** 'dynamic' also for a fixed-batch file whose symbolic copy passed the probe. */
    readonly mode: BatchMode,
    /** The file's own batch dimension (null when symbolic). */
    readonly fileBatch: number | null,
  ) {}

  static async open(bytes: Uint8Array, spec: OriginalSpec, opts: { runtime?: RuntimeChoice } = {}): Promise<OriginalSession> {
    const rt = loadRuntime(opts.runtime);
    const batch = fixedBatch(decode(bytes), spec.inputName);
    if (batch === null) return new OriginalSession(rt, await session(rt, prepared(bytes, spec, false)), spec, { kind: 'dynamic' }, null);
    const fixed = new OriginalSession(rt, await session(rt, prepared(bytes, spec, false)), spec, { kind: 'fixed', batch }, batch);
    let copy: Ort.InferenceSession | null = null;
    try {
      copy = await rt.ort.InferenceSession.create(prepared(bytes, spec, true));
      const dynamic = new OriginalSession(rt, copy, spec, { kind: 'dynamic' }, batch);
      if (await dynamic.agreesWith(fixed)) {
        await fixed.close();
        return dynamic;
      }
    } catch {
      // the copy does not load or run: the graph needs its fixed batch
    }
    await copy?.release();
    return fixed;
  }

  /** The probe: rows of a deterministic pattern run at once here and batch by batch on `fixed`. */
  private async agreesWith(fixed: OriginalSession): Promise<boolean> {
    const width = this.spec.inputShape.reduce((a, b) => a * b, 1);
    const rows = (fixed.fileBatch ?? 1) + 1;
    const x = Float32Array.from({ length: rows * width }, (_, i) => Math.sin(1 + i * 0.7));
    const a = await this.run(x, rows);
    const b = await fixed.run(x, rows);
    return a.every((t, k) => t.length === b[k].length && t.every((v, i) => Math.abs(v - b[k][i]) <= 1e-5 * Math.max(1, Math.abs(b[k][i]))));
  }

  private async runOnce(x: Float32Array, n: number): Promise<Float32Array[]> {
    const feed = new this.rt.ort.Tensor('float32', x, [n, ...this.spec.inputShape]);
    const out = await this.s.run({ [this.spec.inputName]: feed }, this.spec.outputs);
    return this.spec.outputs.map((name) => Float32Array.from(out[name].data as Float32Array));
  }

  /** The requested tensors on `rows` rows of raw features (row-major, the input's dims after the batch). */
  async run(x: Float32Array, rows: number): Promise<Float32Array[]> {
    if (this.mode.kind === 'dynamic') return rows === 0 ? this.spec.outputs.map(() => new Float32Array(0)) : this.runOnce(x, rows);
    const B = this.mode.batch;
    const width = x.length / Math.max(1, rows);
    const parts: Float32Array[][] = this.spec.outputs.map(() => []);
    for (let r0 = 0; r0 < rows; r0 += B) {
      const n = Math.min(B, rows - r0);
      const chunk = new Float32Array(B * width);
      chunk.set(x.subarray(r0 * width, (r0 + n) * width));
      const out = await this.runOnce(chunk, B);
      out.forEach((t, k) => parts[k].push(t.subarray(0, (t.length / B) * n)));
    }
    return parts.map((list) => {
      const all = new Float32Array(list.reduce((s, t) => s + t.length, 0));
      let off = 0;
      for (const t of list) {
        all.set(t, off);
        off += t.length;
      }
      return all;
    });
  }

  async close(): Promise<void> {
    await this.s.release();
  }
}

/** Open, run, close: the requested tensors of the original model on `rows` rows. */
export async function runOriginalOnnx(
  bytes: Uint8Array,
  spec: OriginalSpec,
  x: Float32Array,
  rows: number,
  opts: { runtime?: RuntimeChoice } = {},
): Promise<Float32Array[]> {
  const s = await OriginalSession.open(bytes, spec, opts);
  try {
    return await s.run(x, rows);
  } finally {
    await s.close();
  }
}
