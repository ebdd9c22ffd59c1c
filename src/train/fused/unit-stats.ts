/**
 * The budget trainer's unit statistics on the fused engine's kernels: for every unit of every
 * level (0 = the network's inputs, h = the output of hidden layer h) the mean and standard
 * deviation of its output over a set of preprocessed rows and, when the rows have labels (or
 * regression targets), its Taylor score: the mean over the rows of ((a - mean) * dLoss/da)^2, with
 * dLoss/da the gradient of the row's own loss (the task's, network/tasks.ts: softmax
 * cross-entropy with the hard label, or squared error). Two passes: the moments, then the scores
 * around the means. On the WebAssembly SIMD kernels (assembly/scores.ts, float32 passes, float64
 * sums) or on the TypeScript kernels (kernels.ts, float64). The Float64 reference is
 * train/budget/stats.ts (unitStats).
 */
import { activationDerivative, activationFn } from '../../network/activations';
import type { DenseLayer } from '../../network/types';
import { TASKS, type TaskName } from '../../network/tasks';
import type { FusedKernels } from './engine';
import { forwardRow, gatherNonzero32, gatherNonzero64 } from './kernels';
import { layerActivation, layoutOf, packLayers, type FlatLayout } from './layout';
import { releaseInstance, takeInstance, WasmNetworkMemory, wasmPassAvailable, type RowWriter } from './wasm-pass';

/** Preprocessed rows (scaled and selected, as the engine trains on them) and their targets. */
export interface ScoringRows {
  /** [rows, cols] row-major, cols = the first layer's inputs; or a writer of them (written in
   * place into the WebAssembly module's memory). */
  x: Float32Array | RowWriter;
  rows: number;
  /** Class labels per row (classification); absent with targets absent: moments only. */
  labels?: Int32Array;
  /** Regression targets [rows, outputs] in the network's units. */
  targets?: Float32Array;
}

/** mean[h][i], std[h][i] and (with labels or targets) taylor[h][i] for levels h = 0..L-1. */
export interface EngineUnitStats {
  mean: Float64Array[];
  std: Float64Array[];
  taylor?: Float64Array[];
}

const CHUNK = 256;

/** Unit statistics of `layers` on `rows` (see the module comment); 'auto' takes wasm when available. */
export function engineUnitStats(layers: readonly DenseLayer[], rows: ScoringRows, kernels: FusedKernels = 'auto'): EngineUnitStats {
  const lay = layoutOf(layers);
  if (rows.x.length !== rows.rows * lay.layers[0].inSize) {
    throw new RangeError(`scoring rows hold ${rows.x.length} values, expected ${rows.rows} rows x ${lay.layers[0].inSize} inputs`);
  }
  const task: TaskName | null = rows.targets ? 'regression' : rows.labels ? 'classification' : null;
  const useWasm = kernels === 'wasm' || (kernels === 'auto' && wasmPassAvailable());
  const sums = useWasm ? wasmStats(lay, layers, rows, task) : jsStats(lay, layers, rows, task);
  return sums;
}

function written(w: RowWriter): Float32Array {
  const x = new Float32Array(w.length);
  w.write(x);
  return x;
}

/** mean and std from the sums of a and a^2 over `count` rows. */
function moments(sum: Float64Array, sq: Float64Array, count: number): { mean: Float64Array; std: Float64Array } {
  const m = Math.max(count, 1);
  const mean = sum.map((v) => v / m);
  const std = sq.map((v, i) => Math.sqrt(Math.max(0, v / m - mean[i] * mean[i])));
  return { mean, std };
}

/** Kernel k transposed to [outS, inS]. */
function transpose(W: Float32Array, inS: number, outS: number, into: Float32Array): void {
  for (let i = 0; i < inS; i++) {
    const o = i * outS;
    for (let j = 0; j < outS; j++) into[j * inS + i] = W[o + j];
  }
}

function wasmStats(lay: FlatLayout, layers: readonly DenseLayer[], rows: ScoringRows, task: TaskName | null): EngineUnitStats {
  const y = rows.labels && !rows.targets ? rows.labels : new Int32Array(rows.rows);
  const instance = takeInstance();
  const mem = new WasmNetworkMemory(lay, rows.x, y, CHUNK, undefined, rows.targets, { scoring: true, instance });
  try {
    return wasmPasses(mem, lay, layers, rows, task);
  } finally {
    releaseInstance(instance);
  }
}

function wasmPasses(
  mem: WasmNetworkMemory,
  lay: FlatLayout,
  layers: readonly DenseLayer[],
  rows: ScoringRows,
  task: TaskName | null,
): EngineUnitStats {
  const L = lay.layers.length;
  const cols = lay.layers[0].inSize;
  const buf = mem.ex.memory.buffer;
  mem.params.set(packLayers(layers, lay));
  const units = lay.layers.reduce((a, s) => a + s.inSize, 0);
  const acc = new Float64Array(buf, mem.acc, units * 4);
  let wOff = 0;
  for (let k = 0; k < L; k++) {
    const n = lay.layers[k].inSize * lay.layers[k].outSize;
    transpose(layers[k].kernel, lay.layers[k].inSize, lay.layers[k].outSize, new Float32Array(buf, mem.wT + 4 * wOff, n));
    wOff += n;
  }
  const chunks = (f: (m: number) => void) => {
    for (let s = 0; s < rows.rows; s += CHUNK) {
      const m = Math.min(CHUNK, rows.rows - s);
      for (let r = 0; r < m; r++) mem.idxView[r] = s + r;
      f(m);
    }
  };
  chunks((m) => mem.ex.accumulateMoments(mem.table, L, mem.x, cols, mem.idx, m, mem.nzOff, mem.nzVal, mem.acc));
  const mean: Float64Array[] = [];
  const std: Float64Array[] = [];
  let base = 0;
  for (let h = 0; h < L; h++) {
    const w = lay.layers[h].inSize;
    const st = moments(acc.slice(base, base + w), acc.slice(base + w, base + 2 * w), rows.rows);
    acc.set(st.mean, base + 2 * w);
    mean.push(st.mean);
    std.push(st.std);
    base += 4 * w;
  }
  if (task === null) return { mean, std };
  chunks((m) => mem.ex.accumulateTaylor(mem.table, L, mem.x, cols, mem.y, mem.idx, m, mem.nzOff, mem.nzVal, mem.acc, mem.wT, mem.t));
  const taylor: Float64Array[] = [];
  base = 0;
  const R = Math.max(rows.rows, 1);
  for (let h = 0; h < L; h++) {
    const w = lay.layers[h].inSize;
    taylor.push(acc.slice(base + 3 * w, base + 4 * w).map((v) => v / R));
    base += 4 * w;
  }
  return { mean, std, taylor };
}

function jsStats(lay: FlatLayout, layers: readonly DenseLayer[], given: ScoringRows, task: TaskName | null): EngineUnitStats {
  const rows = given.x instanceof Float32Array ? (given as ScoringRows & { x: Float32Array }) : { ...given, x: written(given.x) };
  const L = lay.layers.length;
  const cols = lay.layers[0].inSize;
  const widest = Math.max(...lay.layers.map((s) => Math.max(s.inSize, s.outSize)));
  const nzOff = new Int32Array(widest);
  const nzVal = new Float64Array(widest);
  const acts = lay.layers.map(({ outSize: o }) => new Float64Array(o));
  const pres = lay.layers.map(({ outSize: o }) => new Float64Array(o));
  const fns = lay.layers.map((_, k) => (k < L - 1 ? layerActivation(lay, k) : null));
  const f = fns.map((a) => (a && a.name !== 'relu' ? activationFn(a) : null));
  const forward = (r: number) => {
    for (let k = 0; k < L; k++) {
      const inS = lay.layers[k].inSize;
      const outS = lay.layers[k].outSize;
      const m =
        k === 0
          ? gatherNonzero32(rows.x, r * cols, 1, inS, outS, nzOff, nzVal, 0)
          : gatherNonzero64(acts[k - 1], 0, 1, inS, outS, nzOff, nzVal, 0);
      const g = f[k];
      forwardRow(nzOff, nzVal, 0, m, layers[k].kernel, layers[k].bias, outS, acts[k], 0, k < L - 1 && g === null);
      if (g) {
        pres[k].set(acts[k]);
        for (let j = 0; j < outS; j++) acts[k][j] = g(acts[k][j]);
      }
    }
  };
  const level = (h: number, r: number, i: number) => (h === 0 ? rows.x[r * cols + i] : acts[h - 1][i]);
  const sum = lay.layers.map(({ inSize: w }) => new Float64Array(w));
  const sq = lay.layers.map(({ inSize: w }) => new Float64Array(w));
  for (let r = 0; r < rows.rows; r++) {
    forward(r);
    for (let h = 0; h < L; h++) {
      for (let i = 0; i < lay.layers[h].inSize; i++) {
        const a = level(h, r, i);
        sum[h][i] += a;
        sq[h][i] += a * a;
      }
    }
  }
  const st = sum.map((s, h) => moments(s, sq[h], rows.rows));
  const mean = st.map((s) => s.mean);
  const std = st.map((s) => s.std);
  if (task === null) return { mean, std };
  const def = TASKS[task];
  const C = lay.layers[L - 1].outSize;
  const wT = layers.map((l) => {
    const t = new Float32Array(l.inSize * l.outSize);
    transpose(l.kernel, l.inSize, l.outSize, t);
    return t;
  });
  const zeros = lay.layers.map(({ inSize: w }) => new Float32Array(w));
  const grad = lay.layers.map(({ outSize: o }) => new Float64Array(o));
  const t = lay.layers.map(({ inSize: w }) => new Float64Array(w));
  const out = lay.layers.map(({ inSize: w }) => new Float64Array(w));
  const derivs = fns.map((a) => (a && a.name !== 'relu' ? activationDerivative(a) : null));
  for (let r = 0; r < rows.rows; r++) {
    forward(r);
    const target = rows.targets ? rows.targets.subarray(r * C, (r + 1) * C) : (rows.labels as Int32Array)[r];
    def.rowLoss(acts[L - 1], target, grad[L - 1]);
    for (let k = L - 1; k >= 0; k--) {
      const inS = lay.layers[k].inSize;
      // dLoss/da of level k: rows of the transposed kernel weighted by the nonzero deltas of layer k
      const m = gatherNonzero64(grad[k], 0, 1, lay.layers[k].outSize, inS, nzOff, nzVal, 0);
      forwardRow(nzOff, nzVal, 0, m, wT[k], zeros[k], inS, t[k], 0, false);
      for (let i = 0; i < inS; i++) {
        const e = (level(k, r, i) - mean[k][i]) * t[k][i];
        out[k][i] += e * e;
      }
      if (k === 0) break;
      const d = derivs[k - 1];
      for (let i = 0; i < inS; i++) grad[k - 1][i] = d ? t[k][i] * d(pres[k - 1][i]) : acts[k - 1][i] !== 0 ? t[k][i] : 0;
    }
  }
  const R = Math.max(rows.rows, 1);
  return { mean, std, taylor: out.map((a) => a.map((v) => v / R)) };
}
