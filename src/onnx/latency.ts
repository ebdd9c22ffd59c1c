/**
 * Measured inference time: µs per row of an ONNX model in onnxruntime (onnxruntime-node when
 * installed, one intra-op thread by default) at a batch size, the best of interleaved timed rounds
 * after a warm-up (the best is the least disturbed by other work on the machine). Inputs are
 * random values (time does not depend on them). What --target-speedup and the compress report
 * measure: the speed a user gets, not multiply-adds.
 */
import { exportOnnx } from './export';
import { OnnxModel } from './run';
import type { RuntimeChoice } from './runtime';
import type { AnyLayer, Network } from '../network/types';
import { Rng } from '../util/rng';

export interface LatencyOptions {
  /** Rows per call (default DEFAULT_LATENCY_BATCH). */
  batch?: number;
  /** onnxruntime intra-op threads (default 1). */
  threads?: number;
  /** Seconds per timed round (default 0.25). */
  seconds?: number;
  /** Timed rounds, the best kept (default 3). */
  rounds?: number;
  runtime?: RuntimeChoice;
}

export const DEFAULT_LATENCY_BATCH = 64;

export interface Latency {
  usPerRow: number;
  batch: number;
  threads: number;
  /** Which onnxruntime ran it, e.g. "onnxruntime-node 1.30.0". */
  runtime: string;
}

/**
 * µs per row of one timed round: `run` (one call of `rows` rows) called again and again until
 * `seconds` have passed, the round's throughput. The one timing loop of modelLatency, the compress
 * report (pipeline/compress-speed.ts) and the benchmark scripts.
 */
export async function throughputRound(run: () => Promise<unknown>, rows: number, seconds: number): Promise<number> {
  let done = 0;
  const t0 = process.hrtime.bigint();
  let s: number;
  do {
    await run();
    done += rows;
    s = Number(process.hrtime.bigint() - t0) / 1e9;
  } while (s < seconds);
  return (s * 1e6) / done;
}

/** µs per row of a model (file or bytes) that takes `cols` feature columns per row. */
export async function modelLatency(model: Uint8Array | string, cols: number, opts: LatencyOptions = {}): Promise<Latency> {
  const batch = opts.batch ?? DEFAULT_LATENCY_BATCH;
  const threads = opts.threads ?? 1;
  const seconds = opts.seconds ?? 0.25;
  const m = await OnnxModel.open(model, { threads, ...(opts.runtime ? { runtime: opts.runtime } : {}) });
  try {
    const rng = new Rng(1);
    const x = Float32Array.from({ length: batch * cols }, () => rng.next());
    const round = (limit: number) => throughputRound(() => m.runBatch(x, batch, cols), batch, limit);
    await round(seconds / 2);
    let best = Infinity;
    for (let r = 0; r < (opts.rounds ?? 3); r++) best = Math.min(best, await round(seconds));
    return { usPerRow: best, batch, threads, runtime: m.runtime };
  } finally {
    await m.close();
  }
}

/** µs per row of a network's ONNX export (its raw-feature interface). */
export async function networkLatency(net: Network<AnyLayer>, opts: LatencyOptions = {}): Promise<Latency> {
  return modelLatency(exportOnnx(net, { producerVersion: 'latency' }), net.inputWidth, opts);
}
