/**
 * Mean squared error of the fused engine's WebAssembly pass (network/tasks.ts, regression), as
 * PyTorch's nn.MSELoss(): the mean over the batch's n*k elements of (z - t)^2, where t are the
 * numeric targets [rows, k] (float32) of the batch rows idx[r]. The outputs z [n, k] are replaced
 * in place by the gradient of that mean, 2 (z - t) / (n k). Set once per engine with
 * setRegressionTargets; runBatch uses it instead of the softmax cross-entropy.
 */

let targetPtr: usize = 0;

/** Numeric targets [rows, k] (float32); 0 turns regression off. */
export function setRegressionTargets(targets: usize): void {
  targetPtr = targets;
}

/** True when regression targets are set. */
export function regressing(): bool {
  return targetPtr != 0;
}

/** The loss above for rows idx[0..n) with k outputs; returns the batch mean (float64). */
export function meanSquaredError(z: usize, idx: usize, n: i32, k: i32): f64 {
  let total: f64 = 0;
  const scale: f64 = 2.0 / (<f64>n * <f64>k);
  const rowBytes = <usize>k << 2;
  for (let r = 0; r < n; r++) {
    const o = z + <usize>r * rowBytes;
    const row = load<i32>(idx + (<usize>r << 2));
    const t = targetPtr + <usize>row * rowBytes;
    for (let j = 0; j < k; j++) {
      const q = o + (<usize>j << 2);
      const d = <f64>load<f32>(q) - <f64>load<f32>(t + (<usize>j << 2));
      total += d * d;
      store<f32>(q, <f32>(d * scale));
    }
  }
  return total / (<f64>n * <f64>k);
}
