/**
 * The WebAssembly SIMD dense-layer kernels (assembly/dense.ts in build/kernels.wasm) behind a small
 * class, as fused/conv-wasm.ts does for convolutions: one module instance with a dense layer's
 * buffers laid out for up to `maxBatch` rows. Checked against the TypeScript kernels
 * (test/train-layers/wasm-parity.test.ts).
 */
import { kernelInstance, wasmRelu, type WasmRelu } from './wasm-instance';

interface DenseExports {
  memory: WebAssembly.Memory;
  denseForward(x: number, k: number, b: number, z: number, n: number, nin: number, nout: number): void;
  denseBackward(
    x: number,
    k: number,
    dz: number,
    dx: number,
    dk: number,
    db: number,
    n: number,
    nin: number,
    nout: number,
    wantDx: number,
  ): void;
}

export class WasmDense {
  /** ReLU in place on this instance's buffers (its output y / z and output gradient). */
  readonly relu: WasmRelu;
  private readonly ex: DenseExports;
  private readonly at: { x: number; k: number; b: number; z: number; dz: number; dx: number; dk: number; db: number };
  /** Views into the module's memory (valid for the instance's life: memory grows only in the constructor). */
  readonly x: Float32Array;
  readonly k: Float32Array;
  readonly b: Float32Array;
  readonly z: Float32Array;
  readonly dz: Float32Array;
  readonly dx: Float32Array;
  readonly dk: Float32Array;
  readonly db: Float32Array;

  constructor(
    readonly nin: number,
    readonly nout: number,
    readonly maxBatch: number,
  ) {
    const xLen = maxBatch * nin;
    const zLen = maxBatch * nout;
    const inst = kernelInstance<DenseExports, 'x' | 'k' | 'b' | 'z' | 'dz' | 'dx' | 'dk' | 'db'>({
      x: xLen,
      k: nin * nout,
      b: nout,
      z: zLen,
      dz: zLen,
      dx: xLen,
      dk: nin * nout,
      db: nout,
    });
    this.ex = inst.ex;
    this.relu = wasmRelu(inst.ex);
    this.at = inst.at;
    const buf = inst.buffer;
    const f = (off: number, len: number): Float32Array => new Float32Array(buf, off, len);
    this.x = f(this.at.x, xLen);
    this.k = f(this.at.k, nin * nout);
    this.b = f(this.at.b, nout);
    this.z = f(this.at.z, zLen);
    this.dz = f(this.at.dz, zLen);
    this.dx = f(this.at.dx, xLen);
    this.dk = f(this.at.dk, nin * nout);
    this.db = f(this.at.db, nout);
  }

  private check(n: number): void {
    if (!(Number.isInteger(n) && n >= 0 && n <= this.maxBatch))
      throw new RangeError(`batch of ${n} rows; this instance holds at most ${this.maxBatch}`);
  }

  /** z = x @ k + b on the first n rows already in `x`. */
  runForward(n: number): void {
    this.check(n);
    this.ex.denseForward(this.at.x, this.at.k, this.at.b, this.at.z, n, this.nin, this.nout);
  }

  /** dk, db (and dx when asked) from the first n rows of `x` and `dz`. */
  runBackward(n: number, wantDx = true): void {
    this.check(n);
    this.ex.denseBackward(this.at.x, this.at.k, this.at.dz, this.at.dx, this.at.dk, this.at.db, n, this.nin, this.nout, wantDx ? 1 : 0);
  }
}
