/**
 * Times one epoch of training steps of our default CNN engine in this process, as `train --arch`
 * runs them: the images scaled per channel (as trainNetwork does), a fresh network of the spec
 * (initArchNetwork), the layers engine with its default kernels ('auto': layers-wasm where the
 * WebAssembly SIMD kernels run) and threads (default 'auto', as train; or 1 or 2), Adam, no
 * penalty; the clock covers engine.runEpoch over one permutation of every training row and nothing
 * else (no evaluation, no engine set-up: a worker thread is started and ready before the clock).
 */
import { loadDataset } from '../../src/data';
import { applyScaling, fitChannelScaling } from '../../src/data/scaling';
import { initArchNetwork } from '../../src/network/create-arch';
import { resolveTrainConfig } from '../../src/train/config';
import { createLayersEngine } from '../../src/train/layers-engine';
import type { ThreadsOption } from '../../src/train/layers-engine/parallel/threads';
import type { TrainingData } from '../../src/train/types';
import { Rng } from '../../src/util/rng';

export interface EpochTimer {
  /** Seconds of one epoch of training steps of a fresh network of `spec` (seeded by `seed`), and the engine's name. */
  time(spec: string, seed: number, threads?: ThreadsOption): { seconds: number; engine: string };
  /** Untimed training steps on a few batches (the JavaScript engine compiles its hot code on first use). */
  warmUp(spec: string, batches: number, threads?: ThreadsOption): void;
}

/** An epoch timer on the training rows of an IDX folder (read once). */
export async function epochTimer(idxDir: string, opts: { lr: number; batchSize: number }): Promise<EpochTimer> {
  const data = await loadDataset({ data: idxDir, maxTestRows: 1 });
  const shape = data.inputShape ?? [1, 28, 28];
  const { train } = data;
  const x = applyScaling(train.features, train.cols, fitChannelScaling(train, shape[0]));
  const td: TrainingData = { x, y: train.labels, rows: train.rows, cols: train.cols, classes: data.classLabels.length };
  const run = (spec: string, seed: number, rows: number, threads: ThreadsOption): { seconds: number; engine: string } => {
    const cfg = resolveTrainConfig({ arch: spec, optimizer: 'adam', lr: opts.lr, batchSize: opts.batchSize, seed, valFraction: 0 });
    const net = initArchNetwork(spec, shape, td.classes, seed);
    const engine = createLayersEngine(net.layers, shape, td, cfg, { threads });
    try {
      const order = new Rng(seed + 1).permutation(td.rows).subarray(0, rows);
      // the first step waits for a worker thread to be ready: outside the clock
      engine.runEpoch(order.subarray(0, 1));
      const t0 = process.hrtime.bigint();
      engine.runEpoch(order);
      return { seconds: Number(process.hrtime.bigint() - t0) / 1e9, engine: engine.name };
    } finally {
      engine.dispose();
    }
  };
  return {
    time: (spec, seed, threads = 'auto') => run(spec, seed, td.rows, threads),
    warmUp: (spec, batches, threads = 'auto') => void run(spec, 0, Math.min(td.rows, batches * opts.batchSize), threads),
  };
}
