/**
 * The WebAssembly SIMD dense-layer kernels (assembly/dense.ts in build/kernels.wasm) behind a small
 * class, as fused/conv-wasm.ts does for convolutions: one module instance with a dense layer's
 * buffers laid out for up to `maxBatch` rows. Checked against the TypeScript kernels
 * (test/train-layers/wasm-parity.test.ts).
 */
import { wasmPassModule } from './wasm-pass';

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

const PAGE = 65536;

export class WasmDense {
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
    const mod = wasmPassModule();
    if (!mod) throw new Error('the WebAssembly SIMD kernels are unavailable (build/kernels.wasm missing, or no SIMD in this runtime)');
    this.ex = new WebAssembly.Instance(mod, {}).exports as unknown as DenseExports;
    let top = this.ex.memory.buffer.byteLength;
    const take = (floats: number): number => {
      const a = top;
      top += Math.ceil((floats * 4) / 16) * 16;
      return a;
    };
    const xLen = maxBatch * nin;
    const zLen = maxBatch * nout;
    this.at = {
      x: take(xLen),
      k: take(nin * nout),
      b: take(nout),
      z: take(zLen),
      dz: take(zLen),
      dx: take(xLen),
      dk: take(nin * nout),
      db: take(nout),
    };
    const need = Math.ceil(top / PAGE) - this.ex.memory.buffer.byteLength / PAGE;
    if (need > 0) this.ex.memory.grow(need);
    const buf = this.ex.memory.buffer;
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
