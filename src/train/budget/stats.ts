/**
 * Statistics of every unit's output on a sample of training rows: per level (the network's
 * inputs after scaling and selection, then each hidden layer after its ReLU) the mean and the
 * standard deviation (hidden layers with their own activation, relu when none is recorded). They score units for the budget projection (a unit whose output barely
 * varies can go, its mean folded into the next bias) and make that fold. This is the Float64
 * reference (scalar loops); budget runs measure the same quantities on the fused engine's kernels
 * (engine-stats.ts).
 */
import type { Table } from '../../data/types';
import type { Network } from '../../network/types';
import { activationDerivative, activationFn, activationOf } from '../../network/activations';
import { TASKS, taskOf } from '../../network/tasks';
import { Rng } from '../../util/rng';

export interface UnitStats {
  /** mean[h][i], std[h][i]: unit i of level h (0 = inputs of the first layer, h = hidden layer h). */
  mean: Float64Array[];
  std: Float64Array[];
  /** taylor[h][i]: mean over the rows of ((a - mean) * dLoss/da)^2 for the unit's output a, the
   * second moment of the first-order change of the cross-entropy when a is replaced by its mean
   * (present when labels were given). In loss units, so comparable across layers. */
  taylor?: Float64Array[];
}

/** The rows statistics are measured on: all of them up to `maxRows`, else a seeded sample of `maxRows`. */
export function sampleRows(count: number, maxRows: number, seed: number): Int32Array {
  return count <= maxRows ? Int32Array.from({ length: count }, (_, i) => i) : new Rng(seed).permutation(count).slice(0, maxRows);
}

/** Statistics over at most `maxRows` rows of the table (a seeded sample when it has more). */
export function unitStats(
  net: Network,
  table: Pick<Table, 'rows' | 'cols' | 'features'> & { labels?: Int32Array },
  maxRows = 4000,
  seed = 0,
): UnitStats {
  const rows = sampleRows(table.rows, maxRows, seed);
  const L = net.layers.length;
  const widths = [net.inputIndices.length, ...net.layers.slice(0, L - 1).map((l) => l.outSize)];
  const sum = widths.map((w) => new Float64Array(w));
  const sq = widths.map((w) => new Float64Array(w));
  const idx = net.inputIndices;
  const mean0 = net.scaling?.mean;
  const std0 = net.scaling?.std;
  let cur = new Float64Array(Math.max(...widths));
  let next = new Float64Array(Math.max(...widths));
  for (const r of rows) {
    const o = r * table.cols;
    for (let k = 0; k < idx.length; k++) {
      const c = idx[k];
      const v = table.features[o + c];
      cur[k] = mean0 && std0 ? (v - mean0[c]) / std0[c] : v;
    }
    for (let h = 0; h < L; h++) {
      const w = widths[h];
      for (let i = 0; i < w; i++) {
        sum[h][i] += cur[i];
        sq[h][i] += cur[i] * cur[i];
      }
      if (h === L - 1) break;
      const layer = net.layers[h];
      const n = layer.outSize;
      for (let j = 0; j < n; j++) next[j] = layer.bias[j];
      for (let i = 0; i < w; i++) {
        const a = cur[i];
        if (a === 0) continue;
        const ko = i * n;
        for (let j = 0; j < n; j++) next[j] += a * layer.kernel[ko + j];
      }
      activate(layer, next, n);
      [cur, next] = [next, cur];
    }
  }
  const m = Math.max(rows.length, 1);
  const mean = sum.map((s) => s.map((v) => v / m));
  const std = sq.map((s, h) => s.map((v, i) => Math.sqrt(Math.max(0, v / m - mean[h][i] * mean[h][i]))));
  const taylor = table.labels
    ? taylorScores(net, table as Pick<Table, 'rows' | 'cols' | 'features' | 'labels' | 'targets'>, rows, mean)
    : undefined;
  return { mean, std, ...(taylor ? { taylor } : {}) };
}

/** A hidden layer's activation in place on v[0..n) (the layer's recorded one, relu when absent). */
function activate(layer: Network['layers'][number], v: Float64Array, n: number): void {
  const a = activationOf(layer);
  if (a.name === 'relu') {
    for (let j = 0; j < n; j++) if (v[j] < 0) v[j] = 0;
    return;
  }
  const f = activationFn(a);
  for (let j = 0; j < n; j++) v[j] = f(v[j]);
}

/** Second moments of the first-order loss change of replacing each unit's output by its mean (see UnitStats.taylor). */
function taylorScores(
  net: Network,
  table: Pick<Table, 'rows' | 'cols' | 'features' | 'labels' | 'targets'>,
  rows: Int32Array,
  mean: Float64Array[],
): Float64Array[] {
  const L = net.layers.length;
  const task = TASKS[taskOf(net)];
  const widths = [net.inputIndices.length, ...net.layers.map((l) => l.outSize)];
  const acts = widths.map((w) => new Float64Array(w));
  const grad = widths.map((w) => new Float64Array(w));
  const out = widths.slice(0, L).map((w) => new Float64Array(w));
  const pres = widths.map((w) => new Float64Array(w));
  const derivs = net.layers.map((l) => {
    const a = activationOf(l);
    return a.name === 'relu' ? null : activationDerivative(a);
  });
  const idx = net.inputIndices;
  const mean0 = net.scaling?.mean;
  const std0 = net.scaling?.std;
  for (const r of rows) {
    const o = r * table.cols;
    for (let k = 0; k < idx.length; k++) {
      const c = idx[k];
      const v = table.features[o + c];
      acts[0][k] = mean0 && std0 ? (v - mean0[c]) / std0[c] : v;
    }
    for (let h = 0; h < L; h++) {
      const layer = net.layers[h];
      const n = layer.outSize;
      const cur = acts[h];
      const next = acts[h + 1];
      for (let j = 0; j < n; j++) next[j] = layer.bias[j];
      for (let i = 0; i < widths[h]; i++) {
        const a = cur[i];
        if (a === 0) continue;
        for (let j = 0; j < n; j++) next[j] += a * layer.kernel[i * n + j];
      }
      if (h < L - 1) {
        pres[h + 1].set(next.subarray(0, n));
        activate(layer, next, n);
      }
    }
    // the task's loss gradient at the outputs (network/tasks.ts: softmax cross-entropy or squared error)
    const C = widths[L];
    const t = table.targets;
    task.rowLoss(acts[L], t ? t.subarray(r * C, (r + 1) * C) : table.labels[r], grad[L]);
    for (let h = L - 1; h >= 0; h--) {
      // grad[h+1] holds dLoss/d(pre-activation) of level h+1; dLoss/da of level h:
      const layer = net.layers[h];
      const n = layer.outSize;
      const d = grad[h + 1];
      const g = grad[h];
      for (let i = 0; i < widths[h]; i++) {
        let t = 0;
        for (let j = 0; j < n; j++) t += layer.kernel[i * n + j] * d[j];
        const e = (acts[h][i] - mean[h][i]) * t;
        out[h][i] += e * e;
        const d1 = h > 0 ? derivs[h - 1] : null;
        g[i] = h === 0 ? 0 : d1 ? t * d1(pres[h][i]) : acts[h][i] > 0 ? t : 0;
      }
    }
  }
  const m = Math.max(rows.length, 1);
  return out.map((a) => a.map((v) => v / m));
}
