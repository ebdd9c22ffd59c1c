/**
 * Test helpers for the penalty layer: a seeded PRNG, an independent float64 reference of R and of
 * the prox objective, and a derivative-free zoom grid search used as the brute-force minimizer.
 */

/** mulberry32: small seeded generator in [0, 1). */
export function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export type Kind = 'l1' | 'gl' | 'sgl';

/** R of a layer written plainly from the definitions, in float64 (kernel [inSize x outSize]). */
export function refR(kind: Kind, kernel: number[], bias: number[], inSize: number, outSize: number): number {
  const abs = (a: number[]) => a.reduce((s, x) => s + Math.abs(x), 0);
  let gl = 0;
  for (let i = 0; i < inSize; i++) {
    const row = kernel.slice(i * outSize, (i + 1) * outSize);
    gl += Math.sqrt(outSize) * Math.sqrt(row.reduce((s, x) => s + x * x, 0));
  }
  gl += abs(bias);
  const l1 = abs(kernel) + abs(bias);
  return kind === 'l1' ? l1 : kind === 'gl' ? gl : gl + l1;
}

/** sum (x - v)^2 / (2h) over kernel and bias, plus lambda * R(x). */
export function proxObjective(
  kind: Kind,
  lambda: number,
  inSize: number,
  outSize: number,
  v: { kernel: number[]; bias: number[] },
  h: { kernel: number[]; bias: number[] },
  x: { kernel: number[]; bias: number[] },
): number {
  let q = 0;
  x.kernel.forEach((xi, i) => (q += (xi - v.kernel[i]) ** 2 / (2 * h.kernel[i])));
  x.bias.forEach((xi, i) => (q += (xi - v.bias[i]) ** 2 / (2 * h.bias[i])));
  return q + lambda * refR(kind, x.kernel, x.bias, inSize, outSize);
}

/**
 * Minimize f over a d-dimensional point (d <= 3 in practice) by zoom grid search: evaluate an
 * n^d grid over a box, recenter on the best point, shrink the box by 0.7, repeat. For a convex f
 * this homes in on the minimizer; no derivatives, so kinks and zero groups are no problem.
 */
export function zoomMinimize(
  f: (x: number[]) => number,
  center: number[],
  halfWidth: number,
  rounds = 55,
  n = center.length > 2 ? 11 : 15,
): number[] {
  const d = center.length;
  let c = center.slice();
  let w = halfWidth;
  let best = c.slice();
  let bestF = f(best);
  const idx = new Array<number>(d).fill(0);
  const p = new Array<number>(d).fill(0);
  for (let r = 0; r < rounds; r++) {
    idx.fill(0);
    for (;;) {
      for (let k = 0; k < d; k++) p[k] = c[k] - w + (2 * w * idx[k]) / (n - 1);
      const fp = f(p);
      if (fp < bestF) {
        bestF = fp;
        best = p.slice();
      }
      let k = 0;
      while (k < d && ++idx[k] === n) idx[k++] = 0;
      if (k === d) break;
    }
    c = best.slice();
    w *= 0.7;
  }
  return best;
}
