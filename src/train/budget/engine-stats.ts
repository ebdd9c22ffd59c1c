/**
 * The budget trainer's unit statistics (UnitStats, see stats.ts) measured on the fused engine's
 * own forward and backward kernels (train/fused/unit-stats.ts): the same rows as the Float64
 * reference (a seeded sample), preprocessed as the engine trains on them (scaled, selected, in
 * float32), the same quantities. On the WebAssembly kernels the passes run in float32, so scores
 * differ from the reference by float32 rounding (see test/budget/engine-stats.test.ts).
 */
import type { Table } from '../../data/types';
import type { Network } from '../../network/types';
import { taskOf } from '../../network/tasks';
import type { FusedKernels } from '../fused/engine';
import { keptColumns } from '../fused/kept-columns';
import { engineUnitStats } from '../fused/unit-stats';
import { sampleRows, type UnitStats } from './stats';

/** As unitStats (stats.ts), on the engine's kernels ('auto': WebAssembly when available). */
export function engineStats(
  net: Network,
  table: Pick<Table, 'rows' | 'cols' | 'features'> & { labels?: Int32Array; targets?: Float32Array },
  maxRows = 4000,
  seed = 0,
  kernels: FusedKernels = 'auto',
): UnitStats {
  const rows = sampleRows(table.rows, maxRows, seed);
  const R = rows.length;
  const cols = table.cols;
  // the rows as the engine trains on them (data/scaling.ts, data/columns.ts), written in place:
  // the kept columns of unscaled rows gathered (as the engine gathers them, fused/kept-columns.ts),
  // scaled ones computed column by column
  const keep = net.inputIndices;
  const K = keep.length;
  const scaling = net.scaling;
  const f = table.features;
  const x = scaling
    ? {
        length: R * K,
        write(into: Float32Array): void {
          const { mean, std } = scaling;
          for (let q = 0; q < R; q++) {
            const o = rows[q] * cols;
            const p = q * K;
            // as applyScaling then selectColumns: the scaled value rounded to float32
            for (let k = 0; k < K; k++) into[p + k] = (f[o + keep[k]] - mean[keep[k]]) / std[keep[k]];
          }
        },
      }
    : keptColumns(f, { width: cols, keep }, rows);
  const C = net.layers[net.layers.length - 1].outSize;
  const regression = taskOf(net) === 'regression' && table.targets !== undefined;
  let targets: Float32Array | undefined;
  if (regression) {
    const all = table.targets as Float32Array;
    targets = new Float32Array(R * C);
    for (let q = 0; q < R; q++) targets.set(all.subarray(rows[q] * C, (rows[q] + 1) * C), q * C);
  }
  const labels = !regression && table.labels ? Int32Array.from(rows, (r) => (table.labels as Int32Array)[r]) : undefined;
  const s = engineUnitStats(net.layers, { x, rows: R, ...(labels ? { labels } : {}), ...(targets ? { targets } : {}) }, kernels);
  return { mean: s.mean, std: s.std, ...(s.taylor ? { taylor: s.taylor } : {}) };
}
