/**
 * The compression pipeline a user runs after training: load a run, prune it (exactly, or with
 * an opt-in threshold), export the compact network in each format asked for (the table of
 * ./export-formats: ONNX, its quantized variants, the tfjs LayersModel), and verify each as its
 * entry says: an exact format on the run's test split must predict what the trained network
 * predicts, a lossy one is compared by accuracy; a run that records no data (an imported one) is
 * verified on random rows instead, as `import` checks an import (exact pruning needs no data).
 */
import * as path from 'path';
import { loadDataset, type DataSpec } from '../data';
import { resolveSpec } from '../data/portable';
import type { SplitDataset } from '../data/types';
import { GsError } from '../errors';
import { logits } from '../network/forward';
import { scoreOn } from '../train/score';
import { isRegression, regressionMetrics, taskOf } from '../network/tasks';
import { layerType } from '../network/layers/table';
import { loadAnyRun, type RunInfo } from '../network/run-io';
import type { AnyLayer, Network } from '../network/types';
import { DEFAULT_MAX_ACCURACY_DROP as MAX_ACCURACY_DROP, mapLabels, type VerifyResult } from '../onnx';
import type { Quantize } from '../onnx/quantize';
import type { RuntimeChoice } from '../onnx/runtime';
import { collapseMessage, pruneNetwork, type PruneReport, type StartedNetwork } from '../prune';
import { stackSize } from '../train/budget/size';
import {
  DEFAULT_EXPORT_FORMAT,
  EXPORT_FORMATS,
  exportFormat,
  formatFor,
  type ExportCheck,
  type ExportFormat,
  type ExportWritten,
} from './export-formats/table';
import { TFJS_LAYERS_MODEL } from './export-formats/tfjs-layers';
import { randomRows } from './import-check';
import { VERSION } from '../version';

export interface CompressOptions {
  /** Opt-in lossy pruning: zero groups with norm <= threshold first. */
  threshold?: number;
  /** Write the ONNX model here. */
  exportPath?: string;
  /** ONNX input reads only the kept columns. */
  compactInput?: boolean;
  /** LOSSY, opt-in: ONNX weights as int8 or float16; verified by accuracy (maxAccuracyDrop), not exactly. */
  quantize?: Quantize | null;
  /** Lossy verification: largest allowed accuracy drop, as a fraction (default 0.005 = 0.5 points). */
  maxAccuracyDrop?: number;
  /** Lossy verification of a regressor: largest allowed relative RMSE increase (default DEFAULT_MAX_RMSE_INCREASE, 2%). */
  maxRmseIncrease?: number;
  /** Which onnxruntime verifies (default: native when installed, else WebAssembly). */
  runtime?: RuntimeChoice;
  /** Also write the compact network as a tfjs LayersModel run directory. */
  exportTfjsDir?: string;
  /** More exports by format name (pipeline/export-formats/table.ts) and path, beside the shorthands above. */
  exports?: { format: string; path: string }[];
  /** Data to verify on instead of the run's own test split. */
  data?: DataSpec;
  /** Skip verification (no data available). */
  skipVerify?: boolean;
  /** Write the exports even when the pruned network is constant (a whole layer removed). */
  allowConstant?: boolean;
  /** Step lines (exporting, verifying, written) for progress. */
  onStatus?: (s: string) => void;
}

export interface CompressResult {
  runDir: string;
  report: PruneReport;
  /** Test accuracy of the trained network and of the pruned one (differs only when lossy). */
  accuracyBefore: number | null;
  accuracyAfter: number | null;
  /** Regression: test RMSE and R^2 of the trained network and of the pruned one (null otherwise). */
  rmseBefore?: number | null;
  rmseAfter?: number | null;
  r2Before?: number | null;
  r2After?: number | null;
  onnxPath: string | null;
  onnxBytes: number | null;
  verification: VerifyResult | null;
  /** What the export was verified on: the data's test rows, or random rows (RANDOM_VERIFY_ROWS, seed 0) when
   * the run records no data and none was given (exact pruning needs none); null when not verified. */
  verifiedOn: 'data' | 'random rows' | null;
  /** The export's path when it failed verification and was therefore not written (nothing at that name), else null. */
  notWritten: string | null;
  /** The pruned network (dense, or any layer types: a CNN run). */
  pruned: Network<AnyLayer>;
  /** A run trained to a budget: the starting (dense, pre-budget) network it was made from; null otherwise. */
  started: StartedNetwork | null;
  /** Every export asked for, in the table's order: its format, the path given, and what was written. */
  exports: (Omit<ExportWritten, 'model'> & { format: string; given: string })[];
}

interface ExportRequest {
  format: ExportFormat;
  path: string;
}

/** Random rows an export is checked on when there is no data (as `import` checks an import). */
export const RANDOM_VERIFY_ROWS = 256;

/** Default allowed accuracy drop of a quantized export (0.5 points; onnx/verify.ts). */
export const DEFAULT_MAX_ACCURACY_DROP = MAX_ACCURACY_DROP;

/**
 * The data spec a run was trained on, from its gs-run.json, ready to load: recorded paths are
 * relative to the run directory `runDir` and found by content hash (data/portable.ts resolveSpec).
 */
export function runDataSpec(info: RunInfo, runDir: string): DataSpec | null {
  const spec = (info.config as { dataSpec?: DataSpec } | undefined)?.dataSpec;
  return spec ? resolveSpec(spec, path.resolve(runDir)) : null;
}

function intList(v: unknown): number[] | null {
  return Array.isArray(v) && v.length > 0 && v.every((x) => Number.isInteger(x) && x >= 0) ? (v as number[]) : null;
}

/**
 * The starting network of a run trained to a budget, from its gs-run.json: the summary's
 * startWidths and startParams, or, in records written before those existed, the configured
 * hidden widths between the data's inputs and the classes (a budget run from scratch). Null for
 * a run without a budget (its pruning's before is where it started).
 */
export function startedNetwork(info: RunInfo, network: Network<AnyLayer>): StartedNetwork | null {
  const s = info.summary ?? {};
  const cfg = info.config ?? {};
  const widths = intList(s.startWidths);
  if (widths && typeof s.startParams === 'number') return { widths, params: s.startParams };
  const budgeted = typeof s.targetParams === 'number' || cfg.targetParams !== undefined || cfg.targetRatio !== undefined;
  const hidden = intList(cfg.hidden);
  if (!budgeted || !hidden || cfg.init !== undefined) return null;
  const last = network.layers[network.layers.length - 1];
  const w = [network.inputWidth, ...hidden, layerType(last).outChannels(last)];
  return { widths: w, params: stackSize(w) };
}

function labelsFor(net: Network<AnyLayer>, data: SplitDataset): Int32Array {
  const { labels, unknown } = mapLabels(data.test.labels, data.classLabels, net.classLabels);
  if (unknown.length > 0) throw new GsError('BAD_INPUT', `the data has classes the model does not know: ${unknown.join(', ')}`);
  return labels;
}

/** The exports asked for, in the table's order: the shorthands (exportPath with quantize, exportTfjsDir) and `exports`. */
function requestedExports(opts: CompressOptions): ExportRequest[] {
  const asked: ExportRequest[] = [
    ...(opts.exportPath ? [{ format: formatFor(DEFAULT_EXPORT_FORMAT.option, opts.quantize ?? null), path: opts.exportPath }] : []),
    ...(opts.exportTfjsDir ? [{ format: TFJS_LAYERS_MODEL, path: opts.exportTfjsDir }] : []),
    ...(opts.exports ?? []).map((e) => ({ format: exportFormat(e.format), path: e.path })),
  ];
  return asked.sort((a, b) => EXPORT_FORMATS.indexOf(a.format) - EXPORT_FORMATS.indexOf(b.format));
}

export async function compressRun(runDir: string, opts: CompressOptions = {}): Promise<CompressResult> {
  const { network, info } = loadAnyRun(runDir);
  const { network: pruned, report } = pruneNetwork(network, { threshold: opts.threshold });
  const asked = requestedExports(opts);
  // a network a format cannot express is refused before anything is written
  for (const e of asked) e.format.refuse?.(pruned, opts.compactInput === true);
  const started = startedNetwork(info, network);
  const collapse = collapseMessage(report);
  if (collapse && asked.length > 0 && !opts.allowConstant) {
    throw new GsError(
      'BAD_MODEL',
      `${runDir}: ${collapse}. Nothing was exported; pass --allow-constant to export the constant model anyway`,
    );
  }
  const spec = opts.data ?? runDataSpec(info, runDir);
  let data: SplitDataset | null = null;
  // without data (an imported run records none) an export verified exactly is checked against the network on random rows
  let randomCheck = false;
  if (!opts.skipVerify && !spec) {
    if (asked.some((e) => e.format.verification === 'lossy')) {
      throw new GsError(
        'BAD_OPTION',
        `${runDir} does not record its data; a quantized export is verified by its accuracy: pass --data (or --no-verify)`,
      );
    }
    randomCheck = asked.some((e) => e.format.verification === 'exact');
  } else if (!opts.skipVerify && spec) {
    data = await loadDataset(spec);
    if (data.test.cols !== network.inputWidth) {
      throw new GsError('BAD_INPUT', `the data has ${data.test.cols} feature columns, the run's network reads ${network.inputWidth}`);
    }
  }
  const regression = isRegression(network);
  if (data && taskOf(data) !== taskOf(network)) {
    throw new GsError('BAD_INPUT', `the data was read for ${taskOf(data)}, the run's network is a ${taskOf(network)} model (--task)`);
  }
  const labels = data && !regression ? labelsFor(network, data) : null;
  const targets = data && regression ? (data.test.targets ?? null) : null;
  // measured as the run's epochs were (a CNN on the WebAssembly kernels): the float64 reference pass is the export check's
  const testAs = data && labels ? { ...data.test, labels } : null;
  const accuracyBefore = testAs ? scoreOn(network, testAs).score : null;
  const accuracyAfter = testAs ? scoreOn(pruned, testAs).score : null;
  const k = network.classLabels.length;
  const before = data && targets ? regressionMetrics(logits(network, data.test.features, data.test.rows), targets, k) : null;
  const after = data && targets ? regressionMetrics(logits(pruned, data.test.features, data.test.rows), targets, k) : null;
  const regressionFigures = regression
    ? { rmseBefore: before?.rmse ?? null, rmseAfter: after?.rmse ?? null, r2Before: before?.r2 ?? null, r2After: after?.r2 ?? null }
    : {};

  const pruningName = report.lossy ? `lossy, threshold ${report.threshold}` : 'exact';
  const labelled = Boolean(data && (labels || targets));
  // Exact pruning must reproduce the trained network; after lossy pruning the export is
  // checked against the thresholded network and the accuracy cost is reported separately.
  // A lossy format is checked against the float network by accuracy (lossy mode).
  // Without data, exact (or thresholded) pruning must reproduce the network on any rows.
  const checkFor = (format: ExportFormat): ExportCheck | null => {
    if (format.verification === 'none' || !(labelled || randomCheck)) return null;
    const lossy = format.verification === 'lossy';
    const limits = { runtime: opts.runtime, maxAccuracyDrop: opts.maxAccuracyDrop, maxRmseIncrease: opts.maxRmseIncrease };
    return data && labelled
      ? {
          reference: report.lossy || lossy ? pruned : network,
          features: data.test.features,
          labels,
          targets,
          rows: data.test.rows,
          ...limits,
        }
      : {
          reference: report.lossy ? pruned : network,
          features: randomRows(network, RANDOM_VERIFY_ROWS, 0),
          labels: null,
          targets: null,
          rows: RANDOM_VERIFY_ROWS,
          ...limits,
        };
  };
  const metadata = {
    training_config: JSON.stringify(info.config ?? {}),
    parameters_before: String(report.parameters.before),
    parameters_after: String(report.parameters.after),
    // a budget run: the dense network it started from (parameters_before is the budget run's own size)
    ...(started ? { parameters_started: String(started.params), network_started: started.widths.join('-') } : {}),
    pruning: pruningName,
  };
  // (not named `exports`: a local of that name would shadow the CommonJS exports object)
  const done: CompressResult['exports'] = [];
  let verification: VerifyResult | null = null;
  let verifiedOn: CompressResult['verifiedOn'] = null;
  for (const { format, path: target } of asked) {
    const check = checkFor(format);
    const out = await format.write({
      network: pruned,
      path: target,
      compactInput: opts.compactInput === true,
      metadata,
      manifest: { version: VERSION, pruning: pruningName, runDir },
      run: { dir: runDir, info, summary: { pruned: report } },
      check,
      onStatus: opts.onStatus,
    });
    done.push({
      format: format.name,
      given: target,
      path: out.path,
      bytes: out.bytes,
      written: out.written,
      verification: out.verification,
    });
    if (out.verification && !verification) {
      verification = out.verification;
      verifiedOn = data ? 'data' : 'random rows';
    }
  }
  // the default format's option (--export) gives the result's onnxPath, onnxBytes and notWritten
  const main = done.find((e) => exportFormat(e.format).option === DEFAULT_EXPORT_FORMAT.option);
  return {
    runDir,
    report,
    accuracyBefore,
    accuracyAfter,
    ...regressionFigures,
    onnxPath: main?.written ? main.path : null,
    onnxBytes: main?.written ? main.bytes : null,
    verification,
    verifiedOn,
    notWritten: main && !main.written ? main.path : null,
    pruned,
    started,
    exports: done,
  };
}
