/**
 * Mean squared error of the fused engine's TypeScript pass (network/tasks.ts, regression), the same
 * arithmetic as assembly/regression.ts: the mean over the batch's n*k elements of (z - t)^2, as
 * PyTorch's nn.MSELoss(); the outputs z [n, k] become the gradient of that mean, 2 (z - t) / (n k).
 */

/** z [n x k] in place; targets [rows x k], batch row r is data row rows[r]. Returns the batch mean loss. */
export function meanSquaredError(z: Float64Array, targets: Float32Array, rows: Int32Array, n: number, k: number): number {
  let total = 0;
  const scale = 2 / (n * k);
  for (let r = 0; r < n; r++) {
    const o = r * k;
    const t = rows[r] * k;
    for (let j = 0; j < k; j++) {
      const d = z[o + j] - targets[t + j];
      total += d * d;
      z[o + j] = d * scale;
    }
  }
  return total / (n * k);
}
