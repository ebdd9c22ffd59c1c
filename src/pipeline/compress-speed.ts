/**
 * The speed part of a compress report: µs per row of the ORIGINAL file and of the slim export in
 * onnxruntime (one intra-op thread, the best of timed rounds after a warm-up, as onnx/latency.ts
 * times) at each batch size, side by side with the speedup. Both are timed the same way, through
 * their own graph input (the slim model keeps the original's interface), on random values. An
 * original onnxruntime cannot run (a tfjs LayersModel, or a batch fixed at 1 for batch 64) has no time.
 */
import type * as Ort from 'onnxruntime-common';
import { type Int64Like, onnx, toNum } from '../codec/onnx-proto';
import { loadRuntime, runtimeLabel, setWebThreads } from '../onnx/runtime';
import { Rng } from '../util/rng';
import type { InitSource } from './init-from';

/** Batch sizes timed by default: one row (latency) and 64 rows (throughput). */
export const DEFAULT_SPEED_BATCHES: readonly number[] = [1, 64];

export interface SpeedRow {
  batch: number;
  /** µs per row of the original (null when onnxruntime cannot run it at this batch) and of the slim model. */
  originalUsPerRow: number | null;
  slimUsPerRow: number;
  /** original / slim (null without the original's time). */
  speedup: number | null;
}

export interface SpeedFigures {
  /** Which onnxruntime timed them ("onnxruntime-node 1.30.0"), or null when nothing was timed. */
  runtime: string | null;
  threads: number;
  rows: SpeedRow[];
}

/** The graph's feature input: its name and dims after the batch dimension. */
function inputOf(bytes: Uint8Array): { name: string; dims: number[] } {
  const g = onnx.ModelProto.decode(bytes).graph as onnx.GraphProto;
  const inits = new Set((g.initializer ?? []).map((t) => t.name));
  const input = (g.input ?? []).find((i) => !inits.has(i.name ?? '')) as onnx.IValueInfoProto;
  const dims = (input.type?.tensorType?.shape?.dim ?? []).slice(1).map((d) => toNum(d.dimValue as Int64Like));
  return { name: input.name ?? '', dims };
}

/** µs per row of an ONNX model at `batch` rows per run, one thread; the best of `rounds` rounds of `seconds`. */
export async function timeModel(
  bytes: Uint8Array,
  batch: number,
  opts: { threads?: number; seconds?: number; rounds?: number } = {},
): Promise<{ usPerRow: number; runtime: string }> {
  const rt = loadRuntime();
  const threads = opts.threads ?? 1;
  setWebThreads(rt, threads);
  const session: Ort.InferenceSession = await rt.ort.InferenceSession.create(bytes, { intraOpNumThreads: threads, interOpNumThreads: 1 });
  try {
    const { name, dims } = inputOf(bytes);
    const per = dims.reduce((a, b) => a * b, 1);
    const rng = new Rng(1);
    const x = new rt.ort.Tensor(
      'float32',
      Float32Array.from({ length: batch * per }, () => rng.next()),
      [batch, ...dims],
    );
    const seconds = opts.seconds ?? 0.25;
    const round = async (limit: number): Promise<number> => {
      let rows = 0;
      const t0 = process.hrtime.bigint();
      let s: number;
      do {
        await session.run({ [name]: x });
        rows += batch;
        s = Number(process.hrtime.bigint() - t0) / 1e9;
      } while (s < limit);
      return (s * 1e6) / rows;
    };
    await round(seconds / 2);
    let best = Infinity;
    for (let r = 0; r < (opts.rounds ?? 3); r++) best = Math.min(best, await round(seconds));
    return { usPerRow: best, runtime: runtimeLabel(rt) };
  } finally {
    await session.release();
  }
}

/** Times the original and the slim model (bytes of its ONNX export) at each batch size. */
export async function measureSpeeds(
  src: InitSource,
  slim: Uint8Array,
  batches: readonly number[] = DEFAULT_SPEED_BATCHES,
  status: (s: string) => void = () => undefined,
): Promise<SpeedFigures> {
  const threads = 1;
  if (batches.length === 0) return { runtime: null, threads, rows: [] };
  status(`timing the original and the slim model in onnxruntime (batch ${batches.join(' and ')}, ${threads} thread)...`);
  const original = src.imported?.original.kind === 'onnx' ? src.imported.original.bytes : null;
  const rows: SpeedRow[] = [];
  let runtime: string | null = null;
  for (const batch of batches) {
    const s = await timeModel(slim, batch, { threads });
    runtime = s.runtime;
    let o: number | null = null;
    if (original) {
      try {
        o = (await timeModel(original, batch, { threads })).usPerRow;
      } catch {
        o = null; // e.g. a batch dimension fixed at 1 in the file
      }
    }
    rows.push({ batch, originalUsPerRow: o, slimUsPerRow: s.usPerRow, speedup: o === null ? null : o / s.usPerRow });
  }
  return { runtime, threads, rows };
}
