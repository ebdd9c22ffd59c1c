/**
 * Training one configuration of a sweep: train, save the run directory (runs/<id>, written
 * before anything reaches the store), and describe it as a store record. The run's gs-run.json
 * refers to its data portably (relative to the run directory, with content hashes), and its
 * summary holds the same wall time as the record (training, evaluation and pruning). Training is
 * the one run pipeline's (pipeline/run.ts trainRun), as for `train`.
 */
import * as path from 'path';
import { portableRef, rebaseSpec } from '../data/portable';
import type { SplitDataset } from '../data/types';
import { saveTrainedRun, trainRun } from '../pipeline/run';
import { VERSION } from '../version';
import { RUNS_DIR } from './store';
import type { GridPoint, RunRecord, RunSummary } from './types';

export interface RunOneOptions {
  /** Called between batches; a worker uses it to notice that its sweep has gone. */
  onProgress?: () => void;
}

export async function runOne(data: SplitDataset, point: GridPoint, outDir: string, opts: RunOneOptions = {}): Promise<RunRecord> {
  const { train: cfg, standardize } = point.config;
  const hooks = { standardize, onProgress: opts.onProgress };
  const budget = point.config.budget;
  // the one run pipeline (pipeline/run.ts), as train runs it: the same settings give the same summary
  const run = await trainRun(
    data,
    {
      config: cfg,
      ...(budget
        ? {
            budget: { targetParams: budget.targetParams, targetRatio: budget.targetRatio },
            finetuneEpochs: budget.finetuneEpochs,
            ...(budget.distill ? { distill: {} } : {}),
          }
        : {}),
    },
    { teacher: hooks, train: hooks, finetune: hooks },
  );
  const runDir = path.join(RUNS_DIR, point.id);
  const summary: RunSummary = run.summary;
  const absRunDir = path.resolve(outDir, runDir);
  saveTrainedRun(absRunDir, run, {
    generatedBy: `gs-compress ${VERSION} sweep`,
    data: portableRef(data.ref, absRunDir),
    config: {
      ...(budget ?? {}),
      dataSpec: rebaseSpec(point.config.data, path.resolve(outDir), absRunDir),
      sweepId: point.id,
    },
  });
  return { id: point.id, config: point.config, runDir, summary, history: run.result.history, finishedAt: new Date().toISOString() };
}
