/**
 * `compress`: a model the user already has, made smaller and checked against the ORIGINAL file.
 * Import (checked), train to the parameter budget from the imported weights (trainRun, as
 * `train --init MODEL --target-ratio R` does: the weakest inputs and units removed on a schedule
 * while the network trains on, on the data's labels or the model's own predictions), fine-tune the
 * compact network, prune exactly, export ONNX, then compare the slim model with the original on the
 * test split: accuracy (or RMSE and R^2) of both, label agreement, parameters and file sizes.
 *
 * Measured on a PyTorch 784-256-128-10 MNIST MLP at 10% (3 + 3 epochs, 2 seeds): budget training
 * 97.43% / 97.37% against 97.03% / 97.10% for the group lasso fine-tuning and norm-threshold cut it
 * replaced, and 97.24% / 97.11% with group lasso (1e-4) added to the budget training; the
 * original scored 97.20%. So no penalty by default; `lambda` adds group lasso.
 */
import * as fs from 'fs';
import * as path from 'path';
import type { SplitDataset } from '../data/types';
import { GsError } from '../errors';
import { multiplyAdds, parameterCount } from '../network/create';
import { argmaxRows, logits, outputCount } from '../network/forward';
import { isRegression, regressionMetrics, type TaskName } from '../network/tasks';
import type { AnyLayer, Network } from '../network/types';
import { describeInterface, exportOnnx, mapLabels, type VerifyResult } from '../onnx';
import { pruneNetwork } from '../prune';
import { resolveTrainConfig, type TrainConfigInput } from '../train/config';
import type { TrainOptions } from '../train/train';
import type { EpochRecord } from '../train/types';
import type { BudgetOptions, BudgetResult, ProjectionRecord } from './budget';
import type { SpeedRecord } from './budget-speed';
import { trainRun } from './run';
import { originalBytes } from './original-runners';
import { DEFAULT_EXPORT_FORMAT, type ExportCheck } from './export-formats/table';
import { alignData, loadInit, mixingWidths, modelLabels, modelOutputs, networkShape, type InitSource } from './init-from';
import { DEFAULT_SPEED_BATCHES, measureSpeeds, type SpeedFigures } from './compress-speed';
import { checkTargetValues, type BudgetTargets } from './budget-space';

export interface CompressModelOptions {
  /** Fraction of the original parameters the slim model may have (0 < r <= 1); or give targetParams. */
  targetRatio?: number;
  /** Parameters the slim model may have (at most the original's); instead of targetRatio. */
  targetParams?: number;
  /** Convolutional models: multiply-adds per example the slim model may have, or a fraction of the
   * original's (with or instead of the parameter budget; all given hold). */
  targetMacs?: number;
  targetMacsRatio?: number;
  /** Convolutional models: keep every channel width a multiple of this (see BudgetTargets). */
  roundChannels?: number;
  /** Convolutional models: shrink until the slim model runs this many times faster than the imported one in
   * onnxruntime (measured as it shrinks, pipeline/budget.ts), alone or with the other budgets. */
  targetSpeedup?: number;
  /** Rows per onnxruntime call when targetSpeedup times a network (default onnx/latency.ts DEFAULT_LATENCY_BATCH). */
  speedBatch?: number;
  /** Time the original and the slim model in onnxruntime at these batch sizes (default [1, 64]; [] for none). */
  speedBatches?: number[];
  /** Also give the slim model our `probabilities` and `label` outputs beside the original's output (default false). */
  extraOutputs?: boolean;
  /** Group lasso strength of the sparse fine-tuning (default 1e-4). */
  lambda?: number;
  /** Epochs of sparse fine-tuning (default 5) and of compact fine-tuning (default 3). */
  epochs?: number;
  finetuneEpochs?: number;
  /** Training settings passed on (optimizer, lr, batchSize, seed, engine). */
  train?: Omit<TrainConfigInput, 'hidden' | 'activation' | 'penalty' | 'lambda' | 'epochs'>;
  /** Train on the original model's predictions instead of the data's labels. */
  labelsFromModel?: boolean;
  /** Distil from the original (its softened probabilities mixed with the labels) once removals start and while fine-tuning. */
  distill?: boolean;
  /** What the model is when its graph cannot tell ('regression': a linear output trained on squared error). */
  task?: TaskName;
  /** Write the slim model here. */
  exportPath?: string;
  producerVersion: string;
  onEpoch?: (phase: string, r: EpochRecord) => void;
  onProgress?: TrainOptions['onProgress'];
  onStatus?: (s: string) => void;
}

export interface CompressModelResult {
  network: Network<AnyLayer>;
  onnx: Uint8Array;
  /** Test accuracies are null when the data's labels are not classes of the model (and for a regressor,
   * which reports testRmse and testR2 against the data's targets instead). */
  original: { file: string; bytes: number; parameters: number; macs: number; testAccuracy: number | null } & RegressionFigures;
  slim: { bytes: number; parameters: number; macs: number; testAccuracy: number | null; layers: number[] } & RegressionFigures;
  /** The budget in multiply-adds per example, when one was given. */
  targetMacs?: number;
  /** µs per row of the original file and of the slim export in onnxruntime, per batch size. */
  speed: SpeedFigures;
  targetParams: number;
  /** Fraction of test rows where slim and original predict the same class (null for a regressor: see outputRmse). */
  agreement: number | null;
  /** Regression only: 'regression', and the RMSE between the slim model's and the original's outputs on the test rows. */
  task?: 'regression';
  outputRmse?: number;
  testRows: number;
  /** Units and inputs removed to meet the budget, per removal step (epoch, parameters before and after). */
  projections: ProjectionRecord[];
  /** With targetSpeedup: the measured speed of the start and of the slim network as the budget trainer timed them. */
  budgetSpeed?: SpeedRecord;
  /** Test score (accuracy, or R^2 for a regressor) at the budget before the compact fine-tuning. */
  accuracyBeforeFinetune: number | undefined;
  /** ONNX export against the slim network (onnxruntime): max probability difference. */
  exportMaxDiff: number;
  history: EpochRecord[];
  labels: 'data' | 'model';
  /** The slim model's interface in one line (input name and shape -> output name and meaning). */
  interface: string;
}

/** A regressor's test figures against the data's targets. */
export interface RegressionFigures {
  testRmse?: number;
  testR2?: number;
}

function accuracyOf(pred: Int32Array, labels: Int32Array, labelled: boolean): number | null {
  if (!labelled) return null;
  let hit = 0;
  for (let i = 0; i < labels.length; i++) if (pred[i] === labels[i]) hit++;
  return labels.length === 0 ? 0 : hit / labels.length;
}

/** The budgets: parameters (targetRatio or targetParams) and/or multiply-adds (targetMacsRatio or
 * targetMacs), checked against the original's size; at least one. The values themselves were checked
 * by checkTargetValues before the import (compressModel). */
function budgetOf(
  opts: CompressModelOptions,
  originalParams: number,
  originalMacs: number,
): { targetParams?: number; targetMacs?: number } {
  const { targetRatio: r, targetParams: p, targetMacs: m, targetMacsRatio: mr } = opts;
  if (r !== undefined && p !== undefined) throw new GsError('BAD_OPTION', 'give --target-ratio or --target-params, not both');
  if (m !== undefined && mr !== undefined) throw new GsError('BAD_OPTION', 'give --target-macs or --target-macs-ratio, not both');
  if (r === undefined && p === undefined && m === undefined && mr === undefined && opts.targetSpeedup === undefined)
    throw new GsError(
      'BAD_OPTION',
      'give a budget: --target-ratio, --target-params, --target-macs, --target-macs-ratio or --target-speedup',
    );
  const out: { targetParams?: number; targetMacs?: number } = {};
  if (p !== undefined) {
    if (p > originalParams) {
      throw new GsError('BAD_OPTION', `--target-params ${p} is more than the model's ${originalParams} parameters: nothing to compress`);
    }
    out.targetParams = p;
  } else if (r !== undefined) out.targetParams = Math.max(1, Math.floor(originalParams * r));
  if (m !== undefined) {
    if (m > originalMacs) {
      throw new GsError(
        'BAD_OPTION',
        `--target-macs ${m} is more than the model's ${originalMacs} multiply-adds per example: nothing to compress`,
      );
    }
    out.targetMacs = m;
  } else if (mr !== undefined) {
    out.targetMacs = Math.max(1, Math.floor(originalMacs * mr));
  }
  return out;
}

/** Widths for the report: the inputs the first layer reads, then each dense or convolution layer's units or channels. */
function layerWidths(net: Network<AnyLayer>): number[] {
  return [net.inputIndices.length, ...mixingWidths(net)];
}

/** The original as onnxruntime times it when its own file is not ONNX (a tfjs LayersModel): the
 * imported network's export, exact (checked on import), made before training; null for an ONNX original. */
function originalOnnxForm(src: InitSource, opts: CompressModelOptions): Uint8Array | null {
  if (!src.imported || src.imported.original.kind === 'onnx' || (opts.speedBatches ?? DEFAULT_SPEED_BATCHES).length === 0) return null;
  return exportOnnx(src.network, { ...interfaceOf(src, opts), producerVersion: opts.producerVersion });
}

/** Export options that keep the original's interface (the imported network's io), with our outputs on request. */
function interfaceOf(src: InitSource, opts: CompressModelOptions): { io: Network<AnyLayer>['io'] | null; extraOutputs: boolean } {
  return { io: src.network.io ?? null, extraOutputs: opts.extraOutputs === true };
}

export async function compressModel(file: string, loaded: SplitDataset, opts: CompressModelOptions): Promise<CompressModelResult> {
  // what no model can make sense of is refused before the import and the data
  checkTargetValues(opts);
  const status = opts.onStatus ?? (() => undefined);
  status(`importing ${file} and checking it against the original...`);
  const src = await loadInit(file, { task: opts.task });
  const { imported } = src;
  if (isRegression(src.network)) return compressRegressor(file, loaded, src, opts);
  const labelsFrom = opts.labelsFromModel ? 'model' : 'data';
  const data = await alignData(loaded, src, opts.labelsFromModel === true);
  // accuracies are on the test split's own labels mapped to the model's classes; null when the data has
  // labels the model does not know (then only the agreement with the original is measured)
  const trueTest = mapLabels(loaded.test.labels, loaded.classLabels, src.network.classLabels).labels;
  const labelled = trueTest.every((l) => l >= 0);
  const origPred = await modelLabels(src, data.test);
  const originalOnnx = originalOnnxForm(src, opts);
  const { slimNet, history, targetParams, targetMacs, originalParams, projections, accuracyBeforeFinetune, budgetSpeed } =
    await sparsifyToBudget(src, data, opts);
  status('exporting and verifying against the original...');
  const t = data.test;
  // the slim network's reference pass runs once: for the export's check and for the agreement below
  const slimOut = logits(slimNet, t.features, t.rows);
  const { bytes, v } = await exportSlim(file, slimNet, src, opts, originalParams, loaded.featureNames, {
    name: 'the slim model',
    reference: slimNet,
    referenceOutputs: slimOut,
    features: t.features,
    labels: labelled ? trueTest : null,
    targets: null,
    rows: t.rows,
  });
  if (!v.ok) {
    throw new GsError(
      'VERIFY_FAILED',
      `the slim model's ONNX export disagrees with the slim network (max |p| difference ${String(v.maxProbDiff)})${notKept(opts)}`,
    );
  }
  const C = outputCount(slimNet);
  const slimPred = argmaxRows(slimOut, C);
  let same = 0;
  for (let i = 0; i < t.rows; i++) if (slimPred[i] === origPred[i]) same++;
  const speed = await measureSpeeds(src, bytes, opts.speedBatches, status, originalOnnx);
  return {
    network: slimNet,
    onnx: bytes,
    original: {
      file,
      bytes: originalSize(file, imported),
      parameters: originalParams,
      macs: multiplyAdds(src.network),
      testAccuracy: accuracyOf(origPred, trueTest, labelled),
    },
    slim: {
      bytes: bytes.length,
      parameters: parameterCount(slimNet),
      macs: multiplyAdds(slimNet),
      testAccuracy: accuracyOf(slimPred, trueTest, labelled),
      layers: layerWidths(slimNet),
    },
    targetParams,
    ...(targetMacs !== undefined ? { targetMacs } : {}),
    speed,
    agreement: t.rows === 0 ? 0 : same / t.rows,
    testRows: t.rows,
    projections,
    ...(budgetSpeed ? { budgetSpeed } : {}),
    accuracyBeforeFinetune,
    exportMaxDiff: v.maxProbDiff ?? 0,
    history,
    labels: labelsFrom,
    interface: describeInterface(slimNet, interfaceOf(src, opts)),
  };
}

/** The end of a VERIFY_FAILED message: where the unverified model was kept (nowhere). */
function notKept(opts: CompressModelOptions): string {
  return opts.exportPath ? `; nothing was written to ${opts.exportPath} (the unverified model was not kept)` : '';
}

/**
 * The slim model in the default export format (ONNX, float32: pipeline/export-formats/table.ts), keeping
 * the original's interface, verified against the slim network with onnxruntime and, given exportPath,
 * written through the format's writer (temporary name, verified as written, renamed into place, manifest
 * beside it describing the original's interface it keeps): nothing is written when verification fails.
 */
async function exportSlim(
  file: string,
  slimNet: Network<AnyLayer>,
  src: InitSource,
  opts: CompressModelOptions,
  originalParams: number,
  featureNames: string[],
  check: ExportCheck,
): Promise<{ bytes: Uint8Array; v: VerifyResult }> {
  const out = await DEFAULT_EXPORT_FORMAT.write({
    network: slimNet,
    path: opts.exportPath ?? null,
    compactInput: false,
    io: interfaceOf(src, opts),
    metadata: { 'gs.compressed_from': file.split(/[\\/]/).pop() ?? file, 'gs.parameters_before': String(originalParams) },
    manifest: {
      version: opts.producerVersion,
      pruning: `compressed from ${path.basename(file)} (budget training, then exact pruning)`,
      runDir: null,
      // the columns by the data's names when it has them (an imported model knows none)
      ...(featureNames.length === slimNet.inputWidth ? { featureNames } : {}),
    },
    check,
    onStatus: opts.onStatus,
  });
  if (!out.verification || !out.model) throw new Error('internal: the export was written without verification');
  return { bytes: out.model, v: out.verification };
}

/** Size in bytes of the user's original model. */
function originalSize(file: string, imported: InitSource['imported']): number {
  const orig = imported?.original;
  return !orig ? fs.statSync(file).size : originalBytes(orig);
}

/** Budget training from the imported weights, then the compact fine-tuning (any task). */
async function sparsifyToBudget(
  src: InitSource,
  data: SplitDataset,
  opts: CompressModelOptions,
): Promise<{
  slimNet: Network<AnyLayer>;
  history: EpochRecord[];
  /** The parameter budget (the original's parameters when only multiply-adds are limited). */
  targetParams: number;
  targetMacs?: number;
  originalParams: number;
  projections: ProjectionRecord[];
  accuracyBeforeFinetune: number | undefined;
  budgetSpeed?: SpeedRecord;
}> {
  const status = opts.onStatus ?? (() => undefined);
  const shape = networkShape(src.network);
  const lambda = opts.lambda ?? 0;
  const cfg = resolveTrainConfig({
    ...opts.train,
    hidden: shape.hidden,
    penalty: lambda > 0 ? 'gl' : 'none',
    lambda,
    epochs: opts.epochs ?? 5,
  });
  const history: EpochRecord[] = [];
  const originalParams = parameterCount(src.network);
  const targets = budgetOf(opts, originalParams, multiplyAdds(src.network));
  const targetParams = targets.targetParams ?? originalParams;
  const ft = opts.finetuneEpochs ?? 3;
  const what = [
    ...(targets.targetParams !== undefined ? [`${targets.targetParams} parameters`] : []),
    ...(targets.targetMacs !== undefined ? [`${targets.targetMacs} multiply-adds per example`] : []),
    ...(opts.targetSpeedup !== undefined ? [`${opts.targetSpeedup}x faster in onnxruntime`] : []),
  ].join(' and ');
  status(
    `training to ${what} from the imported weights (${cfg.epochs} epochs${lambda > 0 ? `, group lasso ${lambda}` : ''}${opts.distill ? ', distilling from your model' : ''}), then ${ft} epochs of fine-tuning...`,
  );
  const budgetTargets: BudgetTargets & Partial<Pick<BudgetOptions, 'latency'>> = {
    ...targets,
    ...(opts.roundChannels !== undefined ? { roundChannels: opts.roundChannels } : {}),
    ...(opts.targetSpeedup !== undefined
      ? { targetSpeedup: opts.targetSpeedup, ...(opts.speedBatch !== undefined ? { latency: { batch: opts.speedBatch } } : {}) }
      : {}),
  };
  const hook = (phase: string): TrainOptions => ({
    onEpoch: (e) => (history.push(e), opts.onEpoch?.(phase, e)),
    onProgress: opts.onProgress,
  });
  // the one run pipeline, as `train --init MODEL --target-params N` runs it
  const run = await trainRun(
    data,
    {
      config: cfg,
      budget: budgetTargets,
      finetuneEpochs: ft,
      init: src.network,
      ...(opts.distill ? { distill: { teacher: src.network } } : {}),
    },
    { train: hook('budget'), finetune: hook('finetune') },
  );
  const budget = run.budget as BudgetResult;
  return {
    slimNet: pruneNetwork(budget.result.network as Network<AnyLayer>).network,
    history,
    targetParams,
    ...(targets.targetMacs !== undefined ? { targetMacs: targets.targetMacs } : {}),
    originalParams,
    projections: budget.projections,
    accuracyBeforeFinetune: budget.accuracyBeforeFinetune,
    ...(budget.speed ? { budgetSpeed: budget.speed } : {}),
  };
}

/** compressModel for a regressor: RMSE and R^2 of the original and the slim model against the data's
 * targets, the RMSE between their outputs, and the export verified within a tolerance. */
async function compressRegressor(
  file: string,
  loaded: SplitDataset,
  src: InitSource,
  opts: CompressModelOptions,
): Promise<CompressModelResult> {
  const status = opts.onStatus ?? (() => undefined);
  const originalOnnx = originalOnnxForm(src, opts);
  if (loaded.task !== 'regression') {
    throw new GsError(
      'BAD_OPTION',
      `${file} is a regressor: give --task regression so that the data's label column is read as its numeric target`,
    );
  }
  if (opts.distill)
    throw new GsError(
      'BAD_OPTION',
      `${file} is a regressor: --distill mixes class probabilities into the labels and applies to classifiers (--labels-from-model trains a regressor on its own outputs)`,
    );
  const data = await alignData(loaded, src, opts.labelsFromModel === true);
  const t = data.test;
  const k = src.network.classLabels.length;
  const truth = loaded.test.targets as Float32Array;
  const fits = truth.length === t.rows * k;
  const origOut = await modelOutputs(src, t);
  // On its own outputs the model's squared error and its gradients are ~0, so Adam's per-coordinate
  // step lr / (sqrt(v) + eps) is huge and the preconditioned proximal step would zero the whole
  // network: distilling a regressor thresholds with the plain lr * lambda instead.
  const proxStep = opts.labelsFromModel ? (opts.train?.proxStep ?? 'lr') : opts.train?.proxStep;
  const run = { ...opts, train: { ...opts.train, ...(proxStep ? { proxStep } : {}) } };
  const { slimNet, history, targetParams, targetMacs, originalParams, projections, accuracyBeforeFinetune, budgetSpeed } =
    await sparsifyToBudget(src, data, run);
  status('exporting and verifying against the original...');
  const slimOut = logits(slimNet, t.features, t.rows);
  const { bytes, v } = await exportSlim(file, slimNet, src, opts, originalParams, loaded.featureNames, {
    name: 'the slim model',
    reference: slimNet,
    referenceOutputs: slimOut,
    features: t.features,
    labels: null,
    targets: fits ? truth : null,
    rows: t.rows,
  });
  if (!v.ok) {
    throw new GsError(
      'VERIFY_FAILED',
      `the slim model's ONNX export differs from the slim network (max |output| difference ${String(v.maxProbDiff)})${notKept(opts)}`,
    );
  }
  const speed = await measureSpeeds(src, bytes, opts.speedBatches, status, originalOnnx);
  const figures = (out: Float32Array): RegressionFigures => {
    if (!fits) return {};
    const m = regressionMetrics(out, truth, k);
    return { testRmse: m.rmse, testR2: m.r2 };
  };
  return {
    network: slimNet,
    onnx: bytes,
    original: {
      file,
      bytes: originalSize(file, src.imported),
      parameters: originalParams,
      macs: multiplyAdds(src.network),
      testAccuracy: null,
      ...figures(origOut),
    },
    slim: {
      bytes: bytes.length,
      parameters: parameterCount(slimNet),
      macs: multiplyAdds(slimNet),
      testAccuracy: null,
      layers: layerWidths(slimNet),
      ...figures(slimOut),
    },
    targetParams,
    ...(targetMacs !== undefined ? { targetMacs } : {}),
    speed,
    agreement: null,
    task: 'regression',
    outputRmse: regressionMetrics(slimOut, origOut, k).rmse,
    testRows: t.rows,
    projections,
    ...(budgetSpeed ? { budgetSpeed } : {}),
    accuracyBeforeFinetune,
    exportMaxDiff: v.maxProbDiff ?? 0,
    history,
    labels: opts.labelsFromModel ? 'model' : 'data',
    interface: describeInterface(slimNet, interfaceOf(src, opts)),
  };
}
