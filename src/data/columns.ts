/** Picking columns of row-major feature matrices (kept inputs of a pruned network, compact ONNX input). */

/** Runs of consecutive columns in `keep`: [first column, length] pairs, in order. */
function runsOf(keep: readonly number[]): number[] {
  const runs: number[] = [];
  for (let k = 0; k < keep.length;) {
    let n = 1;
    while (k + n < keep.length && keep[k + n] === keep[k] + n) n++;
    runs.push(keep[k], n);
    k += n;
  }
  return runs;
}

/**
 * Columns `keep` of features [rows x cols], in the order given; an identity selection returns the
 * input itself. Consecutive kept columns are copied run by run (pruned image inputs keep runs of
 * pixels: MNIST at half its inputs about 20 runs of 22 columns), scattered ones one by one.
 */
export function selectColumns(features: Float32Array, rows: number, cols: number, keep: readonly number[]): Float32Array {
  if (keep.length === cols && keep.every((c, i) => c === i)) return features;
  const k = keep.length;
  const out = new Float32Array(rows * k);
  const runs = runsOf(keep);
  // block copies pay when runs are long; scattered columns are copied one by one
  if (runs.length * 4 <= k) {
    for (let r = 0; r < rows; r++) {
      const o = r * cols;
      let pos = r * k;
      for (let i = 0; i < runs.length; i += 2) {
        const start = o + runs[i];
        const end = pos + runs[i + 1];
        for (let c = start; pos < end; c++) out[pos++] = features[c];
      }
    }
    return out;
  }
  for (let r = 0; r < rows; r++) {
    const o = r * cols;
    for (let j = 0; j < k; j++) out[r * k + j] = features[o + keep[j]];
  }
  return out;
}
