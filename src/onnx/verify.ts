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
import { argmaxRows, predictProba } from '../network/forward';
import type { Network } from '../network/types';
import { OnnxModel } from './run';
import type { RuntimeChoice } from './runtime';

export interface VerifyInput {
  onnx: Uint8Array | string;
  /** The trained network to compare with; null/omitted checks accuracy against labels only. */
  reference?: Network | null;
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
  maxProbDiff: number | null;
  tolerance: number;
  ok: boolean;
}

function accuracyOf(pred: Int32Array, labels: Int32Array): number {
  let hit = 0;
  for (let i = 0; i < pred.length; i++) if (pred[i] === labels[i]) hit++;
  return hit / pred.length;
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
  const model = await OnnxModel.open(input.onnx, { runtime: input.runtime });
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
    const classes = model.classes;
    const labels = input.labels ?? null;
    const result: VerifyResult = {
      rows,
      compactInput: compact,
      tolerance,
      onnxAccuracy: labels ? accuracyOf(out.labels, labels) : null,
      referenceAccuracy: null,
      agreement: null,
      disagreementCount: 0,
      disagreements: [],
      nearTies: 0,
      mode: lossy ? 'lossy' : 'exact',
      maxAccuracyDrop: lossy ? input.maxAccuracyDrop! : null,
      runtime: model.runtime,
      maxProbDiff: null,
      ok: true,
    };
    if (ref) {
      const p = predictProba(ref, features, rows);
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
