/**
 * The layers engine's minibatch gradient on two threads (data parallelism): main computes the
 * gradient of the first half of the rows while a worker thread (./worker.ts) computes the second
 * half on its own WebAssembly instances, with the parameters shared (the layers of both threads are
 * bound to one SharedArrayBuffer, so nothing is copied per step). Each part's gradient is its share
 * of the whole batch's mean-loss gradient (../pass.ts with a split), batch norm normalizing with the
 * whole batch's statistics through the link's all-reduce (./link.ts); main adds the worker's
 * gradient to its own, and the engine's optimizer and proximal steps run once, on main, as on one
 * thread. The data goes to the worker once (x in shared memory). Synchronisation is Atomics on the
 * link, no message per step.
 */
import type { Worker } from 'worker_threads';
import type { AnyLayer } from '../../../network/types';
import type { TrainingData } from '../../types';
import { batchGradient, gatherBatch } from '../pass';
import type { TrainOp } from '../ops/train-op';
import { Link, linkBuffers } from './link';
import { startWorker } from './thread-entry';

export interface SplitPassSetup {
  /** The layers as the worker starts them (their trainable values are read from `params` there). */
  init: readonly AnyLayer[];
  /** Main's layers, bound to views of `params`, and their shapes. */
  layers: readonly AnyLayer[];
  shapes: readonly (readonly number[])[];
  inShape: readonly number[];
  /** The engine's batch size. */
  batch: number;
  data: TrainingData;
  /** The flat parameters (backed by a SharedArrayBuffer) and main's flat gradient with its per-layer views. */
  params: Float32Array;
  grads: Float32Array;
  gradViews: Float32Array[][];
  /** Main's training ops (WebAssembly instances for parts of up to partRows(batch) rows). */
  opOf: (l: AnyLayer) => TrainOp<AnyLayer>;
}

/** Rows of main's part of an n-row batch (the worker takes the rest). */
export const partRows = (n: number): number => Math.ceil(n / 2);

export interface SplitPass {
  /** Writes the gradient of the mean loss of data rows order[start..start+n) into the engine's gradient; returns that loss. */
  gradient(order: Int32Array, start: number, n: number): number;
  /** Stops and terminates the worker. */
  dispose(): void;
}

/** The longest all-reduce of a pass: batch norm's backward sums, two per channel. */
function exchangeWidth(layers: readonly AnyLayer[]): number {
  return layers.reduce((w, l) => (l.op === 'batchnorm' ? Math.max(w, 2 * l.channels) : w), 1);
}

function sharedCopy(a: Float32Array): SharedArrayBuffer {
  if (a.buffer instanceof SharedArrayBuffer && a.byteOffset === 0 && a.byteLength === a.buffer.byteLength) return a.buffer;
  const sab = new SharedArrayBuffer(a.byteLength);
  new Float32Array(sab).set(a);
  return sab;
}

export function createSplitPass(s: SplitPassSetup): SplitPass {
  const { data, layers, shapes, gradViews, opOf } = s;
  if (!(s.params.buffer instanceof SharedArrayBuffer)) throw new Error('the shared parameters must live in a SharedArrayBuffer');
  const half = partRows(s.batch);
  const cols = data.cols;
  const bufs = linkBuffers(exchangeWidth(layers));
  const gradsW = new SharedArrayBuffer(s.grads.byteLength);
  const lossW = new SharedArrayBuffer(8);
  const rowsW = new SharedArrayBuffer(half * 4);
  const worker: Worker = startWorker({
    link: bufs,
    layers: [...s.init],
    inShape: [...s.inShape],
    batch: half,
    params: s.params.buffer,
    grads: gradsW,
    loss: lossW,
    x: sharedCopy(data.x),
    rows: rowsW,
    cols,
    y: data.y,
    ...(data.soft ? { soft: data.soft } : {}),
    ...(data.targets ? { targets: data.targets } : {}),
  });
  const link = new Link(bufs, 0);
  const theirGrads = new Float32Array(gradsW);
  const theirLoss = new Float64Array(lossW);
  const theirRows = new Int32Array(rowsW);
  const xb = new Float64Array(half * cols);
  const rows = new Int32Array(half);
  const sum = (acc: Float64Array) => link.sum(acc);
  let ready = false;
  let closed = false;

  const close = (aborted: boolean): void => {
    if (closed) return;
    closed = true;
    link.stop(aborted);
    void worker.terminate();
  };

  return {
    gradient(order, start, n) {
      if (closed) throw new Error('the training threads were stopped');
      try {
        if (!ready) {
          link.awaitReady();
          ready = true;
        }
        const mine = partRows(n);
        const theirs = n - mine;
        for (let r = 0; r < theirs; r++) theirRows[r] = order[start + mine + r];
        if (theirs > 0) link.post(theirs, n);
        gatherBatch(data.x, cols, order, start, mine, xb, rows);
        const split = theirs > 0 ? { rows: n, sum } : undefined;
        const loss = batchGradient(layers, shapes, xb.subarray(0, mine * cols), mine, rows.subarray(0, mine), data, gradViews, opOf, split);
        if (theirs === 0) return loss;
        link.awaitDone();
        const g = s.grads;
        for (let i = 0; i < g.length; i++) g[i] += theirGrads[i];
        return (mine * loss + theirs * theirLoss[0]) / n;
      } catch (e) {
        close(true);
        throw e;
      }
    },
    dispose() {
      close(false);
    },
  };
}
