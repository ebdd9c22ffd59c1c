/**
 * onnxruntime-node timing of the CNN benchmark's models (scripts/bench-cnn.ts): µs per row of a
 * 1 x 28 x 28 image model at batch 1 and 64, one thread, as rounds of `seconds` each (by throughput,
 * or by the median call where other work loads the machine).
 */
import { OnnxModel } from '../../src/onnx';
import { throughputRound } from '../../src/onnx/latency';
import { Rng } from '../../src/util/rng';
import { IMAGE_SHAPE } from './cnn-bench';

const IMAGE_COLS = IMAGE_SHAPE.reduce((a, b) => a * b, 1);

/** Random rows of the images' shape, 64 of them (timing does not depend on the values). */
export function timingRows(): Float32Array {
  const rng = new Rng(1);
  return Float32Array.from({ length: 64 * IMAGE_COLS }, () => rng.next());
}

/** µs per row of one timed round: batches of `batch` rows for `seconds`. */
export const timeRound = (m: OnnxModel, x: Float32Array, batch: number, seconds: number): Promise<number> =>
  throughputRound(() => m.runBatch(x.subarray(0, batch * IMAGE_COLS), batch, IMAGE_COLS), batch, seconds);

/**
 * µs per row of one round timed call by call: the median call of `seconds` of calls. On a loaded
 * machine a call the scheduler interrupts is slower, and a round's throughput takes every
 * interruption in; the median call takes in only those of more than half of the calls.
 */
export async function timeCalls(m: OnnxModel, x: Float32Array, batch: number, seconds: number): Promise<number> {
  const calls: number[] = [];
  const t0 = process.hrtime.bigint();
  while (Number(process.hrtime.bigint() - t0) / 1e9 < seconds) {
    const t = process.hrtime.bigint();
    await m.runBatch(x.subarray(0, batch * IMAGE_COLS), batch, IMAGE_COLS);
    calls.push(Number(process.hrtime.bigint() - t) / 1e3);
  }
  calls.sort((a, b) => a - b);
  return calls[Math.floor(calls.length / 2)] / batch;
}

/** onnxruntime-node µs per row of an ONNX file at batch 1 and 64: the best of 3 interleaved rounds of `seconds`. */
export async function timeOnnx(file: string, seconds: number): Promise<{ b1: number; b64: number }> {
  const m = await OnnxModel.open(file, { threads: 1, runtime: 'node' });
  const x = timingRows();
  await timeRound(m, x, 64, seconds);
  const best = { b1: Infinity, b64: Infinity };
  for (let r = 0; r < 3; r++) {
    best.b64 = Math.min(best.b64, await timeRound(m, x, 64, seconds));
    best.b1 = Math.min(best.b1, await timeRound(m, x, 1, seconds));
  }
  return best;
}
