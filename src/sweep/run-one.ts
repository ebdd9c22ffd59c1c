/**
 * Training one configuration of a sweep: train, save the run directory (runs/<id>, written
 * before anything reaches the store), and describe it as a store record. The run's gs-run.json
 * refers to its data portably (relative to the run directory, with content hashes), and its
 * summary holds the same wall time as the record (training, evaluation and pruning).
 */
import * as path from 'path';
import { portableRef, rebaseSpec } from '../data/portable';
import type { SplitDataset } from '../data/types';
import { saveRun } from '../network/run-io';
import { budgetRecord, trainTeacher, trainToBudget, type BudgetRecord } from '../pipeline/budget';
import { summarizeTraining } from '../pipeline/summary';
import { trainNetwork } from '../train/train';
import { VERSION } from '../version';
import { RUNS_DIR } from './store';
import type { GridPoint, RunRecord, RunSummary } from './types';

export interface RunOneOptions {
  /** Called between batches; a worker uses it to notice that its sweep has gone. */
  onProgress?: () => void;
}

export async function runOne(data: SplitDataset, point: GridPoint, outDir: string, opts: RunOneOptions = {}): Promise<RunRecord> {
  const t0 = performance.now();
  const { train: cfg, standardize } = point.config;
  const hooks = { standardize, onProgress: opts.onProgress };
  const budget = point.config.budget;
  let budgetInfo: BudgetRecord | undefined;
  let result;
  if (budget) {
    const teacher = budget.distill ? await trainTeacher(data, cfg, hooks) : null;
    const b = await trainToBudget(
      data,
      cfg,
      {
        targetParams: budget.targetParams,
        targetRatio: budget.targetRatio,
        finetuneEpochs: budget.finetuneEpochs,
        ...(teacher ? { distill: { teacher } } : {}),
      },
      { train: hooks, finetune: hooks },
    );
    result = b.result;
    budgetInfo = budgetRecord(b);
  } else {
    result = await trainNetwork(data, cfg, hooks);
  }
  const runDir = path.join(RUNS_DIR, point.id);
  // wall time: training, evaluation and pruning (summarizeTraining prunes); saved in gs-run.json and the record alike
  const trained = summarizeTraining(result, data.train.cols);
  const summary: RunSummary = {
    ...trained,
    // never below the training's own wall time (both clocks are fractional milliseconds)
    wallSeconds: Math.max((performance.now() - t0) / 1000, trained.seconds),
    ...(budgetInfo ?? {}),
  };
  const absRunDir = path.resolve(outDir, runDir);
  saveRun(absRunDir, result.network, {
    generatedBy: `gs-compress ${VERSION} sweep`,
    createdAt: new Date().toISOString(),
    data: portableRef(data.ref, absRunDir),
    config: {
      ...cfg,
      ...(budget ?? {}),
      standardize: result.network.scaling !== null,
      dataSpec: rebaseSpec(point.config.data, path.resolve(outDir), absRunDir),
      sweepId: point.id,
    },
    engine: result.engine,
    history: result.history as unknown as Record<string, unknown>[],
    summary: summary as unknown as Record<string, unknown>,
  });
  return { id: point.id, config: point.config, runDir, summary, history: result.history, finishedAt: new Date().toISOString() };
}
