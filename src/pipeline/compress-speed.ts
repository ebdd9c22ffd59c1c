/**
 * The speed part of a compress report: µs per row of the ORIGINAL file and of the slim export in
 * onnxruntime (one intra-op thread, the best of interleaved timed rounds after a warm-up) at each
 * batch size, side by side with the speedup. Both are timed the same way, through their own graph
 * input (the slim model keeps the original's interface), on random values. A tfjs original is
 * timed in its exact ONNX form (the imported network's export, made before training: what a user
 * deploying ONNX would have run), and says so; an original onnxruntime cannot run at a batch size
 * (fixed at 1, for batch 64) has no time there.
 */
import type * as Ort from 'onnxruntime-common';
import { type Int64Like, onnx, toNum } from '../codec/onnx-proto';
import { GsError } from '../errors';
import { throughputRound } from '../onnx/latency';
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
  /** What was timed as the original: its own ONNX file, or the ONNX export of the imported network (a tfjs original). */
  originalForm: 'file' | 'onnx-export';
}

/** The graph's feature input: its name and dims after the batch dimension. */
function inputOf(bytes: Uint8Array): { name: string; dims: number[] } {
  const g = onnx.ModelProto.decode(bytes).graph as onnx.GraphProto;
  const inits = new Set((g.initializer ?? []).map((t) => t.name));
  const input = (g.input ?? []).find((i) => !inits.has(i.name ?? '')) as onnx.IValueInfoProto;
  const dims = (input.type?.tensorType?.shape?.dim ?? []).slice(1).map((d) => toNum(d.dimValue as Int64Like));
  return { name: input.name ?? '', dims };
}

/** A session that runs one batch of random rows through a model's feature input. */
interface Timed {
  run: () => Promise<unknown>;
  release: () => Promise<void>;
}

async function openTimed(bytes: Uint8Array, batch: number, threads: number): Promise<Timed> {
  const rt = loadRuntime();
  setWebThreads(rt, threads);
  const session: Ort.InferenceSession = await rt.ort.InferenceSession.create(bytes, { intraOpNumThreads: threads, interOpNumThreads: 1 });
  const { name, dims } = inputOf(bytes);
  const per = dims.reduce((a, b) => a * b, 1);
  const rng = new Rng(1);
  const x = new rt.ort.Tensor(
    'float32',
    Float32Array.from({ length: batch * per }, () => rng.next()),
    [batch, ...dims],
  );
  try {
    await session.run({ [name]: x }); // fails here when the model cannot take this batch
  } catch (e) {
    await session.release();
    throw e;
  }
  return { run: () => session.run({ [name]: x }), release: () => session.release() };
}

/**
 * µs per row of each model at `batch` rows per run, one thread: warm-up, then `rounds` rounds of
 * `seconds` per model, interleaved (a round of each in turn, so that other work on the machine
 * weighs on all alike), the best round of each kept. A model that cannot run gives null.
 */
export async function timeModels(
  models: Uint8Array[],
  batch: number,
  opts: { threads?: number; seconds?: number; rounds?: number } = {},
): Promise<{ usPerRow: (number | null)[]; runtime: string }> {
  const threads = opts.threads ?? 1;
  const seconds = opts.seconds ?? 0.25;
  const timed: (Timed | null)[] = [];
  try {
    for (const m of models) timed.push(await openTimed(m, batch, threads).catch(() => null));
    const round = (t: Timed, limit: number) => throughputRound(t.run, batch, limit);
    for (const t of timed) if (t) await round(t, seconds / 2);
    const best = timed.map((t) => (t ? Infinity : null));
    for (let r = 0; r < (opts.rounds ?? 5); r++) {
      for (let i = 0; i < timed.length; i++) {
        const t = timed[i];
        if (t) best[i] = Math.min(best[i] as number, await round(t, seconds));
      }
    }
    return { usPerRow: best, runtime: runtimeLabel(loadRuntime()) };
  } finally {
    for (const t of timed) if (t) await t.release();
  }
}

/** Times the original and the slim model (bytes of its ONNX export) at each batch size; `originalExport`:
 * the original's ONNX form when its own file is not ONNX (originalOnnxForm). */
export async function measureSpeeds(
  src: InitSource,
  slim: Uint8Array,
  batches: readonly number[] = DEFAULT_SPEED_BATCHES,
  status: (s: string) => void = () => undefined,
  originalExport: Uint8Array | null = null,
): Promise<SpeedFigures> {
  const threads = 1;
  const own = src.imported?.original.kind === 'onnx' ? src.imported.original.bytes : null;
  const originalForm = own ? 'file' : 'onnx-export';
  if (batches.length === 0) return { runtime: null, threads, rows: [], originalForm };
  status(`timing the original and the slim model in onnxruntime (batch ${batches.join(' and ')}, ${threads} thread)...`);
  const original = own ?? originalExport;
  const rows: SpeedRow[] = [];
  let runtime: string | null = null;
  for (const batch of batches) {
    const t = await timeModels(original ? [slim, original] : [slim], batch, { threads });
    runtime = t.runtime;
    const s = t.usPerRow[0];
    if (s === null) throw new GsError('VERIFY_FAILED', `the slim model does not run in onnxruntime at batch ${batch}`);
    const o = t.usPerRow[1] ?? null;
    rows.push({ batch, originalUsPerRow: o, slimUsPerRow: s, speedup: o === null ? null : o / s });
  }
  return { runtime, threads, rows, originalForm };
}
