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
 * input itself. See copyColumns.
 */
export function selectColumns(features: Float32Array, rows: number, cols: number, keep: readonly number[]): Float32Array {
  if (keep.length === cols && keep.every((c, i) => c === i)) return features;
  const out = new Float32Array(rows * keep.length);
  copyColumns(features, cols, keep, rows, out);
  return out;
}

/**
 * Writes columns `keep` (in the order given) of rows of features [? x cols] into `into`, one row
 * after another: rows 0..rows-1, or the rows listed. Into memory that is mapped already (a reused
 * WebAssembly instance's) this is a plain copy; a fresh array of the same size costs many times
 * more in page faults on some machines. Consecutive kept columns are copied run by run (pruned
 * image inputs keep runs of pixels: MNIST at half its inputs about 20 runs of 22 columns),
 * scattered ones one by one.
 */
export function copyColumns(
  features: Float32Array,
  cols: number,
  keep: readonly number[],
  rows: number | ArrayLike<number>,
  into: Float32Array,
): void {
  const n = typeof rows === 'number' ? rows : rows.length;
  const at = typeof rows === 'number' ? (i: number) => i : (i: number) => rows[i];
  const k = keep.length;
  if (into.length < n * k) throw new RangeError(`${into.length} values cannot hold ${n} rows x ${k} columns`);
  const runs = runsOf(keep);
  // block copies pay when runs are long; scattered columns are copied one by one
  if (runs.length * 4 <= k) {
    for (let r = 0; r < n; r++) {
      const o = at(r) * cols;
      let pos = r * k;
      for (let i = 0; i < runs.length; i += 2) {
        const start = o + runs[i];
        const end = pos + runs[i + 1];
        for (let c = start; pos < end; c++) into[pos++] = features[c];
      }
    }
    return;
  }
  for (let r = 0; r < n; r++) {
    const o = at(r) * cols;
    const p = r * k;
    for (let j = 0; j < k; j++) into[p + j] = features[o + keep[j]];
  }
}
