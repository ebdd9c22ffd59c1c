/**
 * The worker thread's side of the layers engine's two-thread step (./split-pass.ts): its own copies
 * of the layers bound to the shared parameters (so the optimizer's update on main is what the next
 * step reads, nothing copied), its own WebAssembly instances, and a loop that takes each step's
 * second part of the minibatch, writes its share of the gradient to the shared gradient buffer, and
 * meets main at batch norm's all-reduces (./link.ts). Loaded by ./thread-entry.ts.
 */
import { layerShapes } from '../../../network/layers/table';
import type { AnyLayer } from '../../../network/types';
import type { SoftTargets } from '../../types';
import { bindLayers, flatLayout, slotViews } from '../flat-params';
import { layerOps } from '../ops/kernel-choice';
import { batchGradient, gatherBatch } from '../pass';
import { Link, LinkClosed, type LinkBuffers } from './link';

/** Everything the worker gets once, in its workerData. */
export interface WorkerSetup {
  /** This module's file and, when it is TypeScript, the tsx loader to register first (./thread-entry.ts). */
  file: string;
  tsx: string | null;
  link: LinkBuffers;
  layers: AnyLayer[];
  inShape: number[];
  /** Most rows of a part (the WebAssembly instances' size). */
  batch: number;
  /** Shared: the flat parameters (float32, layout of ../flat-params.ts), the worker's gradient, the loss of its part (float64). */
  params: SharedArrayBuffer;
  grads: SharedArrayBuffer;
  loss: SharedArrayBuffer;
  /** Shared: the data's x (float32, rows x cols) and the data rows of the worker's part of each step (int32). */
  x: SharedArrayBuffer;
  rows: SharedArrayBuffer;
  cols: number;
  y: Int32Array;
  soft?: SoftTargets;
  targets?: Float32Array;
}

export function runWorker(d: WorkerSetup): void {
  const link = new Link(d.link, 1);
  try {
    const layers = d.layers;
    const shapes = layerShapes(layers, d.inShape);
    const layout = flatLayout(layers);
    bindLayers(layers, layout, new Float32Array(d.params), false);
    const gradFlat = new Float32Array(d.grads);
    const grads = layout.slots.map((s) => slotViews(gradFlat, s));
    const opOf = layerOps(true, d.batch);
    const x = new Float32Array(d.x);
    const given = new Int32Array(d.rows);
    const loss = new Float64Array(d.loss);
    const data = { y: d.y, soft: d.soft, targets: d.targets };
    const { cols } = d;
    const xb = new Float64Array(d.batch * cols);
    const rows = new Int32Array(d.batch);
    const sum = (acc: Float64Array) => link.sum(acc);
    link.ready();
    for (;;) {
      const job = link.next();
      if (!job) return;
      const n = job.part;
      gatherBatch(x, cols, given, 0, n, xb, rows);
      loss[0] = batchGradient(layers, shapes, xb.subarray(0, n * cols), n, rows.subarray(0, n), data, grads, opOf, {
        rows: job.total,
        sum,
      });
      link.done();
    }
  } catch (e) {
    if (!(e instanceof LinkClosed)) link.fail(e);
  }
}
