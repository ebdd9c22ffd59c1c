/**
 * The quick start: the product's best path on MNIST in one call. Train the paper's network
 * (784-32-32-10) to a parameter budget (a quarter of its parameters: dense epochs, gradual
 * structured pruning to the budget, fine-tuning of the compact network; trainToBudget with the
 * library's defaults, resolveBudgetConfig), save the run, prune it exactly, export model.onnx
 * and verify it with onnxruntime. Sized by measurement to take about QUICKSTART_SECONDS on two
 * cores (README, "Quick start").
 */
import * as fs from 'fs';
import * as path from 'path';
import { loadDataset, type DataSpec } from '../data';
import { portableRef, portableSpec } from '../data/portable';
import { RUN_FILE } from '../network/run-io';
import type { TrainConfigInput } from '../train/config';
import type { TrainOptions, TrainResult } from '../train/train';
import type { TrainConfig } from '../train/types';
import { VERSION } from '../version';
import { pruneNetwork, type PruneReport } from '../prune';
import type { BudgetResult, BudgetStart } from './budget';
import { compressRun, type CompressResult } from './compress';
import { saveTrainedRun, trainRun } from './run';

/**
 * What quickstart trains (the rest, learning rate included, is the library's budget default for
 * the data: resolveBudgetConfig). Chosen by measurement (README, "Quick start"; seed 0, 2 cores):
 * on the full 60000 MNIST training rows at 25% of the parameters, 8 + 4 epochs reach 96.68%,
 * 12 + 6 96.95%, 16 + 8 97.05% (about 20 s: 19 s wall, 19-20 s of CPU), 20 + 10 97.12% (21 s
 * wall, 22-25 s of CPU); subsets of the rows with more epochs lose (30000 rows, 24 + 12: 96.03%;
 * 20000 rows, 30 + 15: 95.36%).
 */
export const QUICKSTART_CONFIG: Partial<TrainConfig> = {
  hidden: [32, 32],
  epochs: 16,
  engine: 'fused',
};

/** The budget: this fraction of the starting network's parameters (26506 -> at most 6626). */
export const QUICKSTART_TARGET_RATIO = 0.25;

/** Epochs of fine-tuning the compact network at the budget. */
export const QUICKSTART_FINETUNE_EPOCHS = 8;

/** Measured wall time of `gs-compress quickstart` with its defaults on the 2-core development machine (README). */
export const QUICKSTART_SECONDS = 20;

export interface QuickstartOptions {
  outDir: string;
  data?: DataSpec;
  config?: TrainConfigInput;
  finetuneEpochs?: number;
  /** Fraction of the starting network's parameters (default QUICKSTART_TARGET_RATIO). */
  targetRatio?: number;
}

export interface QuickstartResult {
  /** The budget run: its budget, projections, compact parameters and starting network. */
  budget: BudgetResult;
  train: TrainResult;
  /** Exact pruning of the trained network (already compact after a budget run: before = after, see start). */
  pruning: PruneReport;
  /** The starting (dense) network the budget was taken from. */
  start: BudgetStart;
  /** The compact network has at most the budget's parameters. */
  targetMet: boolean;
  compress: CompressResult;
  config: TrainConfig;
  runDir: string;
  onnxPath: string;
}

export async function runQuickstart(
  opts: QuickstartOptions,
  hooks: { train?: TrainOptions; finetune?: TrainOptions } = {},
): Promise<QuickstartResult> {
  const spec: DataSpec = opts.data ?? { data: 'mnist' };
  const data = await loadDataset(spec);
  const ftEpochs = opts.finetuneEpochs ?? QUICKSTART_FINETUNE_EPOCHS;
  const targetRatio = opts.targetRatio ?? QUICKSTART_TARGET_RATIO;
  // the one run pipeline, as `train --target-ratio` runs it
  const run = await trainRun(
    data,
    { config: { ...QUICKSTART_CONFIG, ...opts.config }, budget: { targetRatio }, finetuneEpochs: ftEpochs },
    hooks,
  );
  const budget = run.budget as BudgetResult;
  const { result: train, config } = run;
  const pruning = pruneNetwork(train.network).report;
  const runDir = path.resolve(opts.outDir, QUICKSTART_FILES.run);
  saveTrainedRun(runDir, run, {
    generatedBy: `gs-compress ${VERSION} quickstart`,
    data: portableRef(data.ref, runDir),
    config: { targetRatio, finetuneEpochs: ftEpochs, dataSpec: portableSpec(spec, runDir, { keepDataDir: true }) },
  });
  const onnxPath = path.resolve(opts.outDir, QUICKSTART_FILES.onnx);
  const compress = await compressRun(runDir, { exportPath: onnxPath });
  return {
    budget,
    train,
    pruning,
    start: budget.start,
    targetMet: budget.params <= budget.targetParams,
    compress,
    config,
    runDir,
    onnxPath,
  };
}

/** What the quickstart writes into its folder. */
export const QUICKSTART_FILES = { run: 'run', onnx: 'model.onnx', manifest: 'model.manifest.json' } as const;

/**
 * Whether `dir` holds an earlier quickstart's output and nothing else (its run folder with a
 * gs-run.json, model.onnx and its manifest): running the quickstart again may replace it.
 */
export function holdsQuickstart(dir: string): boolean {
  try {
    const entries = fs.readdirSync(dir);
    const ours: string[] = Object.values(QUICKSTART_FILES);
    return entries.length > 0 && entries.every((e) => ours.includes(e)) && fs.existsSync(path.join(dir, QUICKSTART_FILES.run, RUN_FILE));
  } catch {
    return false;
  }
}
