/**
 * The strong-group-sparsity experiment of the paper's Section 3.5 / Figure 3: recovery error of
 * group lasso against lasso as the cover ratio of the true support varies.
 *
 * Default design (runs in a few seconds): p = 200 features in 20 groups of g = 10, k = 20
 * nonzeros, n = 100 training rows (fewer rows than features), 100 validation rows, noise
 * standard deviation 0.5, cover ratios 1, 1.5, 2, 3, 5, 10 (i.e. 2, 3, 4, 6, 10, 20 groups
 * touched; at 10 every group holds one nonzero), 5 seeds. See synthetic-regression.ts for how
 * w*, X and y are drawn. For one seed and one ratio both methods see the same w*, X, y.
 *
 * Each method is solved by proximal gradient (prox-gradient.ts) on a path of 12 lambdas from
 * its own lambda_max down to lambda_max/100 (log spaced). Lambda is chosen by the smallest
 * validation mean squared error (the reported "validation" error); the smallest recovery error
 * over the path (an oracle choice, the best either method can do on this grid) is reported too.
 * Recovery error: ||w_hat - w*||_2 / ||w*||_2, averaged over seeds.
 */
import { Rng } from '../util/rng';
import { lambdaMax, meanSquaredError, proxGradientSolver, relativeError, type SparseMethod } from './prox-gradient';
import { coverRatio, groupsForCoverRatio, plantGroupSparse, sampleRegression } from './synthetic-regression';

export interface GroupDesignOptions {
  p: number;
  groupSize: number;
  k: number;
  samples: number;
  validationSamples: number;
  noise: number;
  coverRatios: number[];
  seeds: number;
  /** Seeds used are firstSeed .. firstSeed + seeds - 1. */
  firstSeed: number;
  lambdas: number;
  /** Smallest lambda as a fraction of lambda_max. */
  lambdaMinRatio: number;
}

export const GROUP_DESIGN_DEFAULTS: GroupDesignOptions = {
  p: 200,
  groupSize: 10,
  k: 20,
  samples: 100,
  validationSamples: 100,
  noise: 0.5,
  coverRatios: [1, 1.5, 2, 3, 5, 10],
  seeds: 5,
  firstSeed: 1,
  lambdas: 12,
  lambdaMinRatio: 1e-2,
};

export const METHODS: readonly SparseMethod[] = ['group-lasso', 'lasso'];

/** One method on one problem: the validation-chosen and oracle results. */
export interface MethodTrial {
  method: SparseMethod;
  /** Recovery error at the lambda of smallest validation error. */
  error: number;
  lambda: number;
  /** Nonzeros of w_hat at that lambda. */
  nonzeros: number;
  /** Smallest recovery error over the lambda path. */
  oracleError: number;
  oracleLambda: number;
}

export interface MethodSummary {
  meanError: number;
  stdError: number;
  meanOracleError: number;
  meanNonzeros: number;
}

export interface GroupDesignRow {
  requestedCoverRatio: number;
  coverRatio: number;
  groupsTouched: number;
  'group-lasso': MethodSummary;
  lasso: MethodSummary;
  /** The method with the smaller mean validation-chosen error. */
  better: SparseMethod;
  trials: { seed: number; results: MethodTrial[] }[];
}

export interface GroupDesignResult {
  options: GroupDesignOptions;
  rows: GroupDesignRow[];
  seconds: number;
}

/** The lambda path: lambdaMax * ratio^(i/(count-1)), largest first. */
export function lambdaPath(max: number, count: number, minRatio: number): number[] {
  if (count === 1) return [max * minRatio];
  return Array.from({ length: count }, (_, i) => max * Math.pow(minRatio, i / (count - 1)));
}

/** Solve one method on one problem along its lambda path. */
export function runTrial(
  method: SparseMethod,
  wTrue: Float64Array,
  train: ReturnType<typeof sampleRegression>,
  valid: ReturnType<typeof sampleRegression>,
  o: Pick<GroupDesignOptions, 'groupSize' | 'lambdas' | 'lambdaMinRatio'>,
): MethodTrial {
  const p = wTrue.length;
  const solver = proxGradientSolver(train, p, o.groupSize, method);
  let w: Float64Array | undefined;
  let best: MethodTrial | undefined;
  let bestVal = Infinity;
  let oracleError = Infinity;
  let oracleLambda = 0;
  for (const lambda of lambdaPath(lambdaMax(train, p, o.groupSize, method), o.lambdas, o.lambdaMinRatio)) {
    w = solver.solve(lambda, w);
    const err = relativeError(w, wTrue);
    const val = meanSquaredError(valid, w);
    if (err < oracleError) {
      oracleError = err;
      oracleLambda = lambda;
    }
    if (val < bestVal) {
      bestVal = val;
      best = { method, error: err, lambda, nonzeros: w.reduce((n, v) => n + (v !== 0 ? 1 : 0), 0), oracleError: 0, oracleLambda: 0 };
    }
  }
  return { ...(best as MethodTrial), oracleError, oracleLambda };
}

function summarize(trials: MethodTrial[]): MethodSummary {
  const n = trials.length;
  const mean = (f: (t: MethodTrial) => number) => trials.reduce((s, t) => s + f(t), 0) / n;
  const meanError = mean((t) => t.error);
  const variance = n > 1 ? trials.reduce((s, t) => s + (t.error - meanError) ** 2, 0) / (n - 1) : 0;
  return { meanError, stdError: Math.sqrt(variance), meanOracleError: mean((t) => t.oracleError), meanNonzeros: mean((t) => t.nonzeros) };
}

/** Run the experiment; onProgress(done, total) after every (ratio, seed) problem. */
export function runGroupDesign(
  partial: Partial<GroupDesignOptions> = {},
  onProgress?: (done: number, total: number) => void,
): GroupDesignResult {
  const o: GroupDesignOptions = { ...GROUP_DESIGN_DEFAULTS, ...partial };
  const start = Date.now();
  const total = o.coverRatios.length * o.seeds;
  let done = 0;
  const rows = o.coverRatios.map((requested, ri): GroupDesignRow => {
    const m = groupsForCoverRatio(o.p, o.groupSize, o.k, requested);
    const design = { p: o.p, groupSize: o.groupSize, k: o.k, groupsTouched: m };
    const trials: GroupDesignRow['trials'] = [];
    for (let s = 0; s < o.seeds; s++) {
      const seed = o.firstSeed + s;
      const rng = new Rng(seed * 1_000_003 + ri * 7919 + 17);
      const wTrue = plantGroupSparse(design, rng);
      const train = sampleRegression(wTrue, o.samples, o.noise, rng);
      const valid = sampleRegression(wTrue, o.validationSamples, o.noise, rng);
      trials.push({ seed, results: METHODS.map((method) => runTrial(method, wTrue, train, valid, o)) });
      onProgress?.(++done, total);
    }
    const of = (method: SparseMethod) => summarize(trials.map((t) => t.results.find((r) => r.method === method) as MethodTrial));
    const gl = of('group-lasso');
    const l1 = of('lasso');
    return {
      requestedCoverRatio: requested,
      coverRatio: coverRatio(design),
      groupsTouched: m,
      'group-lasso': gl,
      lasso: l1,
      better: gl.meanError <= l1.meanError ? 'group-lasso' : 'lasso',
      trials,
    };
  });
  return { options: o, rows, seconds: (Date.now() - start) / 1000 };
}
