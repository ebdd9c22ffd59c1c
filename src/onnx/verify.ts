/**
 * Verification: run an exported model with onnxruntime on data and compare it with the
 * reference Network's forward pass (forward.ts) on the same raw features: label agreement,
 * largest probability difference, and accuracy of both against the data's labels.
 * A model exported with compactInput gets only its kept columns (read from its metadata).
 *
 * Exact mode (the default): probabilities within `tolerance` of the reference and the same label
 * on every row, except near-ties: a row whose two candidate classes' reference probabilities
 * differ by at most 2 x tolerance may take either label (float32 rounding decides such rows; when
 * every probability is within the tolerance, any label disagreement is one of these).
 * Lossy mode (quantized exports): the model passes when its accuracy is at most
 * `maxAccuracyDrop` below the reference's; agreement and the probability difference are reported.
 */
import { selectColumns } from '../data/columns';
import { GsError } from '../errors';
import { argmaxRows, logits, outputCount, predictProba, softmaxRows } from '../network/forward';
import { isRegression, regressionMetrics } from '../network/tasks';
import type { AnyLayer, Network } from '../network/types';
import { OnnxModel } from './run';
import type { RuntimeChoice } from './runtime';

export interface VerifyInput {
  onnx: Uint8Array | string;
  /** What messages call the model (default: its path, or "the ONNX model" for bytes). */
  name?: string;
  /** The trained network to compare with; null/omitted checks accuracy against labels only. */
  reference?: Network<AnyLayer> | null;
  /** Raw features [rows x cols] (all columns of the data, as the reference reads them). */
  features: Float32Array;
  /** Class indices in the model's class order (see mapLabels), or null. */
  labels?: Int32Array | null;
  rows: number;
  /** Largest allowed |p_onnx - p_reference| (default 1e-5). */
  tolerance?: number;
  /** Without a reference: fail below this accuracy (default: never fail). */
  minAccuracy?: number;
  /** How many disagreeing row indices to report (default 10). */
  maxReported?: number;
  /** Lossy mode: pass when accuracy drops by at most this fraction (0.005 = 0.5 points) against the reference. */
  maxAccuracyDrop?: number;
  /** Which onnxruntime runs the model (default: native when installed, else WebAssembly). */
  runtime?: RuntimeChoice;
  /** Regression: the data's targets [rows x k] (for RMSE and R^2 of both), or null. */
  targets?: Float32Array | null;
  /** Regression, exact mode: also allowed, relative to |reference| (default 1e-5); a value passes
   * when |onnx - reference| <= tolerance + relTolerance * |reference|. */
  relTolerance?: number;
  /** Regression, lossy mode: pass when the ONNX RMSE is at most (1 + maxRmseIncrease) x the
   * reference's (against the targets; without targets, the RMSE between both at most maxRmseIncrease
   * x the standard deviation of the reference's outputs). Default DEFAULT_MAX_RMSE_INCREASE. */
  maxRmseIncrease?: number;
  /** The reference network's outputs (logits) on these rows, when the caller computed them already
   * (the reference forward pass is the slow part: it then runs once for both). */
  referenceOutputs?: Float32Array;
}

/** Default allowed accuracy drop of a lossy (quantized) export: 0.5 points. */
export const DEFAULT_MAX_ACCURACY_DROP = 0.005;

/** Default allowed relative RMSE increase of a lossy (quantized) regression export: 2%. */
export const DEFAULT_MAX_RMSE_INCREASE = 0.02;

/** Regression figures of a verification (present when the model is a regressor). */
export interface RegressionCheck {
  /** RMSE and R^2 of the ONNX model and the reference against the targets (null without targets). */
  onnxRmse: number | null;
  referenceRmse: number | null;
  onnxR2: number | null;
  referenceR2: number | null;
  /** Largest |onnx - reference| and the RMSE between the two outputs. */
  maxAbsDiff: number;
  diffRmse: number;
  /** Exact mode: values outside tolerance + relTolerance * |reference|. */
  outside: number;
  relTolerance: number;
  /** Lossy mode: the allowed relative RMSE increase, else null. */
  maxRmseIncrease: number | null;
}

export interface VerifyResult {
  rows: number;
  compactInput: boolean;
  onnxAccuracy: number | null;
  referenceAccuracy: number | null;
  /** Fraction of rows whose ONNX label equals the reference label (null without a reference). */
  agreement: number | null;
  disagreementCount: number;
  /** First disagreeing row indices (near-ties excluded). */
  disagreements: number[];
  /** Rows whose labels differ on a near-tie (reference probabilities of both labels within 2 x tolerance): allowed. */
  nearTies: number;
  /** 'exact' (probabilities within tolerance) or 'lossy' (accuracy drop within maxAccuracyDrop). */
  mode: 'exact' | 'lossy';
  /** Lossy mode: the allowed drop in accuracy (fraction), else null. */
  maxAccuracyDrop: number | null;
  /** Which onnxruntime ran the model, e.g. "onnxruntime-web 1.30.0". */
  runtime: string;
  /** Largest |p_onnx - p_reference| (a regressor: largest |onnx - reference| of its outputs). */
  maxProbDiff: number | null;
  tolerance: number;
  ok: boolean;
  /** Regression only: outputs compared within a tolerance instead of labels (agreement is then null). */
  regression?: RegressionCheck;
}

function accuracyOf(pred: Int32Array, labels: Int32Array): number {
  let hit = 0;
  for (let i = 0; i < pred.length; i++) if (pred[i] === labels[i]) hit++;
  return hit / pred.length;
}

/** A passing result with nothing compared yet: what both the classifier and the regressor checks start from
 * (and the checks of export formats registered from outside, pipeline/export-formats). */
export function baseResult(
  rows: number,
  compact: boolean,
  tolerance: number,
  lossy: boolean,
  runtime: VerifyResult['runtime'],
): VerifyResult {
  return {
    rows,
    compactInput: compact,
    tolerance,
    onnxAccuracy: null,
    referenceAccuracy: null,
    agreement: null,
    disagreementCount: 0,
    disagreements: [],
    nearTies: 0,
    mode: lossy ? 'lossy' : 'exact',
    maxAccuracyDrop: null,
    runtime,
    maxProbDiff: null,
    ok: true,
  };
}

/**
 * Data labels (indices into dataClasses) as indices into modelClasses, matched by their string
 * value (or numerically, so '1' matches '1.0'); labels the model does not know become -1.
 */
export function mapLabels(labels: Int32Array, dataClasses: string[], modelClasses: string[]): { labels: Int32Array; unknown: string[] } {
  const same = (a: string, b: string) => a === b || (a.trim() !== '' && b.trim() !== '' && Number(a) === Number(b));
  const table = dataClasses.map((c) => modelClasses.findIndex((m) => same(c, m)));
  const unknown = dataClasses.filter((_, i) => table[i] < 0);
  return { labels: labels.map((l) => table[l] ?? -1), unknown };
}

export { selectColumns };

export async function verifyOnnx(input: VerifyInput): Promise<VerifyResult> {
  const { rows, features } = input;
  const tolerance = input.tolerance ?? 1e-5;
  if (rows <= 0) throw new GsError('BAD_INPUT', 'no rows to verify on');
  if (features.length % rows !== 0)
    throw new GsError('BAD_INPUT', `features hold ${features.length} values, not a multiple of ${rows} rows`);
  const cols = features.length / rows;
  const ref = input.reference ?? null;
  if (input.labels && input.labels.length !== rows) throw new GsError('BAD_INPUT', `${input.labels.length} labels for ${rows} rows`);
  const lossy = input.maxAccuracyDrop !== undefined;
  if (lossy && !(input.maxAccuracyDrop! >= 0)) throw new GsError('BAD_OPTION', `maxAccuracyDrop ${input.maxAccuracyDrop}: expected >= 0`);
  const model = await OnnxModel.open(input.onnx, { runtime: input.runtime, name: input.name });
  try {
    const iface = model.info.interface;
    const file = model.info.file;
    if (iface && iface.inputWidth !== cols)
      throw new GsError('BAD_INPUT', `${file} was exported for ${iface.inputWidth} feature columns, the data has ${cols}`);
    if (ref && ref.inputWidth !== cols)
      throw new GsError('BAD_INPUT', `the reference network reads ${ref.inputWidth} feature columns, the data has ${cols}`);
    if (ref && iface && ref.classLabels.join('\u0000') !== iface.classLabels.join('\u0000')) {
      throw new GsError(
        'BAD_MODEL',
        `${file} has classes ${JSON.stringify(iface.classLabels)}, the reference network ${JSON.stringify(ref.classLabels)}`,
      );
    }
    const compact = iface?.compactInput ?? false;
    const x = compact && iface ? selectColumns(features, rows, cols, iface.keptIndices) : features;
    const out = await model.predict(x, rows, x.length / rows);
    if (model.regression || (ref && isRegression(ref))) return regressionResult(input, ref, model, out.probabilities, compact);
    const classes = model.classes;
    const labels = input.labels ?? null;
    const result: VerifyResult = {
      ...baseResult(rows, compact, tolerance, lossy, model.runtime),
      onnxAccuracy: labels ? accuracyOf(out.labels, labels) : null,
      maxAccuracyDrop: lossy ? input.maxAccuracyDrop! : null,
    };
    if (ref) {
      const p = input.referenceOutputs ? softmaxRows(input.referenceOutputs, outputCount(ref)) : predictProba(ref, features, rows);
      if (p.length !== out.probabilities.length)
        throw new GsError('BAD_MODEL', `${file} has ${classes} outputs, the reference network ${p.length / rows}`);
      const refLabels = argmaxRows(p, classes);
      let maxDiff = 0;
      for (let i = 0; i < p.length; i++) {
        const d = Math.abs(p[i] - out.probabilities[i]);
        if (!(d <= maxDiff)) maxDiff = Number.isNaN(d) ? Infinity : d;
      }
      let differ = 0;
      for (let r = 0; r < rows; r++) {
        const a = refLabels[r];
        const b = out.labels[r];
        if (a === b) continue;
        differ++;
        if (!lossy && Math.abs(p[r * classes + a] - p[r * classes + b]) <= 2 * tolerance) {
          result.nearTies++;
          continue;
        }
        result.disagreementCount++;
        if (result.disagreements.length < (input.maxReported ?? 10)) result.disagreements.push(r);
      }
      result.referenceAccuracy = labels ? accuracyOf(refLabels, labels) : null;
      result.agreement = 1 - differ / rows;
      result.maxProbDiff = maxDiff;
      if (lossy) {
        const drop = (result.referenceAccuracy ?? 0) - (result.onnxAccuracy ?? 0);
        result.ok = labels !== null ? drop <= input.maxAccuracyDrop! + 1e-12 : result.agreement >= 1 - input.maxAccuracyDrop!;
      } else {
        result.ok = result.disagreementCount === 0 && maxDiff <= tolerance;
      }
    } else if (input.minAccuracy !== undefined) {
      result.ok = result.onnxAccuracy !== null && result.onnxAccuracy >= input.minAccuracy;
    }
    return result;
  } finally {
    await model.close();
  }
}

/** Verification of a regressor: its `prediction` output against the reference's outputs (abs+rel
 * tolerance in exact mode, RMSE increase in lossy mode), with RMSE and R^2 of both against the targets. */
function regressionResult(
  input: VerifyInput,
  ref: Network<AnyLayer> | null,
  model: OnnxModel,
  pred: Float32Array,
  compact: boolean,
): VerifyResult {
  const { rows, features } = input;
  const file = model.info.file;
  if (ref && !isRegression(ref)) throw new GsError('BAD_MODEL', `${file} is a regressor, the reference network a classifier`);
  if (ref && !model.regression) throw new GsError('BAD_MODEL', `${file} is a classifier, the reference network a regressor`);
  const k = model.classes;
  const t = input.targets ?? null;
  if (t && t.length !== rows * k) throw new GsError('BAD_INPUT', `${t.length} targets for ${rows} rows x ${k} outputs`);
  const tolerance = input.tolerance ?? 1e-5;
  const relTolerance = input.relTolerance ?? 1e-5;
  const lossy = input.maxAccuracyDrop !== undefined || input.maxRmseIncrease !== undefined;
  const maxRmseIncrease = lossy ? (input.maxRmseIncrease ?? DEFAULT_MAX_RMSE_INCREASE) : null;
  const onnxM = t ? regressionMetrics(pred, t, k) : null;
  const result: VerifyResult = baseResult(rows, compact, tolerance, lossy, model.runtime);
  const check: RegressionCheck = {
    onnxRmse: onnxM?.rmse ?? null,
    referenceRmse: null,
    onnxR2: onnxM?.r2 ?? null,
    referenceR2: null,
    maxAbsDiff: NaN,
    diffRmse: NaN,
    outside: 0,
    relTolerance,
    maxRmseIncrease,
  };
  result.regression = check;
  if (!ref) return result;
  const z = input.referenceOutputs ?? logits(ref, features, rows);
  if (z.length !== pred.length) throw new GsError('BAD_MODEL', `${file} has ${k} outputs, the reference network ${z.length / rows}`);
  let maxDiff = 0;
  let sq = 0;
  let mean = 0;
  for (let i = 0; i < z.length; i++) mean += z[i] / z.length;
  let spread = 0;
  for (let i = 0; i < z.length; i++) {
    const d = Math.abs(pred[i] - z[i]);
    if (!(d <= maxDiff)) maxDiff = Number.isNaN(d) ? Infinity : d;
    sq += d * d;
    spread += (z[i] - mean) ** 2;
    if (!(d <= tolerance + relTolerance * Math.abs(z[i]))) {
      check.outside++;
      const r = Math.floor(i / k);
      if (result.disagreements.length < (input.maxReported ?? 10) && result.disagreements[result.disagreements.length - 1] !== r) {
        result.disagreements.push(r);
      }
    }
  }
  check.maxAbsDiff = maxDiff;
  check.diffRmse = Math.sqrt(sq / z.length);
  result.maxProbDiff = maxDiff;
  if (t) {
    const m = regressionMetrics(z, t, k);
    check.referenceRmse = m.rmse;
    check.referenceR2 = m.r2;
  }
  if (maxRmseIncrease !== null) {
    result.ok =
      check.onnxRmse !== null && check.referenceRmse !== null
        ? check.onnxRmse <= check.referenceRmse * (1 + maxRmseIncrease)
        : check.diffRmse <= maxRmseIncrease * Math.sqrt(spread / z.length);
    result.disagreements = [];
  } else {
    result.ok = check.outside === 0;
  }
  result.disagreementCount = check.outside;
  return result;
}
