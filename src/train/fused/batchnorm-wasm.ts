/**
 * The WebAssembly SIMD batch-norm kernels (assembly/batchnorm.ts in build/kernels.wasm) behind a
 * small class, as fused/conv-wasm.ts does for convolutions: one module instance laid out for up to
 * `maxBatch` examples of channels x spatial values. Checked against the TypeScript kernels
 * (test/train-layers/wasm-parity.test.ts).
 */
import { kernelInstance, wasmRelu, type WasmRelu } from './wasm-instance';

interface BatchNormExports {
  memory: WebAssembly.Memory;
  bnTrainForward(
    x: number,
    g: number,
    b: number,
    y: number,
    mean: number,
    v: number,
    is: number,
    n: number,
    c: number,
    s: number,
    eps: number,
  ): void;
  bnTrainBackward(
    x: number,
    dy: number,
    g: number,
    mean: number,
    is: number,
    dx: number,
    dg: number,
    db: number,
    n: number,
    c: number,
    s: number,
  ): void;
}

export class WasmBatchNorm {
  /** ReLU in place on this instance's buffers (its output y / z and output gradient). */
  readonly relu: WasmRelu;
  private readonly ex: BatchNormExports;
  private readonly at: Record<'x' | 'y' | 'dy' | 'dx' | 'gamma' | 'beta' | 'mean' | 'variance' | 'invStd' | 'dgamma' | 'dbeta', number>;
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

  constructor(
    readonly channels: number,
    readonly spatial: number,
    readonly maxBatch: number,
  ) {
    const big = maxBatch * channels * spatial;
    const inst = kernelInstance<
      BatchNormExports,
      'x' | 'y' | 'dy' | 'dx' | 'gamma' | 'beta' | 'mean' | 'variance' | 'invStd' | 'dgamma' | 'dbeta'
    >({
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
  }

  private check(n: number): void {
    if (!(Number.isInteger(n) && n >= 1 && n <= this.maxBatch))
      throw new RangeError(`batch of ${n} examples; this instance holds 1 to ${this.maxBatch}`);
  }

  /** Training forward on the first n examples in `x` with `gamma` and `beta`: y, mean, variance, invStd. */
  runForward(n: number, epsilon: number): void {
    this.check(n);
    const a = this.at;
    this.ex.bnTrainForward(a.x, a.gamma, a.beta, a.y, a.mean, a.variance, a.invStd, n, this.channels, this.spatial, epsilon);
  }

  /** Training backward from `dy` (and the forward's x, mean, invStd): dx, dgamma, dbeta. */
  runBackward(n: number): void {
    this.check(n);
    const a = this.at;
    this.ex.bnTrainBackward(a.x, a.dy, a.gamma, a.mean, a.invStd, a.dx, a.dgamma, a.dbeta, n, this.channels, this.spatial);
  }
}
