/**
 * The one run pipeline: what `train`, every sweep run, the quickstart and library callers do to
 * get a trained network from data and settings: the library's defaults (a budget run's learning
 * rate), a teacher when distilling, training to a budget or training then fine-tuning, and one
 * summary. The same settings give the same network and the same summary whoever calls it;
 * callers only add what they show (progress, printing) and where they save (saveTrainedRun).
 */
import type { DataRef, SplitDataset } from '../data/types';
import type { AnyLayer, Network } from '../network/types';
import { saveRun } from '../network/run-io';
import type { TrainConfigInput } from '../train/config';
import { resolveTrainConfig } from '../train/config';
import type { TrainOptions, TrainResult } from '../train/train';
import type { EpochRecord, TrainConfig } from '../train/types';
import type { LrSchedule } from '../train/lr-schedule';
import {
  budgetRecord,
  resolveBudgetConfig,
  trainTeacher,
  trainToBudget,
  type BudgetOptions,
  type BudgetRecord,
  type BudgetResult,
  type ProjectionRecord,
} from './budget';
import { trainThenFinetune } from './finetune';
import { summarizeTraining, type TrainSummary } from './summary';

/** A budget: one of targetParams / targetRatio, and the budget trainer's other options. */
export type RunBudget = Omit<BudgetOptions, 'init' | 'distill' | 'finetuneEpochs'>;

export interface RunSettings {
  /** The training configuration as asked (resolveTrainConfig's input); a budget run without lr takes the budget default. */
  config: TrainConfigInput;
  /** Train to this budget (absent: train, then fine-tune when finetuneEpochs > 0). */
  budget?: RunBudget;
  /** Epochs of fine-tuning the pruned network after training (default 0). */
  finetuneEpochs?: number;
  /** A run without a budget: the learning rate over its fine-tuning (default constant; a budget's is in `budget`). */
  finetuneLrSchedule?: LrSchedule;
  /** Distil (budget runs only) from `teacher`, or else from a dense teacher trained on the same settings. */
  distill?: { temperature?: number; alpha?: number; teacher?: Network<AnyLayer> };
  /** Start from this network's weights (train --init, compress). */
  init?: Network<AnyLayer>;
}

export interface RunHooks {
  teacher?: TrainOptions;
  train?: TrainOptions;
  finetune?: TrainOptions;
}

/** The summary every caller shows and saves: the training's, a budget's record, fine-tuning figures and the wall time. */
export type RunSummaryRecord = TrainSummary &
  Partial<BudgetRecord> & {
    /** Test accuracy at the end of training, before fine-tuning (with fine-tuning or a budget). */
    testAccuracyBeforeFinetune?: number;
    finetuneEpochs?: number;
    /** A budget run's projections (epoch, allowed and removed units of each). */
    projections?: ProjectionRecord[];
    /** Wall time of the whole run, the teacher included (seconds). */
    wallSeconds: number;
  };

export interface RunOutcome {
  result: TrainResult;
  /** The configuration trained, every default resolved. */
  config: TrainConfig;
  /** True when the learning rate is the library's budget default for the data (the caller gave none). */
  lrDefaulted: boolean;
  budget: BudgetResult | null;
  summary: RunSummaryRecord;
}

/** Trains as the settings say; see the module comment. */
export async function trainRun(data: SplitDataset, s: RunSettings, hooks: RunHooks = {}): Promise<RunOutcome> {
  const t0 = performance.now();
  const finetuneEpochs = s.finetuneEpochs ?? 0;
  if (s.budget) {
    const { config } = resolveBudgetConfig(data.train.rows, s.config, s.init !== undefined);
    const teacher = s.distill ? (s.distill.teacher ?? (await trainTeacher(data, config, hooks.teacher ?? hooks.train))) : null;
    const b = await trainToBudget(
      data,
      s.config,
      {
        ...s.budget,
        finetuneEpochs,
        ...(s.init ? { init: s.init } : {}),
        ...(teacher ? { distill: { ...s.distill, teacher } } : {}),
      },
      { train: hooks.train, finetune: hooks.finetune },
    );
    return {
      result: b.result,
      config: b.config,
      lrDefaulted: b.lrDefaulted,
      budget: b,
      summary: budgetSummary(b, data, finetuneEpochs, t0),
    };
  }
  if (s.distill) throw new Error('internal: distillation needs a budget (checked by the callers)');
  const config = resolveTrainConfig(s.config);
  // a network of any layer types trains on the layers engine (trainNetwork picks it from the layers)
  const train = { ...hooks.train, ...(s.init ? { init: s.init as Network } : {}) };
  const finetune = s.finetuneLrSchedule ? { ...hooks.finetune, lrSchedule: s.finetuneLrSchedule } : hooks.finetune;
  const { result, trainedAccuracy } = await trainThenFinetune(data, config, finetuneEpochs, { train, finetune });
  return {
    result,
    config,
    lrDefaulted: false,
    budget: null,
    summary: summaryOf(result, data, t0, finetuneEpochs > 0 ? { testAccuracyBeforeFinetune: trainedAccuracy, finetuneEpochs } : {}),
  };
}

/** The summary of a budget run (also each stop of a size path): the run's, its budget record and
 * projections, the fine-tuning figures; wall time from `t0` (performance.now()), or its training's. */
export function budgetSummary(b: BudgetResult, data: SplitDataset, finetuneEpochs: number, t0?: number): RunSummaryRecord & BudgetRecord {
  const record = budgetRecord(b);
  return {
    ...record,
    ...summaryOf(
      b.result,
      data,
      t0,
      {
        ...record,
        projections: b.projections,
        ...(finetuneEpochs > 0 ? { testAccuracyBeforeFinetune: b.accuracyBeforeFinetune, finetuneEpochs } : {}),
      },
      b.final,
    ),
  };
}

function summaryOf(
  result: TrainResult,
  data: SplitDataset,
  t0: number | undefined,
  extra: Partial<RunSummaryRecord>,
  final?: Partial<EpochRecord>,
): RunSummaryRecord {
  const trained = summarizeTraining(result, data.train.cols, final);
  // wall time: the teacher, training, evaluation and the pruning summarizeTraining does; never below the training's own
  const wall = t0 === undefined ? 0 : (performance.now() - t0) / 1000;
  return { ...extra, ...trained, wallSeconds: Math.max(wall, trained.seconds) };
}

/** What a saved run records besides the outcome: who wrote it, its data and the configuration's extra fields. */
export interface SavedRunInfo {
  generatedBy: string;
  data: DataRef;
  /** Fields of the recorded configuration beyond the trained one (budget flags, dataSpec, sweepId, init...). */
  config?: Record<string, unknown>;
  /** Fields of the recorded summary beyond the outcome's (e.g. a budget run's projections). */
  summary?: object;
}

/** Saves the outcome as a run directory (network, gs-run.json with configuration, history and summary). */
export function saveTrainedRun(dir: string, o: RunOutcome, info: SavedRunInfo): void {
  saveRun(dir, o.result.network, {
    generatedBy: info.generatedBy,
    createdAt: new Date().toISOString(),
    data: info.data,
    config: { ...o.config, ...info.config, standardize: o.result.network.scaling !== null },
    engine: o.result.engine,
    history: o.result.history,
    summary: { ...o.summary, ...info.summary },
  });
}
