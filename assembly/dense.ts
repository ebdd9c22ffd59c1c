/**
 * WebAssembly SIMD kernels of a dense layer for the layers engine, forward and backward, checked
 * against the TypeScript kernels (src/train/layers-engine/ops/dense.ts). Row-major float32:
 * x [n, nin], k [nin, nout], b [nout], z [n, nout]; every pointer a byte offset into memory laid out
 * by the JavaScript side (src/train/fused/dense-wasm.ts). The innermost loops run over the outputs,
 * four lanes at a time.
 */
import { axpy } from './conv';

/** sum of a[0..m) * b[0..m). */
@inline function dot(a: usize, b: usize, m: i32): f32 {
  let acc = f32x4.splat(0);
  let i = 0;
  for (; i + 4 <= m; i += 4) {
    const o = <usize>i << 2;
    acc = f32x4.add(acc, f32x4.mul(v128.load(a + o), v128.load(b + o)));
  }
  let s: f32 = f32x4.extract_lane(acc, 0) + f32x4.extract_lane(acc, 1) + f32x4.extract_lane(acc, 2) + f32x4.extract_lane(acc, 3);
  for (; i < m; i++) {
    const o = <usize>i << 2;
    s += load<f32>(a + o) * load<f32>(b + o);
  }
  return s;
}

/** z = x @ k + b for n rows. */
export function denseForward(x: usize, k: usize, b: usize, z: usize, n: i32, nin: i32, nout: i32): void {
  const rowOut = <usize>nout << 2;
  for (let r = 0; r < n; r++) {
    const zr = z + <usize>r * rowOut;
    memory.copy(zr, b, rowOut);
    const xr = x + (<usize>(r * nin) << 2);
    for (let i = 0; i < nin; i++) {
      const a = load<f32>(xr + (<usize>i << 2));
      if (a != 0) axpy(a, k + <usize>i * rowOut, zr, nout);
    }
  }
}

/** From dL/dz of n rows: dk = x^T dz, db = column sums of dz, and (wantDx) dx = dz k^T. */
export function denseBackward(x: usize, k: usize, dz: usize, dx: usize, dk: usize, db: usize, n: i32, nin: i32, nout: i32, wantDx: i32): void {
  const rowOut = <usize>nout << 2;
  memory.fill(db, 0, rowOut);
  memory.fill(dk, 0, <usize>nin * rowOut);
  for (let r = 0; r < n; r++) {
    const dzr = dz + <usize>r * rowOut;
    axpy(1, dzr, db, nout);
    const xr = x + (<usize>(r * nin) << 2);
    for (let i = 0; i < nin; i++) {
      const a = load<f32>(xr + (<usize>i << 2));
      if (a != 0) axpy(a, dzr, dk + <usize>i * rowOut, nout);
    }
    if (wantDx != 0) {
      const dxr = dx + (<usize>(r * nin) << 2);
      for (let i = 0; i < nin; i++) store<f32>(dxr + (<usize>i << 2), dot(k + <usize>i * rowOut, dzr, nout));
    }
  }
}
