/** Picking columns of row-major feature matrices (kept inputs of a pruned network, compact ONNX input). */

/** Columns `keep` of features [rows x cols], in the order given; an identity selection returns the input itself. */
export function selectColumns(features: Float32Array, rows: number, cols: number, keep: number[]): Float32Array {
  if (keep.length === cols && keep.every((c, i) => c === i)) return features;
  const out = new Float32Array(rows * keep.length);
  for (let r = 0; r < rows; r++) {
    const o = r * cols;
    for (let k = 0; k < keep.length; k++) out[r * keep.length + k] = features[o + keep[k]];
  }
  return out;
}
