/**
 * Synthetic linear regression with (strongly) group-sparse true weights, for the paper's
 * Section 3.5 / Figure 3 experiment.
 *
 * Features 0..p-1 fall into p/g consecutive groups of size g. The true weight vector w* has k
 * nonzeros inside m groups chosen at random; every chosen group holds at least one nonzero, the
 * other k - m nonzeros fill random further slots of the chosen groups. The cover ratio
 * m*g/k says how well the groups cover the support: 1 means the support is exactly a union of
 * groups (strong group sparsity); larger means the groups touched are only partly filled
 * (k/m nonzeros per touched group on average; at m = k every touched group holds one).
 * Nonzero values are standard normal. X has i.i.d. N(0,1) entries, y = X w* + noise * N(0,1).
 */
import { GsError } from '../errors';
import { Rng } from '../util/rng';

export interface GroupSparseDesign {
  /** Features (a multiple of groupSize). */
  p: number;
  groupSize: number;
  /** Nonzeros of w*. */
  k: number;
  /** Groups touched by the support; the cover ratio is groupsTouched * groupSize / k. */
  groupsTouched: number;
}

/** A data split: row-major features [rows x p] and targets. */
export interface RegressionSplit {
  x: Float64Array;
  y: Float64Array;
  rows: number;
}

/** Groups to touch for a requested cover ratio (rounded to a whole number of groups), checked. */
export function groupsForCoverRatio(p: number, groupSize: number, k: number, coverRatio: number): number {
  const m = Math.round((coverRatio * k) / groupSize);
  checkDesign({ p, groupSize, k, groupsTouched: m }, `cover ratio ${coverRatio}`);
  return m;
}

export function coverRatio(d: GroupSparseDesign): number {
  return (d.groupsTouched * d.groupSize) / d.k;
}

function checkDesign(d: GroupSparseDesign, what: string): void {
  const { p, groupSize: g, k, groupsTouched: m } = d;
  if (!(Number.isInteger(g) && g >= 1 && Number.isInteger(p) && p >= g && p % g === 0)) {
    throw new GsError('BAD_OPTION', `features p=${p} must be a positive multiple of the group size ${g}`);
  }
  if (!(Number.isInteger(k) && k >= 1 && k <= p)) throw new GsError('BAD_OPTION', `support size k=${k} must be an integer in 1..${p}`);
  const groups = p / g;
  if (!(Number.isInteger(m) && m >= Math.ceil(k / g) && m <= Math.min(k, groups))) {
    throw new GsError(
      'BAD_OPTION',
      `${what}: ${m} groups touched is impossible with k=${k}, group size ${g}, ${groups} groups (possible cover ratios ${(Math.ceil(k / g) * g) / k} to ${(Math.min(k, groups) * g) / k})`,
    );
  }
}

/** w* for the design: k standard-normal nonzeros in groupsTouched random groups, each touched group nonempty. */
export function plantGroupSparse(d: GroupSparseDesign, rng: Rng): Float64Array {
  checkDesign(d, 'design');
  const { p, groupSize: g, k, groupsTouched: m } = d;
  const groups = Array.from(rng.permutation(p / g).subarray(0, m));
  const w = new Float64Array(p);
  const spare: number[] = [];
  for (const gi of groups) {
    const first = rng.int(g);
    for (let j = 0; j < g; j++) {
      if (j === first) w[gi * g + j] = 1;
      else spare.push(gi * g + j);
    }
  }
  const extra = rng.permutation(spare.length);
  for (let t = 0; t < k - m; t++) w[spare[extra[t]]] = 1;
  for (let i = 0; i < p; i++) if (w[i] !== 0) w[i] = nonzeroNormal(rng);
  return w;
}

function nonzeroNormal(rng: Rng): number {
  for (;;) {
    const v = rng.normal();
    if (v !== 0) return v;
  }
}

/** rows samples: X with N(0,1) entries, y = X w + noise * N(0,1). */
export function sampleRegression(w: Float64Array, rows: number, noise: number, rng: Rng): RegressionSplit {
  const p = w.length;
  const x = new Float64Array(rows * p);
  const y = new Float64Array(rows);
  for (let r = 0; r < rows; r++) {
    let s = 0;
    for (let i = 0; i < p; i++) {
      const v = rng.normal();
      x[r * p + i] = v;
      s += v * w[i];
    }
    y[r] = s + noise * rng.normal();
  }
  return { x, y, rows };
}
