/**
 * Entry point of a sweep worker process (forked by worker-pool.ts, never imported): loads the
 * data once on 'init', then trains each configuration it is sent and reports the record. It
 * exits when told to stop, when the IPC channel closes, or, between batches, when its parent
 * process has gone (a sweep killed with kill -9), so no orphan keeps training.
 */
import { loadDataset } from '../data';
import type { SplitDataset } from '../data/types';
import { isGsError } from '../errors';
import { runOne } from './run-one';
import type { FromWorker, ToWorker } from './worker-protocol';

let data: SplitDataset | null = null;
let out = '';
let parentPid = 0;
let lastCheck = 0;
let queue: Promise<void> = Promise.resolve();

function send(msg: FromWorker): void {
  if (!process.connected || !process.send) process.exit(0);
  process.send(msg, undefined, undefined, (err) => {
    if (err) process.exit(0);
  });
}

function exitIfOrphaned(): void {
  const now = Date.now();
  if (now - lastCheck < 500) return;
  lastCheck = now;
  try {
    process.kill(parentPid, 0);
  } catch {
    process.exit(0);
  }
}

async function handle(msg: ToWorker): Promise<void> {
  if (msg.type === 'init') {
    out = msg.out;
    parentPid = msg.parentPid;
    try {
      data = await loadDataset(msg.data);
      send({ type: 'ready' });
    } catch (e) {
      send({ type: 'fatal', code: isGsError(e) ? e.code : 'INTERNAL', message: (e as Error).message ?? String(e) });
      setTimeout(() => process.exit(1), 50);
    }
  } else if (msg.type === 'run') {
    if (!data) throw new Error('run before init');
    try {
      const record = await runOne(data, msg.point, out, { onProgress: exitIfOrphaned });
      send({ type: 'done', record });
    } catch (e) {
      send({ type: 'failed', id: msg.point.id, message: (e as Error).message ?? String(e) });
    }
  } else if (msg.type === 'stop') {
    process.disconnect?.();
    process.exit(0);
  }
}

process.on('message', (msg: ToWorker) => {
  queue = queue.then(() => handle(msg));
});
process.on('disconnect', () => process.exit(0));
