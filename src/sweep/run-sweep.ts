/**
 * runSweep: expand the grid, take this shard's slice, skip configurations already in the store,
 * and train the rest on worker processes (or in this process with workers: 0), appending each
 * finished run to out/results.jsonl after its run directory is saved. Safe to kill at any moment
 * and run again: the store is repaired first and finished ids are never trained twice.
 */
import * as os from 'os';
import * as path from 'path';
import { loadDataset } from '../data';
import { absoluteDataSpec, expandGrid, gridNeedsTrainRows } from './grid';
import { lockSweep } from './lock';
import type { Shard } from './shard';
import { shardOf } from './shard';
import { appendRecord, repairStore, STORE_FILE } from './store';
import { runOne } from './run-one';
import type { GridPoint, GridSpec, RunRecord } from './types';
import { runPool } from './worker-pool';

export interface SweepOptions {
  grid: GridSpec;
  /** Output folder: results.jsonl and runs/<id>/. */
  out: string;
  /** Worker processes (default os.availableParallelism()); 0 trains in this process. */
  workers?: number;
  shard?: Shard;
}

export interface SweepStart {
  /** Configurations in the grid, and in this shard. */
  gridSize: number;
  total: number;
  /** Already in the store (skipped), and to run now. */
  skipped: number;
  pending: number;
  workers: number;
  /** Unreadable store lines dropped (their configurations are redone). */
  repairedLines: number;
}

export interface SweepHooks {
  onStart?(info: SweepStart): void;
  /** `pid`: the worker process that trained it (undefined in-process). */
  onRunDone?(record: RunRecord, progress: { done: number; pending: number; pid?: number }): void;
  onRunFailed?(id: string, message: string): void;
  /** A worker process started (its pid), e.g. for monitoring or tests. */
  onWorkerStart?(pid: number): void;
}

export interface SweepResult {
  out: string;
  store: string;
  gridSize: number;
  total: number;
  skipped: number;
  ran: number;
  failed: { id: string; message: string }[];
  /** The store's records of this shard's configurations (old and new). */
  records: RunRecord[];
  seconds: number;
}

export function defaultWorkers(): number {
  return typeof os.availableParallelism === 'function' ? os.availableParallelism() : os.cpus().length;
}

export async function runSweep(opts: SweepOptions, hooks: SweepHooks = {}): Promise<SweepResult> {
  const t0 = Date.now();
  const out = path.resolve(opts.out);
  const dataSpec = absoluteDataSpec(opts.grid.data);
  // budget runs without an lr list take the budget lr for the data's training rows (as train does)
  const trainRows = gridNeedsTrainRows(opts.grid) ? (await loadDataset(dataSpec)).train.rows : undefined;
  const all = expandGrid(opts.grid, out, trainRows);
  const mine = opts.shard ? shardOf(all, opts.shard.index, opts.shard.count) : all;
  const release = lockSweep(out);
  try {
    const store = repairStore(path.join(out, STORE_FILE));
    const done = new Map(store.records.map((r) => [r.id, r]));
    const pending: GridPoint[] = mine.filter((p) => !done.has(p.id));
    const workers = Math.max(0, Math.min(opts.workers ?? defaultWorkers(), pending.length));
    hooks.onStart?.({
      gridSize: all.length,
      total: mine.length,
      skipped: mine.length - pending.length,
      pending: pending.length,
      workers,
      repairedLines: store.dropped,
    });
    const failed: { id: string; message: string }[] = [];
    let ran = 0;
    const onDone = (record: RunRecord, pid?: number) => {
      appendRecord(store.file, record);
      done.set(record.id, record);
      ran++;
      hooks.onRunDone?.(record, { done: ran, pending: pending.length, pid });
    };
    const onFailed = (id: string, message: string) => {
      failed.push({ id, message });
      hooks.onRunFailed?.(id, message);
    };
    if (pending.length > 0 && workers === 0) {
      const data = await loadDataset(dataSpec);
      for (const p of pending) {
        try {
          onDone(await runOne(data, p, out));
        } catch (e) {
          if ((e as NodeJS.ErrnoException).code === 'ENOSPC') throw e;
          onFailed(p.id, (e as Error).message);
        }
      }
    } else if (pending.length > 0) {
      await runPool(pending, { workers, data: dataSpec, out }, { onDone, onFailed, onWorkerStart: (pid) => hooks.onWorkerStart?.(pid) });
    }
    const records = mine.map((p) => done.get(p.id)).filter((r): r is RunRecord => r !== undefined);
    return {
      out,
      store: store.file,
      gridSize: all.length,
      total: mine.length,
      skipped: mine.length - pending.length,
      ran,
      failed,
      records,
      seconds: (Date.now() - t0) / 1000,
    };
  } finally {
    release();
  }
}
