/**
 * WebAssembly SIMD kernels of a dense layer for the layers engine, forward and backward, checked
 * against the TypeScript kernels (src/train/layers-engine/ops/dense.ts). Row-major float32:
 * x [n, nin], k [nin, nout], b [nout], z [n, nout]; every pointer a byte offset into memory laid out
 * by the JavaScript side (src/train/fused/dense-wasm.ts). All three products run on the register-
 * blocked matrix kernels of conv-gemm.ts.
 */
import { axpy } from './conv';
import { gemmNN, gemmNTAdd, gemmTN } from './conv-gemm';

/** z = x @ k + b for n rows (a matrix product in register blocks: assembly/conv-gemm.ts). */
export function denseForward(x: usize, k: usize, b: usize, z: usize, n: i32, nin: i32, nout: i32): void {
  // (gemmNN's bias is per row; a dense layer's is per column)
  gemmNN(x, k, z, n, nin, nout, 0);
  const rowOut = <usize>nout << 2;
  for (let r = 0; r < n; r++) axpy(1, b, z + <usize>r * rowOut, nout);
}

/** From dL/dz of n rows: dk = x^T dz, db = column sums of dz, and (wantDx) dx = dz k^T. */
export function denseBackward(x: usize, k: usize, dz: usize, dx: usize, dk: usize, db: usize, n: i32, nin: i32, nout: i32, wantDx: i32): void {
  const rowOut = <usize>nout << 2;
  memory.fill(db, 0, rowOut);
  for (let r = 0; r < n; r++) axpy(1, dz + <usize>r * rowOut, db, nout);
  gemmTN(x, dz, dk, nin, n, nout);
  if (wantDx != 0) {
    memory.fill(dx, 0, (<usize>(n * nin)) << 2);
    gemmNTAdd(dz, k, dx, n, nout, nin);
  }
}
