/**
 * Running configurations on worker processes: each worker loads the data once and is handed one
 * configuration at a time. A worker that dies mid-run (killed, out of memory) is replaced and its
 * configuration retried once; one that dies twice on the same configuration counts as failed.
 * A worker that cannot start (the data does not load: it reports why) stops the whole pool with
 * its error; workers dying while starting are replaced up to MAX_START_FAILURES times.
 */
import type { ChildProcess } from 'child_process';
import type { DataSpec } from '../data/types';
import { GsError, type GsErrorCode } from '../errors';
import type { GridPoint, RunRecord } from './types';
import { forkWorker } from './worker-spawn';
import type { FromWorker, ToWorker } from './worker-protocol';

export interface PoolOptions {
  workers: number;
  data: DataSpec;
  out: string;
}

export interface PoolCallbacks {
  /** A run finished; the store line is written here (awaited before the worker gets more work). */
  onDone(record: RunRecord, pid: number | undefined): void;
  onFailed(id: string, message: string): void;
  onWorkerStart?(pid: number): void;
}

interface Slot {
  child: ChildProcess;
  busy: GridPoint | null;
  ready: boolean;
  stopping: boolean;
}

const MAX_ATTEMPTS = 2;
/** Workers that may die while starting (killed, out of memory) before the sweep gives up. */
const MAX_START_FAILURES = 3;

export function runPool(points: readonly GridPoint[], opts: PoolOptions, cb: PoolCallbacks): Promise<void> {
  const queue = [...points];
  const attempts = new Map<string, number>();
  const slots = new Set<Slot>();
  let finished = false;
  let startFailures = 0;
  return new Promise<void>((resolve, reject) => {
    const finish = (err?: Error) => {
      if (finished) return;
      finished = true;
      for (const s of slots) s.child.kill('SIGKILL');
      if (err) reject(err);
      else resolve();
    };
    const send = (s: Slot, msg: ToWorker) => {
      try {
        s.child.send(msg);
      } catch {
        // the exit handler deals with a worker that has gone
      }
    };
    const dispatch = (s: Slot) => {
      const next = queue.shift();
      if (!next) {
        s.stopping = true;
        s.busy = null;
        send(s, { type: 'stop' });
        return;
      }
      s.busy = next;
      send(s, { type: 'run', point: next });
    };
    const spawn = () => {
      const child = forkWorker();
      const s: Slot = { child, busy: null, ready: false, stopping: false };
      slots.add(s);
      if (child.pid !== undefined) cb.onWorkerStart?.(child.pid);
      child.on('message', (msg: FromWorker) => {
        if (finished) return;
        try {
          if (msg.type === 'ready') {
            s.ready = true;
            dispatch(s);
          } else if (msg.type === 'done') {
            s.busy = null;
            cb.onDone(msg.record, child.pid);
            dispatch(s);
          } else if (msg.type === 'failed') {
            s.busy = null;
            cb.onFailed(msg.id, msg.message);
            dispatch(s);
          } else if (msg.type === 'fatal') {
            finish(new GsError((msg.code === 'INTERNAL' ? 'BAD_INPUT' : msg.code) as GsErrorCode, msg.message));
          }
        } catch (e) {
          finish(e as Error); // e.g. the store cannot be written
        }
      });
      child.on('error', () => undefined); // 'exit' follows
      child.on('exit', (code, signal) => {
        slots.delete(s);
        if (finished) return;
        if (!s.ready && ++startFailures >= MAX_START_FAILURES) {
          finish(new GsError('UNAVAILABLE', `sweep workers keep exiting before they are ready (last: ${signal ?? `exit code ${code}`})`));
          return;
        }
        if (s.busy) {
          const p = s.busy;
          const n = (attempts.get(p.id) ?? 0) + 1;
          attempts.set(p.id, n);
          if (n < MAX_ATTEMPTS) queue.unshift(p);
          else cb.onFailed(p.id, `its worker process died ${n} times (last: ${signal ?? `exit code ${code}`})`);
        }
        if (queue.length > 0 && slots.size < opts.workers) spawn();
        if (slots.size === 0) finish();
      });
      send(s, { type: 'init', data: opts.data, out: opts.out, parentPid: process.pid });
    };
    const n = Math.max(1, Math.min(opts.workers, queue.length));
    if (queue.length === 0) {
      resolve();
      return;
    }
    for (let k = 0; k < n; k++) spawn();
  });
}
