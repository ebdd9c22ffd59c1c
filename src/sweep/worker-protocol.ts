/** Messages between a sweep and its worker processes (over the fork IPC channel). */
import type { DataSpec } from '../data/types';
import type { GridPoint, RunRecord } from './types';

export type ToWorker =
  { type: 'init'; data: DataSpec; out: string; parentPid: number } | { type: 'run'; point: GridPoint } | { type: 'stop' };

export type FromWorker =
  | { type: 'ready' }
  | { type: 'done'; record: RunRecord }
  | { type: 'failed'; id: string; message: string }
  /** The worker cannot work at all (e.g. the data does not load); the sweep stops. */
  | { type: 'fatal'; code: string; message: string };
