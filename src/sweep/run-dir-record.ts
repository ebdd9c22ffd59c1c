/**
 * A run directory (gs-compress train --out) seen as a results-store record, so that single runs
 * and sweep stores go through the same tables, selection and plots. Figures come from the run's
 * gs-run.json (config, summary, history) and its weights (parameter counts). What a run directory
 * cannot tell without pruning (the pruned parameter count) is NaN.
 */
import * as path from 'path';
import { readRunRecord } from '../pipeline/run-record';
import { TASKS, taskOf } from '../network/tasks';
import type { RunRecord, RunSummary, SweepConfig } from './types';
import type { EpochRecord, TrainConfig } from '../train/types';
import { parameterCount } from '../network/create';
import { zeroCount } from '../penalty/count';
import { layerType } from '../network/layers/table';
import { toWorkingCopy } from '../prune/working-copy';

function num(v: unknown): number | undefined {
  return typeof v === 'number' && Number.isFinite(v) ? v : undefined;
}

function numList(v: unknown): number[] | undefined {
  return Array.isArray(v) && v.every((x) => typeof x === 'number' && Number.isFinite(x)) ? (v as number[]) : undefined;
}

export function runDirRecord(dir: string, id = path.basename(path.resolve(dir))): RunRecord {
  // typed and migrated (pipeline/run-record.ts): older versions' field names need no fallbacks here
  const { network, record: info } = readRunRecord(dir);
  const history = info.history;
  const last = history[history.length - 1] as Partial<EpochRecord> | undefined;
  const s: Record<string, unknown> = info.summary ?? {};
  const total = parameterCount(network);
  const zeros = zeroCount(network.layers);
  const aliveUnits = Array.isArray(s.aliveUnits) ? (s.aliveUnits as number[]) : (last?.aliveUnits ?? []);
  const trainSeconds = num(s.seconds) ?? history.reduce((t, r) => t + (num(r.seconds) ?? 0), 0);
  // the task's score under its own names (the record is migrated: a regressor's R^2 is testR2, ...);
  // the last epoch record's score (accuracy, or R^2 for a regressor) where the summary has none
  const reg = network.task === 'regression';
  const spatial = network.inputShape !== undefined && network.inputShape.length > 1;
  const f = TASKS[taskOf(network)].scoreFields;
  const score = (split: 'test' | 'train' | 'val', fromEpoch: number | undefined) => num(s[f[split]]) ?? num(fromEpoch);
  const val = score('val', last?.valAccuracy);
  const summary: RunSummary = {
    ...(reg ? { task: 'regression' as const } : {}),
    [f.test]: score('test', last?.testAccuracy) ?? NaN,
    [f.train]: score('train', last?.trainAccuracy) ?? NaN,
    // runs written before validation splits (or with --val-fraction 0) have none: selection then falls back to test, with a note
    ...(val !== undefined ? { [f.val]: val } : {}),
    ...(reg ? rmses(s, last) : {}),
    nonzeroParams: total - zeros,
    totalParams: total,
    prunedParams: NaN,
    aliveUnits,
    aliveNeurons: aliveUnits.reduce((a, b) => a + b, 0),
    aliveInputs: num(s.aliveInputs) ?? num(last?.aliveInputs) ?? layerType(network.layers[0]).inChannels(network.layers[0]),
    // a convolutional network's inputs are its image channels (the start's, before any were pruned)
    inputs: spatial ? (numList(s.startWidths)?.[0] ?? (network.inputShape as number[])[0]) : network.inputWidth,
    seconds: trainSeconds,
    wallSeconds: num(s.wallSeconds) ?? trainSeconds,
    engine: info.engine,
    diverged: s.diverged === true || (last !== undefined && !Number.isFinite(last.dataLoss ?? NaN)),
  };
  const cfg = info.config;
  // a budget run (a size path's stop) ends at its own widths: recorded in its summary, or, in older
  // records, the widths of its saved (compact) network
  const budgeted = s.targetParams !== undefined || cfg.targetParams !== undefined || cfg.targetRatio !== undefined;
  const hidden = numList(s.hidden) ?? (budgeted ? toWorkingCopy(network).sizes.slice(1, -1) : undefined);
  if (hidden) summary.hidden = hidden;
  if (num(s.targetParams) !== undefined) summary.targetParams = num(s.targetParams);
  if (num(s.compactParams) !== undefined) summary.compactParams = num(s.compactParams);
  const startWidths = numList(s.startWidths);
  if (startWidths && num(s.startParams) !== undefined) {
    summary.startWidths = startWidths;
    summary.startParams = num(s.startParams);
  }
  const config: SweepConfig = {
    train: cfg as unknown as TrainConfig,
    standardize: typeof cfg.standardize === 'boolean' ? cfg.standardize : undefined,
    data: cfg.dataSpec ?? {},
  };
  return { id, config, runDir: path.resolve(dir), summary, history, finishedAt: info.createdAt };
}

/** A regressor's RMSEs from its summary, or its last epoch record. */
function rmses(s: Record<string, unknown>, last: Partial<EpochRecord> | undefined): Record<string, number> {
  const out: Record<string, number> = {};
  for (const k of ['testRmse', 'trainRmse', 'valRmse'] as const) {
    const v = num(s[k]) ?? num(last?.[k]);
    if (v !== undefined) out[k] = v;
  }
  return out;
}
