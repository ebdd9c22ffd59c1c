/**
 * Soft-target (distillation) loss of the fused engine's TypeScript pass (Hinton et al. 2015), the
 * same arithmetic as assembly/distill.ts: per row alpha * CE(y, softmax(z)) + (1 - alpha) * T^2 *
 * KL(p || softmax(z / T)) with p the teacher's probabilities at temperature T; the logits become
 * the gradient of the batch mean, (alpha * (softmax(z) - onehot) + (1 - alpha) * T * (softmax(z/T) - p)) / n.
 */
import type { SoftTargets } from '../types';

export function distillCrossEntropy(z: Float64Array, y: Int32Array, rows: Int32Array, n: number, C: number, soft: SoftTargets): number {
  const { probs, temperature: T, alpha: a } = soft;
  let total = 0;
  const inv = 1 / n;
  for (let r = 0; r < n; r++) {
    const o = r * C;
    const row = rows[r];
    const pt = row * C;
    let mx = z[o];
    for (let j = 1; j < C; j++) if (z[o + j] > mx) mx = z[o + j];
    let s = 0;
    let sT = 0;
    for (let j = 0; j < C; j++) {
      const d = z[o + j] - mx;
      s += Math.exp(d);
      sT += Math.exp(d / T);
    }
    const logS = Math.log(s);
    const logST = Math.log(sT);
    const label = y[row];
    let kl = 0;
    for (let j = 0; j < C; j++) {
      const p = probs[pt + j];
      if (p > 0) kl += p * (Math.log(p) - ((z[o + j] - mx) / T - logST));
    }
    total += a * (logS - (z[o + label] - mx)) + (1 - a) * T * T * kl;
    for (let j = 0; j < C; j++) {
      const d = z[o + j] - mx;
      let g = a * Math.exp(d - logS) + (1 - a) * T * (Math.exp(d / T - logST) - probs[pt + j]);
      if (j === label) g -= a;
      z[o + j] = g * inv;
    }
  }
  return total * inv;
}
