/**
 * Checking an import against the ORIGINAL file: the imported Network's reference forward pass and
 * the original model (onnxruntime on the user's ONNX file, with its logits tensor added as an
 * output; tfjs for a LayersModel) on the same rows give the same outputs to float32 rounding.
 * Also: running the original on rows (for agreement and for fine-tuning targets).
 */
import { GsError } from '../errors';
import { multiplyAdds } from '../network/create';
import { logits as referenceLogits, outputCount, softmaxRows } from '../network/forward';
import { isRegression, type TaskName } from '../network/tasks';
import type { AnyLayer, Network } from '../network/types';
import type { ImportedModel } from '../import/types';
import { runOriginal, runsOnNoRows } from './original-runners';
import { Rng } from '../util/rng';

export interface ImportCheck {
  rows: number;
  /** Largest |p_original - p_imported| over all rows and classes (probabilities); for a regressor
   * the largest |z_original - z_imported| / max(1, |z_original|) of its outputs. */
  maxProbabilityDiff: number;
  /** Largest |z_original - z_imported| / max(1, |z_original|) over the logits (when the original exposes them);
   * checked against 10 x tolerance, as long float32 sums round more than probabilities show. */
  maxLogitDiff: number | null;
  /** Rows whose predicted class differs. */
  labelDisagreements: number;
  passed: boolean;
  tolerance: number;
}

/** Random rows in the network's raw feature space: around its scaling when it has one. */
export function randomRows(net: Network<AnyLayer>, rows: number, seed: number): Float32Array {
  const rng = new Rng(seed);
  const d = net.inputWidth;
  const x = new Float32Array(rows * d);
  for (let r = 0; r < rows; r++) {
    for (let c = 0; c < d; c++) {
      const m = net.scaling ? net.scaling.mean[c] : 0;
      const s = net.scaling ? net.scaling.std[c] : 1;
      x[r * d + c] = m + s * rng.normal() * 1.5;
    }
  }
  return x;
}

export { runOriginal } from './original-runners';

function argmax(p: Float32Array, C: number, r: number): number {
  let best = 0;
  for (let j = 1; j < C; j++) if (p[r * C + j] > p[r * C + best]) best = j;
  return best;
}

/** Compares the imported network with the original on `x` (raw rows). */
export async function checkImport(imported: ImportedModel, x: Float32Array, rows: number, tolerance = 1e-5): Promise<ImportCheck> {
  if (!runsOnNoRows(imported.original) && rows === 0) throw new GsError('BAD_INPUT', 'no rows to check the import on');
  const net = imported.network;
  const C = outputCount(net);
  const z = referenceLogits(net, x, rows);
  const p = softmaxRows(z, C);
  const orig = await runOriginal(imported.original, x, rows);
  if (isRegression(net)) return checkRegressor(z, orig.logits ?? orig.probabilities, rows, C, tolerance);
  if (orig.probabilities.length !== p.length) {
    throw new GsError(
      'VERIFY_FAILED',
      `the original model gives ${orig.probabilities.length / rows} outputs per row, the imported network ${C}`,
    );
  }
  let maxP = 0;
  let maxZ: number | null = orig.logits ? 0 : null;
  let dis = 0;
  for (let i = 0; i < p.length; i++) maxP = Math.max(maxP, Math.abs(p[i] - orig.probabilities[i]));
  if (orig.logits) {
    for (let i = 0; i < z.length; i++)
      maxZ = Math.max(maxZ as number, Math.abs(z[i] - orig.logits[i]) / Math.max(1, Math.abs(orig.logits[i])));
  }
  for (let r = 0; r < rows; r++) if (argmax(p, C, r) !== argmax(orig.probabilities, C, r)) dis++;
  const passed = maxP <= tolerance && (maxZ === null || maxZ <= 10 * tolerance);
  return { rows, maxProbabilityDiff: maxP, maxLogitDiff: maxZ, labelDisagreements: dis, passed, tolerance };
}

/** A regressor's check: its outputs (not probabilities) against the original's, relative to
 * max(1, |original|); maxProbabilityDiff and maxLogitDiff both hold that difference. */
function checkRegressor(z: Float32Array, orig: Float32Array, rows: number, k: number, tolerance: number): ImportCheck {
  if (orig.length !== z.length) {
    throw new GsError('VERIFY_FAILED', `the original model gives ${orig.length / rows} outputs per row, the imported network ${k}`);
  }
  let maxZ = 0;
  for (let i = 0; i < z.length; i++) {
    const d = Math.abs(z[i] - orig[i]) / Math.max(1, Math.abs(orig[i]));
    if (!(d <= maxZ)) maxZ = Number.isNaN(d) ? Infinity : d;
  }
  return { rows, maxProbabilityDiff: maxZ, maxLogitDiff: maxZ, labelDisagreements: 0, passed: maxZ <= tolerance, tolerance };
}

export interface ImportAndCheck {
  imported: ImportedModel;
  random: ImportCheck;
  /** On the given real rows, when any. */
  data: ImportCheck | null;
}

/** Random rows an import is checked on by default: 256, fewer for a large network (down to 16), so
 * that the reference pass (float64, TypeScript) stays within about CHECK_MACS multiply-adds: a
 * DenseNet-121 at 64x64 (234 million per row) took minutes on 256 rows. Data rows (--data) are
 * capped by the same budget (at least 16), not by 256. */
const CHECK_ROWS = 256;
const CHECK_ROWS_MIN = 16;
const CHECK_MACS = 2e9;
const withinBudget = (net: Network<AnyLayer>) => Math.max(CHECK_ROWS_MIN, Math.floor(CHECK_MACS / Math.max(1, multiplyAdds(net))));
export function randomCheckRows(net: Network<AnyLayer>): number {
  return Math.min(CHECK_ROWS, withinBudget(net));
}
/** Of `available` data rows, how many the import is checked on (see randomCheckRows). */
export function dataCheckRows(net: Network<AnyLayer>, available: number): number {
  return Math.min(available, withinBudget(net));
}

/**
 * Imports `file` and checks it against the original on `randomCount` random rows and on the given
 * real rows; throws VERIFY_FAILED (nothing should be written then) when either check fails.
 */
export async function importAndCheck(
  file: string,
  opts: {
    randomRows?: number;
    seed?: number;
    rows?: { x: Float32Array; rows: number; cols: number } | null;
    tolerance?: number;
    /** What the user says the model is (--task); 'regression' imports a linear output as a regressor. */
    task?: TaskName;
  } = {},
): Promise<ImportAndCheck> {
  const { importModel } = await import('../import');
  const imported = importModel(file, { task: opts.task });
  const net = imported.network;
  const n = opts.randomRows ?? randomCheckRows(net);
  const random = await checkImport(imported, randomRows(net, n, opts.seed ?? 0), n, opts.tolerance);
  let data: ImportCheck | null = null;
  if (opts.rows) {
    if (opts.rows.cols !== net.inputWidth) {
      throw new GsError('BAD_INPUT', `the data has ${opts.rows.cols} feature columns, the model ${file} reads ${net.inputWidth}`);
    }
    // the data's first rows, as many as the reference pass's budget allows (all of them for small networks)
    const m = dataCheckRows(net, opts.rows.rows);
    data = await checkImport(imported, opts.rows.x.subarray(0, m * opts.rows.cols), m, opts.tolerance);
  }
  for (const [what, c] of [
    ['random', random],
    ['data', data],
  ] as const) {
    if (c && !c.passed) {
      throw new GsError(
        'VERIFY_FAILED',
        `${file}: the imported network differs from the original on ${what} rows (probabilities by ${c.maxProbabilityDiff.toExponential(2)}, ` +
          `logits by ${c.maxLogitDiff?.toExponential(2) ?? 'n/a'}; tolerance ${c.tolerance}); nothing was written`,
      );
    }
  }
  return { imported, random, data };
}
