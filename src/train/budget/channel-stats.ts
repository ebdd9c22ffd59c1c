/**
 * Statistics of every channel a budget may remove, for networks of any layer types, measured with
 * the layers engine's own training kernels (train/layers-engine/ops; the WebAssembly convolutions
 * unless the run uses the TypeScript ones): where a level's channels enter the next mixing layer
 * (after the batch norm, pooling and activation that follow the layer making them; after a
 * flatten, as its inputs), per channel
 *  - the mean map: the mean of each of its values over the rows, what the channel is replaced by
 *    when it goes (its effect folded into the next bias), and
 *  - the Taylor score: the mean over rows of (sum over its values of (x - mean) * dLoss/dx)^2, the
 *    second moment of the first-order change of the row's loss when the channel is replaced by its
 *    mean (Molchanov et al. 2017 with mean replacement; the dense units' score of stats.ts).
 * Batch norm uses its running statistics (evaluation mode), so each row's gradient is its own.
 * Measured at every mixing layer's input: where a level has several readers (a residual block's
 * input read by its branch and its projection, a coupled set read before and after the sum), each
 * reader has its own mean map and score; the budget sums a set's scores (channel-project.ts).
 */
import type { Table } from '../../data/types';
import { applyScaling } from '../../data/scaling';
import { selectColumns } from '../../data/columns';
import { inputShapeOf } from '../../network/forward';
import { layerShapes } from '../../network/layers/table';
import type { AnyLayer, Network } from '../../network/types';
import { softmaxCrossEntropy } from '../fused/backprop';
import type { FusedKernels } from '../fused/engine';
import { wasmPassAvailable } from '../fused/wasm-pass';
import { CONV_TRAIN } from '../layers-engine/ops/conv';
import { wasmConvTrainOp } from '../layers-engine/ops/conv-wasm';
import { gradientBuffers, trainOp } from '../layers-engine/ops/table';
import { trainSlots, type TrainOp } from '../layers-engine/ops/train-op';
import { toWorkingCopy } from '../../prune/working-copy';
import { sampleRows } from './stats';

export interface ChannelStats {
  /** Per mixing layer m (at its input, level reads[m] of the working copy): mean[m][c * P + p], P values per channel. */
  mean: Float64Array[];
  /** Per mixing layer: taylor[m][c] for the channels of the level it reads (absent for levels nobody asked about). */
  taylor: (Float64Array | null)[];
}

const BATCH = 128;

/**
 * Statistics of `net` (channels of the levels with `levels[h]` true, at every reader of their coupled set) on at most `maxRows` seeded
 * rows of `table` (raw features, scaled and selected here as the network reads them).
 */
export function channelStats(
  net: Network<AnyLayer>,
  table: Pick<Table, 'rows' | 'cols' | 'features'> & { labels: Int32Array },
  levels: readonly boolean[],
  maxRows = 2000,
  seed = 0,
  kernels: FusedKernels = 'auto',
): ChannelStats {
  const picked = sampleRows(table.rows, maxRows, seed);
  const R = picked.length;
  const sub = new Float32Array(R * table.cols);
  picked.forEach((r, q) => sub.set(table.features.subarray(r * table.cols, (r + 1) * table.cols), q * table.cols));
  const x = selectColumns(net.scaling ? applyScaling(sub, table.cols, net.scaling) : sub, R, table.cols, net.inputIndices);
  const labels = Int32Array.from(picked, (r) => table.labels[r]);
  const layers = net.layers;
  const L = layers.length;
  const shapes = layerShapes(layers, inputShapeOf(net));
  const work = toWorkingCopy(net);
  const mixing = work.mixing;
  const size = (k: number) => shapes[k].reduce((a, b) => a * b, 1);
  // the channels each mixing layer reads (after a flatten, a channel is P of its inputs)
  const channels = work.inputs.map((x) => x.channels);
  const per = mixing.map((k, h) => size(k) / channels[h]);
  const want = work.inputs.map((x) => x.parts.some((p) => levels[work.coupled[p.level]] === true));
  const wasm = kernels !== 'js' && wasmPassAvailable() && layers.some((l) => l.op === 'conv');
  const conv = wasm ? (wasmConvTrainOp(CONV_TRAIN, BATCH) as TrainOp<AnyLayer>) : null;
  const opOf = (l: AnyLayer): TrainOp<AnyLayer> => (conv && l.op === 'conv' ? conv : trainOp(l));
  const cols = x.length / Math.max(1, R);
  const xb = new Float64Array(BATCH * cols);
  const scratch = gradientBuffers(layers);
  const C = size(L);
  const rowsId = Int32Array.from({ length: BATCH }, (_, i) => i);

  /** Forward of rows s..s+n; calls at(h, input of mixing layer h) and returns the caches and logits. */
  const forward = (s: number, n: number, at: (h: number, v: Float64Array) => void) => {
    for (let i = 0; i < n * cols; i++) xb[i] = x[s * cols + i];
    let cur: Float64Array = xb.subarray(0, n * cols);
    const caches: unknown[] = [];
    const slots = trainSlots();
    for (let k = 0; k < L; k++) {
      const h = mixing.indexOf(k);
      if (h >= 0 && want[h]) at(h, cur);
      const f = opOf(layers[k]).forward(layers[k], cur, n, k < L - 1, shapes[k], false, slots);
      caches.push(f.cache);
      cur = f.y;
    }
    return { caches, logits: cur, slots };
  };

  const mean = mixing.map((k, h) => new Float64Array(want[h] ? size(k) : 0));
  for (let s = 0; s < R; s += BATCH) {
    const n = Math.min(BATCH, R - s);
    forward(s, n, (h, v) => {
      const m = mean[h];
      const w = m.length;
      for (let r = 0; r < n; r++) for (let i = 0; i < w; i++) m[i] += v[r * w + i];
    });
  }
  for (const m of mean) for (let i = 0; i < m.length; i++) m[i] /= Math.max(1, R);

  const taylor = mixing.map((_, h) => (want[h] ? new Float64Array(channels[h]) : null));
  const first = want.findIndex((v) => v);
  if (first < 0) return { mean, taylor };
  const inputs: (Float64Array | null)[] = mixing.map(() => null);
  for (let s = 0; s < R; s += BATCH) {
    const n = Math.min(BATCH, R - s);
    const { caches, logits, slots } = forward(s, n, (h, v) => (inputs[h] = v.slice(0, n * size(mixing[h]))));
    const z = logits.slice(0, n * C);
    softmaxCrossEntropy(z, labels.subarray(s, s + n), rowsId.subarray(0, n), n, C);
    let dy: Float64Array | null = z;
    for (let k = L - 1; k >= mixing[first] && dy !== null; k--) {
      dy = opOf(layers[k]).backward(layers[k], caches[k], dy, n, shapes[k], scratch[k], k > 0 || want[0], slots);
      const h = mixing.indexOf(k);
      if (h < 0 || !want[h] || dy === null) continue;
      // dy is the batch-mean loss's gradient: times n, each row's own
      const t = taylor[h] as Float64Array;
      const v = inputs[h] as Float64Array;
      const m = mean[h];
      const P = per[h];
      const w = m.length;
      for (let r = 0; r < n; r++) {
        for (let c = 0; c < channels[h]; c++) {
          let d = 0;
          for (let p = c * P; p < (c + 1) * P; p++) d += (v[r * w + p] - m[p]) * dy[r * w + p];
          t[c] += (d * n) ** 2;
        }
      }
    }
  }
  for (const t of taylor) if (t) for (let c = 0; c < t.length; c++) t[c] /= Math.max(1, R);
  return { mean, taylor };
}
