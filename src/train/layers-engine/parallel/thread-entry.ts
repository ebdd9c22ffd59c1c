/**
 * Starting the layers engine's worker thread (./worker.ts) from this process, whether it runs the
 * compiled package (dist/, plain JavaScript) or the TypeScript sources (jest, tsx): the worker's
 * entry is a few lines of JavaScript (eval), which register tsx (a development dependency) first
 * when the worker module is a .ts file, then load it and run its loop. A failure to load is written
 * to the link, and the thread's exit is flagged there, so main never waits on a worker that is gone.
 */
import path from 'path';
import { Worker } from 'worker_threads';
import { LINK_SLOTS } from './link';
import type { WorkerSetup } from './worker';

const ENTRY = `
const { workerData } = require('worker_threads');
const S = ${JSON.stringify(LINK_SLOTS)};
const ctl = new Int32Array(workerData.link.ctl);
const wake = () => { for (let i = 0; i < ctl.length; i++) Atomics.notify(ctl, i); };
process.on('exit', () => { Atomics.store(ctl, S.DEAD, 1); wake(); });
try {
  if (workerData.tsx) require(workerData.tsx);
  require(workerData.file).runWorker(workerData);
} catch (e) {
  const bytes = new TextEncoder().encode(String(e && e.message ? e.message : e)).subarray(0, S.ERROR_BYTES);
  new Uint8Array(workerData.link.error).set(bytes);
  Atomics.store(ctl, S.ERROR_LENGTH, bytes.length);
  Atomics.store(ctl, S.STATUS, 1);
  wake();
}
`;

/** The worker module's file beside this one (.ts from the sources, .js from dist/) and the loader it needs. */
function workerFile(): { file: string; tsx: string | null } {
  const ext = path.extname(__filename);
  const file = path.join(__dirname, `worker${ext}`);
  return { file, tsx: ext === '.ts' ? require.resolve('tsx/cjs') : null };
}

/** Starts the worker thread on `setup` (file and tsx filled in here); it does not keep the process alive. */
export function startWorker(setup: Omit<WorkerSetup, 'file' | 'tsx'>): Worker {
  const data: WorkerSetup = { ...setup, ...workerFile() };
  const w = new Worker(ENTRY, { eval: true, workerData: data });
  w.unref();
  // errors surface through the link (main throws them); this keeps an 'error' event from crashing the process
  w.on('error', () => undefined);
  return w;
}
