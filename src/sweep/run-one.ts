/**
 * Training one configuration of a sweep: train, save the run directory (runs/<id>, written
 * before anything reaches the store), and describe it as a store record.
 */
import * as path from 'path';
import type { SplitDataset } from '../data/types';
import { saveRun } from '../network/run-io';
import { collapsedLevels, pruneNetwork } from '../prune';
import { trainNetwork } from '../train/train';
import { VERSION } from '../version';
import { RUNS_DIR } from './store';
import type { GridPoint, RunRecord, RunSummary } from './types';

export interface RunOneOptions {
  /** Called between batches; a worker uses it to notice that its sweep has gone. */
  onProgress?: () => void;
}

export async function runOne(data: SplitDataset, point: GridPoint, outDir: string, opts: RunOneOptions = {}): Promise<RunRecord> {
  const t0 = Date.now();
  const { train: cfg, standardize } = point.config;
  const result = await trainNetwork(data, cfg, { standardize, onProgress: opts.onProgress });
  const last = result.history[result.history.length - 1];
  const aliveUnits = last?.aliveUnits ?? [];
  const totalParams = last?.totalParams ?? 0;
  const runDir = path.join(RUNS_DIR, point.id);
  let prunedParams = totalParams;
  let collapsed = false;
  try {
    const report = pruneNetwork(result.network).report;
    prunedParams = report.parameters.after;
    collapsed = collapsedLevels(report).length > 0;
  } catch {
    // a diverged network (NaN weights) cannot be pruned meaningfully; keep the dense count
  }
  const summary: RunSummary = {
    testAccuracy: last?.testAccuracy ?? NaN,
    trainAccuracy: last?.trainAccuracy ?? NaN,
    nonzeroParams: totalParams - (last?.zeroParams ?? 0),
    totalParams,
    prunedParams,
    aliveUnits,
    aliveNeurons: aliveUnits.reduce((s, n) => s + n, 0),
    aliveInputs: last?.aliveInputs ?? 0,
    inputs: data.train.cols,
    seconds: result.trainSeconds,
    wallSeconds: 0,
    engine: result.engine,
    diverged: last ? !Number.isFinite(last.dataLoss) : true,
    ...(collapsed ? { collapsed } : {}),
  };
  saveRun(path.join(outDir, runDir), result.network, {
    generatedBy: `gs-compress ${VERSION} sweep`,
    createdAt: new Date().toISOString(),
    data: data.ref,
    config: { ...cfg, standardize: result.network.scaling !== null, dataSpec: point.config.data, sweepId: point.id },
    engine: result.engine,
    history: result.history as unknown as Record<string, unknown>[],
    summary: summary as unknown as Record<string, unknown>,
  });
  summary.wallSeconds = (Date.now() - t0) / 1000;
  return { id: point.id, config: point.config, runDir, summary, history: result.history, finishedAt: new Date().toISOString() };
}
