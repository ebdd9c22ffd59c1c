/**
 * Soft-target (distillation) loss of the fused engine's WebAssembly pass (Hinton et al. 2015):
 * per row, alpha * CE(y, softmax(z)) + (1 - alpha) * T^2 * KL(p || softmax(z / T)), where p are
 * the teacher's probabilities at temperature T for that training row. The logits z [n, C] are
 * replaced in place by the gradient of the batch mean loss,
 *   (alpha * (softmax(z) - onehot(y)) + (1 - alpha) * T * (softmax(z / T) - p)) / n.
 * Set once per engine with setSoftTargets; runBatch uses it instead of plain cross-entropy.
 */

const TINY: f64 = 1e-30;

let softPtr: usize = 0;
let softT: f64 = 1;
let softAlpha: f64 = 1;

/** Teacher probabilities [rows, C] (float32) at `temperature`, weight `alpha` of the hard labels; soft = 0 turns it off. */
export function setSoftTargets(soft: usize, temperature: f64, alpha: f64): void {
  softPtr = soft;
  softT = temperature;
  softAlpha = alpha;
}

/** True when soft targets are set. */
export function distilling(): bool {
  return softPtr != 0;
}

/** The loss above for rows idx[0..n) (labels y[idx[r]], teacher rows soft[idx[r]]); returns the batch mean. */
export function distillCrossEntropy(z: usize, y: usize, idx: usize, n: i32, C: i32): f64 {
  let total: f64 = 0;
  const inv: f64 = 1.0 / <f64>n;
  const T = softT;
  const a = softAlpha;
  const rowBytes = <usize>C << 2;
  for (let r = 0; r < n; r++) {
    const o = z + <usize>r * rowBytes;
    const row = load<i32>(idx + (<usize>r << 2));
    const pt = softPtr + <usize>row * rowBytes;
    let mx = load<f32>(o);
    for (let j = 1; j < C; j++) mx = max(mx, load<f32>(o + (<usize>j << 2)));
    let s: f64 = 0;
    let sT: f64 = 0;
    for (let j = 0; j < C; j++) {
      const d = <f64>(load<f32>(o + (<usize>j << 2)) - mx);
      s += Math.exp(d);
      sT += Math.exp(d / T);
    }
    const label = load<i32>(y + (<usize>row << 2));
    const logS = Math.log(s);
    const logST = Math.log(sT);
    let kl: f64 = 0;
    for (let j = 0; j < C; j++) {
      const d = <f64>(load<f32>(o + (<usize>j << 2)) - mx);
      const p = <f64>load<f32>(pt + (<usize>j << 2));
      if (p > 0) kl += p * (Math.log(p) - (d / T - logST));
    }
    const zl = <f64>(load<f32>(o + (<usize>label << 2)) - mx);
    total += a * (logS - zl) + (1 - a) * T * T * kl;
    for (let j = 0; j < C; j++) {
      const q = o + (<usize>j << 2);
      const d = <f64>(load<f32>(q) - mx);
      const p = <f64>load<f32>(pt + (<usize>j << 2));
      let g = a * Math.exp(d - logS) + (1 - a) * T * (Math.exp(d / T - logST) - p);
      if (j == label) g -= a;
      g *= inv;
      store<f32>(q, Math.abs(g) < TINY ? 0 : <f32>g);
    }
  }
  return total * inv;
}
