/**
 * Feature standardisation fitted on the training split: per column mean and (population)
 * standard deviation; constant columns get std 1 so they map to 0 instead of dividing by 0.
 */
import type { Scaling, Table } from './types';

/** Mean and std of every column over the table's rows (accumulated in float64). */
export function fitScaling(table: Pick<Table, 'rows' | 'cols' | 'features'>): Scaling {
  const { rows, cols, features } = table;
  const sum = new Float64Array(cols);
  const min = new Float64Array(cols).fill(Infinity);
  const max = new Float64Array(cols).fill(-Infinity);
  for (let r = 0; r < rows; r++) {
    const base = r * cols;
    for (let j = 0; j < cols; j++) {
      const v = features[base + j];
      sum[j] += v;
      if (v < min[j]) min[j] = v;
      if (v > max[j]) max[j] = v;
    }
  }
  const mean = new Float64Array(cols);
  for (let j = 0; j < cols; j++) mean[j] = rows > 0 ? sum[j] / rows : 0;
  const sq = new Float64Array(cols);
  for (let r = 0; r < rows; r++) {
    const base = r * cols;
    for (let j = 0; j < cols; j++) {
      const d = features[base + j] - mean[j];
      sq[j] += d * d;
    }
  }
  const outMean = new Float32Array(cols);
  const outStd = new Float32Array(cols);
  for (let j = 0; j < cols; j++) {
    const constant = rows === 0 || min[j] === max[j];
    outMean[j] = constant && rows > 0 ? min[j] : mean[j];
    const std = Math.fround(Math.sqrt(sq[j] / Math.max(rows, 1)));
    outStd[j] = constant || !(std > 0) || !Number.isFinite(std) ? 1 : std;
  }
  return { mean: outMean, std: outStd };
}

/**
 * Per-channel scaling of images or sequences: one mean and standard deviation per channel over all
 * its positions (as image models are normalized), laid out per column like fitScaling's (each of a
 * channel's `positions` columns gets the channel's values). Rows hold channels first (NCHW).
 */
export function fitChannelScaling(table: Pick<Table, 'rows' | 'cols' | 'features'>, channels: number): Scaling {
  const { rows, cols, features } = table;
  const positions = cols / channels;
  if (!Number.isInteger(positions)) throw new RangeError(`${cols} columns are not ${channels} channels of equal size`);
  const mean = new Float32Array(cols);
  const std = new Float32Array(cols);
  for (let c = 0; c < channels; c++) {
    let sum = 0;
    let sq = 0;
    const n = rows * positions;
    for (let r = 0; r < rows; r++) for (let k = 0, o = r * cols + c * positions; k < positions; k++) sum += features[o + k];
    const m = n > 0 ? sum / n : 0;
    for (let r = 0; r < rows; r++) {
      for (let k = 0, o = r * cols + c * positions; k < positions; k++) sq += (features[o + k] - m) * (features[o + k] - m);
    }
    const sd = Math.sqrt(sq / Math.max(n, 1));
    mean.fill(m, c * positions, (c + 1) * positions);
    std.fill(sd > 0 && Number.isFinite(sd) ? sd : 1, c * positions, (c + 1) * positions);
  }
  return { mean, std };
}

/** (x - mean) / std for row-major features with `cols` columns, as a new array. */
export function applyScaling(features: Float32Array, cols: number, scaling: Scaling): Float32Array {
  const out = new Float32Array(features.length);
  const { mean, std } = scaling;
  for (let i = 0; i < features.length; i += cols) {
    for (let j = 0; j < cols; j++) out[i + j] = (features[i + j] - mean[j]) / std[j];
  }
  return out;
}
