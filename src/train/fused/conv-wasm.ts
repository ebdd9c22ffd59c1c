/**
 * The WebAssembly SIMD convolution kernels (assembly/conv-gemm.ts for group 1, assembly/conv.ts for
 * grouped convolutions, in build/kernels.wasm) behind a small
 * class: one module instance with a convolution's buffers laid out for up to `maxBatch` examples.
 * Its results are checked against the TypeScript reference (network/kernels/conv.ts); the fused
 * engine will lay convolutions out in its own memory and call the same exports.
 */
import type { ConvGeometry } from '../../network/kernels/conv';
import { kernelInstance, wasmRelu, type WasmRelu } from './wasm-instance';

interface ConvExports {
  memory: WebAssembly.Memory;
  convForward(geo: number, x: number, w: number, b: number, y: number, n: number): void;
  convBackward(geo: number, x: number, w: number, dy: number, dx: number, dW: number, db: number, n: number): void;
  convGemmForward(geo: number, x: number, w: number, b: number, y: number, n: number, col: number): void;
  convGemmBackward(
    geo: number,
    x: number,
    w: number,
    dy: number,
    dx: number,
    dW: number,
    db: number,
    n: number,
    col: number,
    dcol: number,
    wt: number,
  ): void;
}

export class WasmConv {
  /** ReLU in place on this instance's buffers (its output y / z and output gradient). */
  readonly relu: WasmRelu;
  private readonly ex: ConvExports;
  private readonly at: Record<'geo' | 'x' | 'w' | 'b' | 'y' | 'dy' | 'dx' | 'dW' | 'db' | 'col' | 'dcol' | 'wt', number>;
  /** Group 1: the matrix-product kernels (assembly/conv-gemm.ts); grouped: the direct ones (assembly/conv.ts). */
  private readonly gemm: boolean;
  /** Views into the module's memory (valid for the instance's life: memory grows only in the constructor). */
  readonly x: Float32Array;
  readonly w: Float32Array;
  readonly b: Float32Array;
  readonly y: Float32Array;
  readonly dy: Float32Array;
  readonly dx: Float32Array;
  readonly dW: Float32Array;
  readonly db: Float32Array;

  constructor(
    readonly geometry: ConvGeometry,
    readonly maxBatch: number,
  ) {
    const gm = geometry;
    const xLen = maxBatch * gm.cin * gm.ih * gm.iw;
    const yLen = maxBatch * gm.cout * gm.oh * gm.ow;
    const wLen = gm.cout * (gm.cin / gm.group) * gm.kh * gm.kw;
    this.gemm = gm.group === 1;
    const K = gm.cin * gm.kh * gm.kw;
    const P = gm.oh * gm.ow;
    const scratch = this.gemm ? K * P : 0;
    const inst = kernelInstance<ConvExports, 'geo' | 'x' | 'w' | 'b' | 'y' | 'dy' | 'dx' | 'dW' | 'db' | 'col' | 'dcol' | 'wt'>({
      geo: 16,
      x: xLen,
      w: wLen,
      b: gm.cout,
      y: yLen,
      dy: yLen,
      dx: xLen,
      dW: wLen,
      db: gm.cout,
      col: scratch,
      dcol: scratch,
      wt: this.gemm ? K * gm.cout : 0,
    });
    this.ex = inst.ex;
    this.relu = wasmRelu(inst.ex);
    this.at = inst.at;
    const buf = inst.buffer;
    new Int32Array(buf, this.at.geo, 15).set([
      gm.cin,
      gm.cout,
      gm.group,
      gm.ih,
      gm.iw,
      gm.kh,
      gm.kw,
      gm.sh,
      gm.sw,
      gm.dh,
      gm.dw,
      gm.padTop,
      gm.padLeft,
      gm.oh,
      gm.ow,
    ]);
    const f = (off: number, len: number): Float32Array => new Float32Array(buf, off, len);
    this.x = f(this.at.x, xLen);
    this.w = f(this.at.w, wLen);
    this.b = f(this.at.b, gm.cout);
    this.y = f(this.at.y, yLen);
    this.dy = f(this.at.dy, yLen);
    this.dx = f(this.at.dx, xLen);
    this.dW = f(this.at.dW, wLen);
    this.db = f(this.at.db, gm.cout);
  }

  /** Runs the forward pass on the first n examples already in `x` (with `w`, and `b` when bias). */
  runForward(n: number, bias = true): void {
    this.check(n);
    const a = this.at;
    if (this.gemm) this.ex.convGemmForward(a.geo, a.x, a.w, bias ? a.b : 0, a.y, n, a.col);
    else this.ex.convForward(a.geo, a.x, a.w, bias ? a.b : 0, a.y, n);
  }

  /** Runs the backward pass on the first n examples in `x` and `dy`; `dx` only when asked. */
  runBackward(n: number, wantDx = true): void {
    this.check(n);
    const a = this.at;
    const dx = wantDx ? a.dx : 0;
    if (this.gemm) this.ex.convGemmBackward(a.geo, a.x, a.w, a.dy, dx, a.dW, a.db, n, a.col, a.dcol, a.wt);
    else this.ex.convBackward(a.geo, a.x, a.w, a.dy, dx, a.dW, a.db, n);
  }

  /** Copies in, runs the forward pass and returns a copy of y. */
  forward(x: Float32Array, w: Float32Array, b: Float32Array | null): Float32Array {
    const n = this.load(x, w);
    if (b) this.b.set(b);
    this.runForward(n, b !== null);
    return this.y.slice(0, n * (this.y.length / this.maxBatch));
  }

  /** Copies in, runs the backward pass and returns copies of the gradients. */
  backward(
    x: Float32Array,
    w: Float32Array,
    dy: Float32Array,
    wantDx = true,
  ): { dx: Float32Array | null; dw: Float32Array; db: Float32Array } {
    const n = this.load(x, w);
    this.dy.set(dy);
    this.runBackward(n, wantDx);
    return { dx: wantDx ? this.dx.slice(0, x.length) : null, dw: this.dW.slice(), db: this.db.slice() };
  }

  private load(x: Float32Array, w: Float32Array): number {
    const per = this.x.length / this.maxBatch;
    const n = x.length / per;
    if (!Number.isInteger(n)) throw new Error(`${this.geometry.name}: input of ${x.length} values is not whole examples of ${per}`);
    this.check(n);
    this.x.set(x);
    this.w.set(w);
    return n;
  }

  private check(n: number): void {
    if (n > this.maxBatch) throw new Error(`${this.geometry.name}: batch ${n} exceeds the ${this.maxBatch} laid out`);
  }
}
