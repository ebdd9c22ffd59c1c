/**
 * Loading the fused engine's WebAssembly module (assembly/*.ts compiled into build/kernels.wasm)
 * and laying out a network and a data set in an instance's memory (WasmNetworkMemory); the
 * minibatch pass on it (WasmBatchPass): forward, the loss (softmax cross-entropy, or mean squared
 * error when the data has regression targets) and backward in float32,
 * four lanes at a time. Data, parameters, gradients, optimizer state and scratch live in the
 * module's memory, laid out once; the engine reads and writes parameters through views
 * (`buffers`), so nothing is copied per step but the batch's row indices. Data whose rows keep
 * columns a pruned network no longer reads (TrainingData.inputColumns) has its kept columns
 * gathered straight into the module's memory.
 */
import * as fs from 'fs';
import * as path from 'path';
import type { SoftTargets, TrainingData } from '../types';
import { ACTIVATIONS, alphaOf } from '../../network/activations';
import { keptColumns } from './kept-columns';
import { layerActivation } from './layout';
import type { FlatLayout, LayerViews } from './layout';

export interface KernelExports {
  memory: WebAssembly.Memory;
  adamStep(p: number, g: number, m: number, v: number, h: number, n: number, stepSize: number, c2: number, lr: number): void;
  adamaxStep(p: number, g: number, m: number, u: number, h: number, n: number, clr: number): void;
  rmspropStep(p: number, g: number, v: number, h: number, n: number, lr: number): void;
  sgdStep(p: number, g: number, n: number, lr: number): void;
  proxLayer(W: number, b: number, inS: number, outS: number, kind: number, lambda: number, hW: number, hb: number, hs: number): void;
  proxGroups(
    W: number,
    nW: number,
    b: number,
    nb: number,
    offset: number,
    count: number,
    groupStride: number,
    blocks: number,
    blockStride: number,
    blockLen: number,
    kind: number,
    lambda: number,
    hW: number,
    hb: number,
    hs: number,
    scratch: number,
  ): void;
  runBatch(table: number, L: number, x: number, cols: number, y: number, idx: number, n: number, nzOff: number, nzVal: number): number;
  forward(table: number, L: number, x: number, cols: number, idx: number, n: number, nzOff: number, nzVal: number): void;
  setSoftTargets(soft: number, temperature: number, alpha: number): void;
  setRegressionTargets(targets: number): void;
  accumulateMoments(
    table: number,
    L: number,
    x: number,
    cols: number,
    idx: number,
    n: number,
    nzOff: number,
    nzVal: number,
    acc: number,
  ): void;
  accumulateTaylor(
    table: number,
    L: number,
    x: number,
    cols: number,
    y: number,
    idx: number,
    n: number,
    nzOff: number,
    nzVal: number,
    acc: number,
    wT: number,
    t: number,
  ): void;
}

const WASM_FILE = path.resolve(__dirname, '../../../build/kernels.wasm');
let compiled: WebAssembly.Module | null | undefined;

/** The compiled module, or null when the file is missing or this runtime lacks WebAssembly SIMD. */
export function wasmPassModule(): WebAssembly.Module | null {
  if (compiled !== undefined) return compiled;
  try {
    const bytes = fs.readFileSync(WASM_FILE);
    compiled = WebAssembly.validate(bytes) ? new WebAssembly.Module(bytes) : null;
  } catch {
    compiled = null;
  }
  return compiled;
}

/** True when the WebAssembly SIMD pass can run here. */
export function wasmPassAvailable(): boolean {
  return wasmPassModule() !== null;
}

/** Bytes of memory of a fresh instance (the module's own data), where every layout starts. */
let freshBytes = 0;

/** A fresh instance of the module. */
export function newInstance(): WebAssembly.Instance {
  const mod = wasmPassModule();
  if (!mod) throw new Error(`the WebAssembly SIMD kernels are unavailable (${WASM_FILE} missing, or no SIMD in this runtime)`);
  const inst = new WebAssembly.Instance(mod, {});
  freshBytes ||= (inst.exports.memory as WebAssembly.Memory).buffer.byteLength;
  return inst;
}

/** Instances laid out before and now unused, kept for the next layout (at most POOL_SIZE): their
 * memory is mapped already, so reusing one spares the page faults of fresh memory, which on some
 * machines cost more than the work done in it (a budget run builds an engine and evaluators per
 * stage, and measures at every projection). */
const pool: WebAssembly.Instance[] = [];
const POOL_SIZE = 2;

/** An unused instance: a pooled one (the largest) or a fresh one. */
export function takeInstance(): WebAssembly.Instance {
  if (pool.length === 0) return newInstance();
  let best = 0;
  const bytes = (i: WebAssembly.Instance) => (i.exports.memory as WebAssembly.Memory).buffer.byteLength;
  for (let k = 1; k < pool.length; k++) if (bytes(pool[k]) > bytes(pool[best])) best = k;
  return pool.splice(best, 1)[0];
}

/** Gives an instance back to the pool (nothing may use its memory afterwards). */
export function releaseInstance(inst: WebAssembly.Instance): void {
  if (pool.length < POOL_SIZE && !pool.includes(inst)) pool.push(inst);
}

/** Drops the pooled instances (their memory is freed with them; a long-lived process can call
 * this after training to give back the memory of the largest data set it trained on). */
export function clearInstancePool(): void {
  pool.length = 0;
}

/** Instances whose memory holds an earlier layout (zeroed before the next). */
const laidOut = new WeakSet<WebAssembly.Instance>();

/** Rows written in place into the module's memory (instead of copied from an array). */
export interface RowWriter {
  /** Values written: rows x cols; write must set every one of them (the place is not zeroed first). */
  length: number;
  write(into: Float32Array): void;
}

const PAGE = 65536;
const ENTRY_BYTES = 48; // 12 i32 per layer, see assembly/pass.ts
const ENTRY_INTS = ENTRY_BYTES / 4;

/** One instance of the module with a network's buffers and a data set laid out in its memory. */
export class WasmNetworkMemory {
  readonly instance: WebAssembly.Instance;
  readonly ex: KernelExports;
  readonly table: number;
  readonly L: number;
  readonly x: number;
  readonly y: number;
  readonly idx: number;
  readonly nzOff: number;
  readonly nzVal: number;
  readonly idxView: Int32Array;
  /** Parameters and gradients in the flat layout, inside the module's memory. */
  readonly params: Float32Array;
  readonly grads: Float32Array;
  /** Byte offsets of the parameters, the gradients, two optimizer moments and the step h. */
  readonly pOff: number;
  readonly gOff: number;
  readonly mOff: number;
  readonly vOff: number;
  readonly hOff: number;
  /** The last layer's output buffer [maxBatch, classes]. */
  readonly logits: Float32Array;
  /** Unit statistics only (assembly/scores.ts; 0 otherwise): the float64 accumulators, the
   * transposed kernels and the scratch of dLoss/da. */
  readonly acc: number = 0;
  readonly wT: number = 0;
  readonly t: number = 0;

  constructor(
    lay: FlatLayout,
    x: Float32Array | RowWriter,
    y: Int32Array,
    readonly maxBatch: number,
    soft?: SoftTargets,
    targets?: Float32Array,
    opts: {
      /** Also lay out the buffers of the unit statistics (acc, wT, t). */
      scoring?: boolean;
      /** Lay out in this instance (fresh, or one laid out before and now unused, see takeInstance)
       * instead of a fresh one; its memory is zeroed and reused. */
      instance?: WebAssembly.Instance;
    } = {},
  ) {
    this.instance = opts.instance ?? newInstance();
    this.ex = this.instance.exports as unknown as KernelExports;
    const L = (this.L = lay.layers.length);
    // lay out everything after the module's own initial memory, 16-byte aligned
    let top = freshBytes;
    const take = (bytes: number) => {
      const at = top;
      top += Math.ceil(bytes / 16) * 16;
      return at;
    };
    this.table = take(L * ENTRY_BYTES);
    this.x = take(x.length * 4);
    this.y = take(y.length * 4);
    const softAt = soft ? take(soft.probs.length * 4) : 0;
    const targetsAt = targets ? take(targets.length * 4) : 0;
    this.idx = take(maxBatch * 4);
    const widest = Math.max(maxBatch, ...lay.layers.map((s) => Math.max(s.inSize, s.outSize)));
    this.nzOff = take(widest * 4);
    // unit statistics keep four values per nonzero (assembly/scores.ts transposedRows4)
    this.nzVal = take(widest * (opts.scoring ? 16 : 4));
    const pOff = (this.pOff = take(lay.total * 4));
    const gOff = (this.gOff = take(lay.total * 4));
    this.mOff = take(lay.total * 4);
    this.vOff = take(lay.total * 4);
    this.hOff = take(lay.total * 4);
    const act = lay.layers.map(({ outSize: o }) => take(maxBatch * o * 4));
    const delta = lay.layers.map(({ outSize: o }) => take(maxBatch * o * 4));
    const acts = lay.layers.map((_, k) => layerActivation(lay, k));
    const pre = lay.layers.map(({ outSize: o }, k) => (k < L - 1 && acts[k].name !== 'relu' ? take(maxBatch * o * 4) : 0));
    if (opts.scoring) {
      this.acc = take(lay.layers.reduce((a, s) => a + s.inSize, 0) * 32);
      this.wT = take(lay.layers.reduce((a, s) => a + s.inSize * s.outSize, 0) * 4);
      this.t = take(maxBatch * Math.max(...lay.layers.map((s) => s.inSize)) * 4);
    }
    const need = Math.ceil(top / PAGE) - this.ex.memory.buffer.byteLength / PAGE;
    if (need > 0) this.ex.memory.grow(need);
    // views are made after the last grow (growing detaches earlier views)
    const buf = this.ex.memory.buffer;
    if (laidOut.has(this.instance)) {
      // an earlier layout's values are zeroed, but for the data rows' place, written whole below
      const xEnd = this.x + x.length * 4;
      new Uint8Array(buf, freshBytes, this.x - freshBytes).fill(0);
      new Uint8Array(buf, xEnd, top - xEnd).fill(0);
    }
    laidOut.add(this.instance);
    const xv = new Float32Array(buf, this.x, x.length);
    if (x instanceof Float32Array) xv.set(x);
    else x.write(xv);
    new Int32Array(buf, this.y, y.length).set(y);
    if (soft) new Float32Array(buf, softAt, soft.probs.length).set(soft.probs);
    this.ex.setSoftTargets(softAt, soft?.temperature ?? 1, soft?.alpha ?? 1);
    if (targets) new Float32Array(buf, targetsAt, targets.length).set(targets);
    this.ex.setRegressionTargets(targetsAt);
    this.idxView = new Int32Array(buf, this.idx, maxBatch);
    this.params = new Float32Array(buf, pOff, lay.total);
    this.grads = new Float32Array(buf, gOff, lay.total);
    const t = new Int32Array(buf, this.table, L * ENTRY_INTS);
    const alphaBits = new Int32Array(1);
    const alphaF = new Float32Array(alphaBits.buffer);
    for (let k = 0; k < L; k++) {
      t.set(
        [
          lay.layers[k].inSize,
          lay.layers[k].outSize,
          pOff + 4 * lay.layers[k].kernelOffset,
          pOff + 4 * lay.layers[k].biasOffset,
          gOff + 4 * lay.layers[k].kernelOffset,
          gOff + 4 * lay.layers[k].biasOffset,
          act[k],
          delta[k],
          ACTIVATIONS[acts[k].name].kernelId,
          ((alphaF[0] = alphaOf(acts[k])), alphaBits[0]),
          pre[k],
          lay.layers[k].kernelId,
        ],
        k * ENTRY_INTS,
      );
    }
    this.logits = new Float32Array(buf, act[L - 1], maxBatch * lay.layers[L - 1].outSize);
  }
}

/** The fused engine's gradient pass on the WebAssembly kernels (see GradientPass in engine.ts). */
export class WasmBatchPass {
  readonly mem: WasmNetworkMemory;

  constructor(
    lay: FlatLayout,
    private readonly data: TrainingData,
    maxBatch: number,
  ) {
    // rows that keep every column of the data: their kept columns are gathered into the module's memory
    const x = data.inputColumns ? keptColumns(data.x, data.inputColumns, data.rows) : data.x;
    this.mem = new WasmNetworkMemory(lay, x, data.y, maxBatch, data.soft, data.targets, { instance: takeInstance() });
  }

  /** Returns the module instance to the pool; the pass and its views must not be used afterwards. */
  dispose(): void {
    releaseInstance(this.mem.instance);
  }

  /**
   * Forward and backward for rows order[start..start+n); overwrites the gradient buffer with the
   * gradient of the batch's mean loss, which it returns. The parameter views passed in
   * must be views of the pass's own arrays (the engine takes them from `buffers`).
   */
  run(params: LayerViews<Float32Array>[], _grads: LayerViews<Float32Array>[], order: Int32Array, start: number, n: number): number {
    const m = this.mem;
    if (params.length > 0 && params[0].kernel.buffer !== m.params.buffer) {
      throw new Error("WasmBatchPass.run: parameters must live in the pass's memory (use its buffers)");
    }
    if (n > m.maxBatch) throw new RangeError(`batch of ${n} rows exceeds the pass's ${m.maxBatch}`);
    m.idxView.set(order.subarray(start, start + n));
    return m.ex.runBatch(m.table, m.L, m.x, this.data.cols, m.y, m.idx, n, m.nzOff, m.nzVal);
  }

  /** The parameter and gradient arrays the engine must use. */
  buffers(): { params: Float32Array; grads: Float32Array } {
    return { params: this.mem.params, grads: this.mem.grads };
  }
}
