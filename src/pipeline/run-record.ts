/**
 * The typed run record: what a run directory's gs-run.json holds besides the network, in the
 * current version (network/run-io.ts RUN_RECORD_VERSION), with older versions migrated on reading,
 * so that every reader (reports, sweeps, inspect, prune) sees one shape whatever wrote the file.
 *
 * Version 1 -> 2: a size-path stop's `trainSeconds` becomes `seconds`; `wallSeconds` defaults to
 * `seconds` where it is missing or below it (older runs measured no more, some stored 0); a missing history, engine or configuration becomes
 * empty. Nothing is guessed beyond that: fields a writer did not know stay absent.
 */
import type { DataRef } from '../data/types';
import { loadRun, RUN_RECORD_VERSION, type RunInfo } from '../network/run-io';
import type { Network } from '../network/types';
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

export interface RunRecordV2 {
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
export function migrateRunInfo(info: RunInfo): RunRecordV2 {
  const summary = info.summary ? { ...info.summary } : undefined;
  if (summary && info.version < 2) {
    const seconds = num(summary.seconds) ?? num(summary.trainSeconds);
    delete summary.trainSeconds;
    if (seconds !== undefined) {
      summary.seconds = seconds;
      // a wall time below the training's own is no measurement (some writers stored 0)
      if ((num(summary.wallSeconds) ?? -1) < seconds) summary.wallSeconds = seconds;
    }
  }
  return {
    format: 'gs-compress-run',
    version: RUN_RECORD_VERSION,
    generatedBy: info.generatedBy,
    createdAt: info.createdAt,
    ...(info.data ? { data: info.data } : {}),
    config: info.config ?? {},
    engine: info.engine ?? '',
    history: (Array.isArray(info.history) ? info.history : []) as unknown as EpochRecord[],
    ...(summary ? { summary: summary } : {}),
  };
}

/** A run directory's network and its record, typed and migrated. */
export function readRunRecord(dir: string): { network: Network; record: RunRecordV2; storedVersion: number } {
  const { network, info } = loadRun(dir);
  return { network, record: migrateRunInfo(info), storedVersion: info.version };
}
