/**
 * The WebAssembly max-pooling kernels (assembly/pool.ts in build/kernels.wasm) behind a small
 * class, as fused/conv-wasm.ts does for convolutions: one module instance laid out for a pooling
 * geometry and up to `maxBatch` examples. Checked against the TypeScript kernels
 * (test/train-layers/wasm-parity.test.ts).
 */
import type { PoolGeometry } from '../../network/kernels/pool';
import { kernelInstance } from './wasm-instance';

interface PoolExports {
  memory: WebAssembly.Memory;
  maxPoolForward(geo: number, x: number, y: number, argmax: number, planes: number): void;
  maxPoolBackward(argmax: number, dy: number, dx: number, outputs: number, inputLength: number): void;
}

export class WasmMaxPool {
  private readonly ex: PoolExports;
  private readonly at: { geo: number; x: number; y: number; argmax: number; dy: number; dx: number };
  readonly perIn: number;
  readonly perOut: number;
  /** Views into the module's memory (valid for the instance's life: memory grows only in the constructor). */
  readonly x: Float32Array;
  readonly y: Float32Array;
  readonly dy: Float32Array;
  readonly dx: Float32Array;

  constructor(
    readonly geometry: PoolGeometry,
    readonly maxBatch: number,
  ) {
    const gm = geometry;
    this.perIn = gm.channels * gm.ih * gm.iw;
    this.perOut = gm.channels * gm.oh * gm.ow;
    const xLen = maxBatch * this.perIn;
    const yLen = maxBatch * this.perOut;
    const inst = kernelInstance<PoolExports, 'geo' | 'x' | 'y' | 'argmax' | 'dy' | 'dx'>({
      geo: 12,
      x: xLen,
      y: yLen,
      argmax: yLen,
      dy: yLen,
      dx: xLen,
    });
    this.ex = inst.ex;
    this.at = inst.at;
    const buf = inst.buffer;
    new Int32Array(buf, this.at.geo, 10).set([gm.ih, gm.iw, gm.kh, gm.kw, gm.sh, gm.sw, gm.padTop, gm.padLeft, gm.oh, gm.ow]);
    this.x = new Float32Array(buf, this.at.x, xLen);
    this.y = new Float32Array(buf, this.at.y, yLen);
    this.dy = new Float32Array(buf, this.at.dy, yLen);
    this.dx = new Float32Array(buf, this.at.dx, xLen);
  }

  private check(n: number): void {
    if (!(Number.isInteger(n) && n >= 0 && n <= this.maxBatch))
      throw new RangeError(`batch of ${n} examples; this instance holds at most ${this.maxBatch}`);
  }

  /** y (and the winners) of the first n examples in `x`. */
  runForward(n: number): void {
    this.check(n);
    this.ex.maxPoolForward(this.at.geo, this.at.x, this.at.y, this.at.argmax, n * this.geometry.channels);
  }

  /** dx of the first n examples from `dy` and the last forward's winners. */
  runBackward(n: number): void {
    this.check(n);
    this.ex.maxPoolBackward(this.at.argmax, this.at.dy, this.at.dx, n * this.perOut, n * this.perIn);
  }
}
