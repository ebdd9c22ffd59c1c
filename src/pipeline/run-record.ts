/**
 * The typed run record: what a run directory's gs-run.json holds besides the network, in the
 * current version (network/run-io.ts RUN_RECORD_VERSION), with older versions migrated on reading,
 * so that every reader (reports, sweeps, inspect, prune) sees one shape whatever wrote the file.
 *
 * Version 1 -> 2: a size-path stop's `trainSeconds` becomes `seconds`; `wallSeconds` defaults to
 * `seconds` where it is missing or below it (older runs measured no more, some stored 0); a missing history, engine or configuration becomes
 * empty. Version 2 -> 3: a regressor's summary moves R^2 from testAccuracy / trainAccuracy /
 * valAccuracy to testR2 / trainR2 / valR2 (summaryNamesByTask; sweep stores migrate the same way).
 * Nothing is guessed beyond that: fields a writer did not know stay absent.
 */
import type { DataRef } from '../data/types';
import { loadAnyRun, RUN_RECORD_VERSION, type RunInfo } from '../network/run-io';
import type { AnyLayer, Network } from '../network/types';
import type { EpochRecord, TrainConfig } from '../train/types';
import type { RunSummaryRecord } from './run';

/** A run's configuration as recorded: the trained configuration and what its writer added. */
export type RunConfigRecord = Partial<TrainConfig> & {
  finetuneEpochs?: number;
  targetParams?: number;
  targetRatio?: number;
  standardize?: boolean;
  /** Where the data came from, portably (relative to the run directory, with content hashes). */
  dataSpec?: unknown;
  sweepId?: string;
  init?: string;
  [extra: string]: unknown;
};

export interface RunRecordV3 {
  format: 'gs-compress-run';
  version: typeof RUN_RECORD_VERSION;
  generatedBy: string;
  createdAt: string;
  data?: DataRef;
  config: RunConfigRecord;
  engine: string;
  history: EpochRecord[];
  /** Absent only in records of versions that wrote none. */
  summary?: Partial<RunSummaryRecord> & Record<string, unknown>;
}

const num = (v: unknown): number | undefined => (typeof v === 'number' && Number.isFinite(v) ? v : undefined);

/** The stored record in the current version (see the module comment for what each version changed). */
export function migrateRunInfo(info: RunInfo): RunRecordV3 {
  let summary = info.summary ? { ...info.summary } : undefined;
  if (summary && info.version < 2) {
    const seconds = num(summary.seconds) ?? num(summary.trainSeconds);
    delete summary.trainSeconds;
    if (seconds !== undefined) {
      summary.seconds = seconds;
      // a wall time below the training's own is no measurement (some writers stored 0)
      if ((num(summary.wallSeconds) ?? -1) < seconds) summary.wallSeconds = seconds;
    }
  }
  if (summary && info.version < 3) summary = summaryNamesByTask(summary);
  return {
    format: 'gs-compress-run',
    version: RUN_RECORD_VERSION,
    generatedBy: info.generatedBy,
    createdAt: info.createdAt,
    ...(info.data ? { data: info.data } : {}),
    config: info.config ?? {},
    engine: info.engine ?? '',
    history: (Array.isArray(info.history) ? info.history : []) as EpochRecord[],
    ...(summary ? { summary: summary } : {}),
  };
}

/** A run directory's network and its record, typed and migrated. */
export function readRunRecord(dir: string): { network: Network<AnyLayer>; record: RunRecordV3; storedVersion: number } {
  const { network, info } = loadAnyRun(dir);
  return { network, record: migrateRunInfo(info), storedVersion: info.version };
}

/**
 * A summary with its task's metrics under their own names: a regressor's R^2, which records before
 * version 3 kept in testAccuracy / trainAccuracy / valAccuracy, moved to testR2 / trainR2 / valR2
 * (a name already there wins). A classifier's summary, or a current one, comes back as it is.
 */
export function summaryNamesByTask<S extends object>(summary: S): S {
  const s = summary as Record<string, unknown>;
  if (s.task !== 'regression' || !['testAccuracy', 'trainAccuracy', 'valAccuracy'].some((k) => k in s)) return summary;
  const out: Record<string, unknown> = { ...s };
  for (const split of ['test', 'train', 'val']) {
    const from = `${split}Accuracy`;
    const to = `${split}R2`;
    if (from in out) {
      if (out[to] === undefined) out[to] = out[from];
      delete out[from];
    }
  }
  return out as S;
}
