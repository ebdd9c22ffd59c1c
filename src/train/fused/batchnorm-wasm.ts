/**
 * The WebAssembly SIMD batch-norm kernels (assembly/batchnorm.ts in build/kernels.wasm) behind a
 * small class, as fused/conv-wasm.ts does for convolutions: one module instance laid out for up to
 * `maxBatch` examples of channels x spatial values. Checked against the TypeScript kernels
 * (test/train-layers/wasm-parity.test.ts).
 */
import { kernelInstance, wasmRelu, type WasmRelu } from './wasm-instance';

interface BatchNormExports {
  memory: WebAssembly.Memory;
  bnSums(x: number, acc: number, n: number, c: number, s: number): void;
  bnSquares(x: number, mean: number, acc: number, n: number, c: number, s: number): void;
  bnApply(x: number, g: number, b: number, mean: number, is: number, y: number, n: number, c: number, s: number): void;
  bnBackSums(x: number, dy: number, mean: number, is: number, acc: number, n: number, c: number, s: number): void;
  bnBackApply(
    x: number,
    dy: number,
    g: number,
    mean: number,
    is: number,
    sdy: number,
    sdyx: number,
    dx: number,
    M: number,
    n: number,
    c: number,
    s: number,
  ): void;
}

/** Sums per-channel partial sums (float64, in place) over every part of a minibatch split between
 * threads; absent: this instance holds the whole batch. */
export type SumAcross = (acc: Float64Array) => void;

type Buffer = 'x' | 'y' | 'dy' | 'dx' | 'gamma' | 'beta' | 'mean' | 'variance' | 'invStd' | 'dgamma' | 'dbeta' | 'acc' | 'sums';

export class WasmBatchNorm {
  /** ReLU in place on this instance's buffers (its output y / z and output gradient). */
  readonly relu: WasmRelu;
  private readonly ex: BatchNormExports;
  private readonly at: Record<Buffer, number>;
  /** Views into the module's memory (valid for the instance's life: memory grows only in the constructor). */
  readonly x: Float32Array;
  readonly y: Float32Array;
  readonly dy: Float32Array;
  readonly dx: Float32Array;
  readonly gamma: Float32Array;
  readonly beta: Float32Array;
  readonly mean: Float32Array;
  readonly variance: Float32Array;
  readonly invStd: Float32Array;
  readonly dgamma: Float32Array;
  readonly dbeta: Float32Array;
  /** Per-channel sums (float64): forward one per channel, backward sum dy then sum dy * xhat. */
  private readonly acc: Float64Array;
  /** The whole batch's sum dy and sum dy * xhat (float32) that bnBackApply reads. */
  private readonly sums: Float32Array;

  constructor(
    readonly channels: number,
    readonly spatial: number,
    readonly maxBatch: number,
  ) {
    const big = maxBatch * channels * spatial;
    const inst = kernelInstance<BatchNormExports, Buffer>({
      x: big,
      y: big,
      dy: big,
      dx: big,
      gamma: channels,
      beta: channels,
      mean: channels,
      variance: channels,
      invStd: channels,
      dgamma: channels,
      dbeta: channels,
      acc: 4 * channels,
      sums: 2 * channels,
    });
    this.ex = inst.ex;
    this.relu = wasmRelu(inst.ex);
    this.at = inst.at;
    const buf = inst.buffer;
    const f = (off: number, len: number): Float32Array => new Float32Array(buf, off, len);
    this.x = f(this.at.x, big);
    this.y = f(this.at.y, big);
    this.dy = f(this.at.dy, big);
    this.dx = f(this.at.dx, big);
    this.gamma = f(this.at.gamma, channels);
    this.beta = f(this.at.beta, channels);
    this.mean = f(this.at.mean, channels);
    this.variance = f(this.at.variance, channels);
    this.invStd = f(this.at.invStd, channels);
    this.dgamma = f(this.at.dgamma, channels);
    this.dbeta = f(this.at.dbeta, channels);
    this.acc = new Float64Array(buf, this.at.acc, 2 * channels);
    this.sums = f(this.at.sums, 2 * channels);
  }

  private check(n: number): void {
    if (!(Number.isInteger(n) && n >= 1 && n <= this.maxBatch))
      throw new RangeError(`batch of ${n} examples; this instance holds 1 to ${this.maxBatch}`);
  }

  /**
   * Training forward on the first n examples in `x` with `gamma` and `beta`: y, mean, variance,
   * invStd. With `across`, these n rows are part of a batch of `total` rows split between threads:
   * the statistics are the whole batch's (every part calls this in step).
   */
  runForward(n: number, epsilon: number, across?: SumAcross, total = n): void {
    this.check(n);
    const a = this.at;
    const C = this.channels;
    const S = this.spatial;
    const count = total * S;
    const acc = this.acc.subarray(0, C);
    this.ex.bnSums(a.x, a.acc, n, C, S);
    if (across) across(acc);
    for (let c = 0; c < C; c++) this.mean[c] = acc[c] / count;
    this.ex.bnSquares(a.x, a.mean, a.acc, n, C, S);
    if (across) across(acc);
    // float32 arithmetic, as the kernel's: variance + eps, its square root, the reciprocal
    const eps = Math.fround(epsilon);
    for (let c = 0; c < C; c++) {
      const v = Math.fround(acc[c] / count);
      this.variance[c] = v;
      this.invStd[c] = 1 / Math.fround(Math.sqrt(Math.fround(v + eps)));
    }
    this.ex.bnApply(a.x, a.gamma, a.beta, a.mean, a.invStd, a.y, n, C, S);
  }

  /**
   * Training backward from `dy` (and the forward's x, mean, invStd): dx, and dgamma and dbeta of
   * these n rows. With `across` (as runForward), dx uses the whole batch's sums of dy and dy * xhat,
   * while dgamma and dbeta stay this part's (the parts' gradients are summed by the caller).
   */
  runBackward(n: number, across?: SumAcross, total = n): void {
    this.check(n);
    const a = this.at;
    const C = this.channels;
    const acc = this.acc;
    this.ex.bnBackSums(a.x, a.dy, a.mean, a.invStd, a.acc, n, C, this.spatial);
    for (let c = 0; c < C; c++) {
      this.dbeta[c] = acc[c];
      this.dgamma[c] = acc[C + c];
    }
    if (across) across(acc);
    // the whole batch's sums, as float32, where the kernel reads them (dgamma, dbeta keep this part's)
    this.sums.set(acc);
    this.ex.bnBackApply(a.x, a.dy, a.gamma, a.mean, a.invStd, a.sums, a.sums + 4 * C, a.dx, total * this.spatial, n, C, this.spatial);
  }
}
