/**
 * Convolutions of group 1 as matrix products (WebAssembly SIMD, float32), one example at a time:
 * the input's windows are unfolded into col [K, P] (K = cin * kh * kw rows, P = oh * ow columns,
 * zeros where a window reads padding), then
 *   forward   y[cout, P]  = w[cout, K] . col + b
 *   weights   dW[cout, K] += dy[cout, P] . col^T      db += row sums of dy
 *   input     dcol[K, P]  = w^T[K, cout] . dy, folded back into dx (the windows' overlaps summed)
 * The products run on register blocks (4 rows x 8 columns of the output, or 4 x 4 dot products)
 * so that each value loaded feeds several multiply-adds; the direct kernels of conv.ts remain for
 * grouped convolutions. Same geometry block as conv.ts (15 i32 at `geo`); byte offsets throughout.
 */

@inline function g(geo: usize, k: i32): i32 {
  return load<i32>(geo + (<usize>k << 2));
}

@inline function at(base: usize, i: i32): usize {
  return base + (<usize>i << 2);
}

/** Unfolds example x [cin, ih, iw] into col [K, P]. */
function im2col(geo: usize, x: usize, col: usize): void {
  const cin = g(geo, 0), ih = g(geo, 3), iw = g(geo, 4), kh = g(geo, 5), kw = g(geo, 6);
  const sh = g(geo, 7), sw = g(geo, 8), dh = g(geo, 9), dw = g(geo, 10), pt = g(geo, 11), pl = g(geo, 12);
  const oh = g(geo, 13), ow = g(geo, 14);
  const P = oh * ow;
  let row = col;
  for (let c = 0; c < cin; c++) {
    const xc = x + ((<usize>(c * ih * iw)) << 2);
    for (let ky = 0; ky < kh; ky++) {
      for (let kx = 0; kx < kw; kx++) {
        for (let oy = 0; oy < oh; oy++) {
          const iy = oy * sh + ky * dh - pt;
          const out = row + ((<usize>(oy * ow)) << 2);
          if (iy < 0 || iy >= ih) {
            memory.fill(out, 0, (<usize>ow) << 2);
            continue;
          }
          const xr = xc + ((<usize>(iy * iw)) << 2);
          const off = kx * dw - pl;
          if (sw == 1) {
            // columns ox reading real input: [lo, hi); zeros either side
            const lo = off < 0 ? min(-off, ow) : 0;
            const hi = max(lo, min(ow, iw - off));
            if (lo > 0) memory.fill(out, 0, (<usize>lo) << 2);
            if (hi > lo) memory.copy(at(out, lo), at(xr, lo + off), (<usize>(hi - lo)) << 2);
            if (hi < ow) memory.fill(at(out, hi), 0, (<usize>(ow - hi)) << 2);
            continue;
          }
          for (let ox = 0; ox < ow; ox++) {
            const ix = ox * sw + off;
            store<f32>(at(out, ox), ix >= 0 && ix < iw ? load<f32>(at(xr, ix)) : 0);
          }
        }
        row += (<usize>P) << 2;
      }
    }
  }
}

/** Adds dcol [K, P] back into example dx [cin, ih, iw] (overwritten first). */
function col2im(geo: usize, dcol: usize, dx: usize): void {
  const cin = g(geo, 0), ih = g(geo, 3), iw = g(geo, 4), kh = g(geo, 5), kw = g(geo, 6);
  const sh = g(geo, 7), sw = g(geo, 8), dh = g(geo, 9), dw = g(geo, 10), pt = g(geo, 11), pl = g(geo, 12);
  const oh = g(geo, 13), ow = g(geo, 14);
  const P = oh * ow;
  memory.fill(dx, 0, (<usize>(cin * ih * iw)) << 2);
  let row = dcol;
  for (let c = 0; c < cin; c++) {
    const xc = dx + ((<usize>(c * ih * iw)) << 2);
    for (let ky = 0; ky < kh; ky++) {
      for (let kx = 0; kx < kw; kx++) {
        for (let oy = 0; oy < oh; oy++) {
          const iy = oy * sh + ky * dh - pt;
          if (iy < 0 || iy >= ih) continue;
          const src = row + ((<usize>(oy * ow)) << 2);
          const xr = xc + ((<usize>(iy * iw)) << 2);
          const off = kx * dw - pl;
          if (sw == 1) {
            // columns ox landing on real input: [lo, hi)
            const lo = off < 0 ? min(-off, ow) : 0;
            const hi = max(lo, min(ow, iw - off));
            const d = xr + ((<usize>off) << 2);
            let ox = lo;
            for (; ox + 4 <= hi; ox += 4) v128.store(at(d, ox), f32x4.add(v128.load(at(d, ox)), v128.load(at(src, ox))));
            for (; ox < hi; ox++) store<f32>(at(d, ox), load<f32>(at(d, ox)) + load<f32>(at(src, ox)));
            continue;
          }
          for (let ox = 0; ox < ow; ox++) {
            const ix = ox * sw + off;
            if (ix >= 0 && ix < iw) store<f32>(at(xr, ix), load<f32>(at(xr, ix)) + load<f32>(at(src, ox)));
          }
        }
        row += (<usize>P) << 2;
      }
    }
  }
}

/**
 * C[M, N] = A[M, K] . B[K, N] (+ bias[m] when bias != 0), all row-major. Blocks of 4 rows x 8
 * columns keep 8 vector accumulators; the edges go 4 columns, then one at a time.
 */
export function gemmNN(a: usize, b: usize, c: usize, M: i32, K: i32, N: i32, bias: usize): void {
  let m = 0;
  for (; m + 4 <= M; m += 4) {
    const a0 = a + ((<usize>(m * K)) << 2);
    const a1 = a0 + ((<usize>K) << 2);
    const a2 = a1 + ((<usize>K) << 2);
    const a3 = a2 + ((<usize>K) << 2);
    const b0: f32 = bias != 0 ? load<f32>(at(bias, m)) : 0;
    const b1: f32 = bias != 0 ? load<f32>(at(bias, m + 1)) : 0;
    const b2: f32 = bias != 0 ? load<f32>(at(bias, m + 2)) : 0;
    const b3: f32 = bias != 0 ? load<f32>(at(bias, m + 3)) : 0;
    const c0 = c + ((<usize>(m * N)) << 2);
    const c1 = c0 + ((<usize>N) << 2);
    const c2 = c1 + ((<usize>N) << 2);
    const c3 = c2 + ((<usize>N) << 2);
    let n = 0;
    for (; n + 8 <= N; n += 8) {
      let s00 = f32x4.splat(b0), s01 = f32x4.splat(b0);
      let s10 = f32x4.splat(b1), s11 = f32x4.splat(b1);
      let s20 = f32x4.splat(b2), s21 = f32x4.splat(b2);
      let s30 = f32x4.splat(b3), s31 = f32x4.splat(b3);
      let bp = b + ((<usize>n) << 2);
      const stride = (<usize>N) << 2;
      for (let k = 0; k < K; k++) {
        const x0 = v128.load(bp);
        const x1 = v128.load(bp + 16);
        const ko = (<usize>k) << 2;
        const w0 = f32x4.splat(load<f32>(a0 + ko));
        const w1 = f32x4.splat(load<f32>(a1 + ko));
        const w2 = f32x4.splat(load<f32>(a2 + ko));
        const w3 = f32x4.splat(load<f32>(a3 + ko));
        s00 = f32x4.add(s00, f32x4.mul(w0, x0));
        s01 = f32x4.add(s01, f32x4.mul(w0, x1));
        s10 = f32x4.add(s10, f32x4.mul(w1, x0));
        s11 = f32x4.add(s11, f32x4.mul(w1, x1));
        s20 = f32x4.add(s20, f32x4.mul(w2, x0));
        s21 = f32x4.add(s21, f32x4.mul(w2, x1));
        s30 = f32x4.add(s30, f32x4.mul(w3, x0));
        s31 = f32x4.add(s31, f32x4.mul(w3, x1));
        bp += stride;
      }
      const o = (<usize>n) << 2;
      v128.store(c0 + o, s00);
      v128.store(c0 + o + 16, s01);
      v128.store(c1 + o, s10);
      v128.store(c1 + o + 16, s11);
      v128.store(c2 + o, s20);
      v128.store(c2 + o + 16, s21);
      v128.store(c3 + o, s30);
      v128.store(c3 + o + 16, s31);
    }
    for (; n + 4 <= N; n += 4) {
      let s0 = f32x4.splat(b0), s1 = f32x4.splat(b1), s2 = f32x4.splat(b2), s3 = f32x4.splat(b3);
      for (let k = 0; k < K; k++) {
        const x0 = v128.load(b + ((<usize>(k * N + n)) << 2));
        const ko = (<usize>k) << 2;
        s0 = f32x4.add(s0, f32x4.mul(f32x4.splat(load<f32>(a0 + ko)), x0));
        s1 = f32x4.add(s1, f32x4.mul(f32x4.splat(load<f32>(a1 + ko)), x0));
        s2 = f32x4.add(s2, f32x4.mul(f32x4.splat(load<f32>(a2 + ko)), x0));
        s3 = f32x4.add(s3, f32x4.mul(f32x4.splat(load<f32>(a3 + ko)), x0));
      }
      const o = (<usize>n) << 2;
      v128.store(c0 + o, s0);
      v128.store(c1 + o, s1);
      v128.store(c2 + o, s2);
      v128.store(c3 + o, s3);
    }
    for (; n < N; n++) {
      let s0 = b0, s1 = b1, s2 = b2, s3 = b3;
      for (let k = 0; k < K; k++) {
        const x = load<f32>(b + ((<usize>(k * N + n)) << 2));
        const ko = (<usize>k) << 2;
        s0 += load<f32>(a0 + ko) * x;
        s1 += load<f32>(a1 + ko) * x;
        s2 += load<f32>(a2 + ko) * x;
        s3 += load<f32>(a3 + ko) * x;
      }
      store<f32>(at(c0, n), s0);
      store<f32>(at(c1, n), s1);
      store<f32>(at(c2, n), s2);
      store<f32>(at(c3, n), s3);
    }
  }
  // the last rows, one at a time
  for (; m < M; m++) {
    const ar = a + ((<usize>(m * K)) << 2);
    const bv: f32 = bias != 0 ? load<f32>(at(bias, m)) : 0;
    const cr = c + ((<usize>(m * N)) << 2);
    let n = 0;
    for (; n + 4 <= N; n += 4) {
      let s = f32x4.splat(bv);
      for (let k = 0; k < K; k++) s = f32x4.add(s, f32x4.mul(f32x4.splat(load<f32>(at(ar, k))), v128.load(b + ((<usize>(k * N + n)) << 2))));
      v128.store(at(cr, n), s);
    }
    for (; n < N; n++) {
      let s = bv;
      for (let k = 0; k < K; k++) s += load<f32>(at(ar, k)) * load<f32>(b + ((<usize>(k * N + n)) << 2));
      store<f32>(at(cr, n), s);
    }
  }
}

/**
 * C[M, N] = A[K, M]^T . B[K, N] (row-major, C overwritten): blocks of 4 rows x 8 columns, the four
 * A values of a row k loaded as one vector.
 */
export function gemmTN(a: usize, b: usize, c: usize, M: i32, K: i32, N: i32): void {
  const rowA = (<usize>M) << 2;
  const rowB = (<usize>N) << 2;
  let m = 0;
  for (; m + 4 <= M; m += 4) {
    const c0 = c + ((<usize>(m * N)) << 2);
    const c1 = c0 + rowB, c2 = c1 + rowB, c3 = c2 + rowB;
    let n = 0;
    for (; n + 8 <= N; n += 8) {
      let s00 = f32x4.splat(0), s01 = f32x4.splat(0), s10 = f32x4.splat(0), s11 = f32x4.splat(0);
      let s20 = f32x4.splat(0), s21 = f32x4.splat(0), s30 = f32x4.splat(0), s31 = f32x4.splat(0);
      let ap = a + ((<usize>m) << 2);
      let bp = b + ((<usize>n) << 2);
      for (let k = 0; k < K; k++) {
        const av = v128.load(ap);
        const x0 = v128.load(bp);
        const x1 = v128.load(bp + 16);
        const w0 = f32x4.splat(f32x4.extract_lane(av, 0));
        const w1 = f32x4.splat(f32x4.extract_lane(av, 1));
        const w2 = f32x4.splat(f32x4.extract_lane(av, 2));
        const w3 = f32x4.splat(f32x4.extract_lane(av, 3));
        s00 = f32x4.add(s00, f32x4.mul(w0, x0));
        s01 = f32x4.add(s01, f32x4.mul(w0, x1));
        s10 = f32x4.add(s10, f32x4.mul(w1, x0));
        s11 = f32x4.add(s11, f32x4.mul(w1, x1));
        s20 = f32x4.add(s20, f32x4.mul(w2, x0));
        s21 = f32x4.add(s21, f32x4.mul(w2, x1));
        s30 = f32x4.add(s30, f32x4.mul(w3, x0));
        s31 = f32x4.add(s31, f32x4.mul(w3, x1));
        ap += rowA;
        bp += rowB;
      }
      const o = (<usize>n) << 2;
      v128.store(c0 + o, s00);
      v128.store(c0 + o + 16, s01);
      v128.store(c1 + o, s10);
      v128.store(c1 + o + 16, s11);
      v128.store(c2 + o, s20);
      v128.store(c2 + o + 16, s21);
      v128.store(c3 + o, s30);
      v128.store(c3 + o + 16, s31);
    }
    for (; n < N; n++) {
      let t0: f32 = 0, t1: f32 = 0, t2: f32 = 0, t3: f32 = 0;
      for (let k = 0; k < K; k++) {
        const ar = a + ((<usize>(k * M + m)) << 2);
        const x = load<f32>(b + ((<usize>(k * N + n)) << 2));
        t0 += load<f32>(ar) * x;
        t1 += load<f32>(ar + 4) * x;
        t2 += load<f32>(ar + 8) * x;
        t3 += load<f32>(ar + 12) * x;
      }
      store<f32>(at(c0, n), t0);
      store<f32>(at(c1, n), t1);
      store<f32>(at(c2, n), t2);
      store<f32>(at(c3, n), t3);
    }
  }
  for (; m < M; m++) {
    const cr = c + ((<usize>(m * N)) << 2);
    let n = 0;
    for (; n + 4 <= N; n += 4) {
      let s = f32x4.splat(0);
      for (let k = 0; k < K; k++)
        s = f32x4.add(s, f32x4.mul(f32x4.splat(load<f32>(a + ((<usize>(k * M + m)) << 2))), v128.load(b + ((<usize>(k * N + n)) << 2))));
      v128.store(at(cr, n), s);
    }
    for (; n < N; n++) {
      let t: f32 = 0;
      for (let k = 0; k < K; k++) t += load<f32>(a + ((<usize>(k * M + m)) << 2)) * load<f32>(b + ((<usize>(k * N + n)) << 2));
      store<f32>(at(cr, n), t);
    }
  }
}

@inline function hsum(v: v128): f32 {
  return f32x4.extract_lane(v, 0) + f32x4.extract_lane(v, 1) + f32x4.extract_lane(v, 2) + f32x4.extract_lane(v, 3);
}

/** One dot product of rows a and b of length N (vector part and tail). */
@inline function dot(a: usize, b: usize, N: i32): f32 {
  let s = f32x4.splat(0);
  let n = 0;
  for (; n + 4 <= N; n += 4) s = f32x4.add(s, f32x4.mul(v128.load(at(a, n)), v128.load(at(b, n))));
  let t = hsum(s);
  for (; n < N; n++) t += load<f32>(at(a, n)) * load<f32>(at(b, n));
  return t;
}

/** c += the lanes of v plus the tail n in [N4, N) of rows a . b (no allocation: the module has no heap to spare). */
@inline function put(c: usize, v: v128, a: usize, b: usize, N4: i32, N: i32): void {
  let t = hsum(v);
  for (let n = N4; n < N; n++) t += load<f32>(at(a, n)) * load<f32>(at(b, n));
  store<f32>(c, load<f32>(c) + t);
}

/** C[M, K] += A[M, N] . B[K, N]^T (row-major): dot products of rows, in blocks of 4 x 4. */
export function gemmNTAdd(a: usize, b: usize, c: usize, M: i32, N: i32, K: i32): void {
  const N4 = N & ~3;
  const row = (<usize>N) << 2;
  let m = 0;
  for (; m + 4 <= M; m += 4) {
    const a0 = a + ((<usize>(m * N)) << 2);
    const a1 = a0 + row, a2 = a1 + row, a3 = a2 + row;
    let k = 0;
    for (; k + 4 <= K; k += 4) {
      const b0 = b + ((<usize>(k * N)) << 2);
      const b1 = b0 + row, b2 = b1 + row, b3 = b2 + row;
      let s00 = f32x4.splat(0), s01 = f32x4.splat(0), s02 = f32x4.splat(0), s03 = f32x4.splat(0);
      let s10 = f32x4.splat(0), s11 = f32x4.splat(0), s12 = f32x4.splat(0), s13 = f32x4.splat(0);
      let s20 = f32x4.splat(0), s21 = f32x4.splat(0), s22 = f32x4.splat(0), s23 = f32x4.splat(0);
      let s30 = f32x4.splat(0), s31 = f32x4.splat(0), s32 = f32x4.splat(0), s33 = f32x4.splat(0);
      for (let n = 0; n < N4; n += 4) {
        const o = (<usize>n) << 2;
        const x0 = v128.load(a0 + o), x1 = v128.load(a1 + o), x2 = v128.load(a2 + o), x3 = v128.load(a3 + o);
        const y0 = v128.load(b0 + o), y1 = v128.load(b1 + o), y2 = v128.load(b2 + o), y3 = v128.load(b3 + o);
        s00 = f32x4.add(s00, f32x4.mul(x0, y0));
        s01 = f32x4.add(s01, f32x4.mul(x0, y1));
        s02 = f32x4.add(s02, f32x4.mul(x0, y2));
        s03 = f32x4.add(s03, f32x4.mul(x0, y3));
        s10 = f32x4.add(s10, f32x4.mul(x1, y0));
        s11 = f32x4.add(s11, f32x4.mul(x1, y1));
        s12 = f32x4.add(s12, f32x4.mul(x1, y2));
        s13 = f32x4.add(s13, f32x4.mul(x1, y3));
        s20 = f32x4.add(s20, f32x4.mul(x2, y0));
        s21 = f32x4.add(s21, f32x4.mul(x2, y1));
        s22 = f32x4.add(s22, f32x4.mul(x2, y2));
        s23 = f32x4.add(s23, f32x4.mul(x2, y3));
        s30 = f32x4.add(s30, f32x4.mul(x3, y0));
        s31 = f32x4.add(s31, f32x4.mul(x3, y1));
        s32 = f32x4.add(s32, f32x4.mul(x3, y2));
        s33 = f32x4.add(s33, f32x4.mul(x3, y3));
      }
      const cm = c + ((<usize>(m * K + k)) << 2);
      const ck = (<usize>K) << 2;
      put(cm, s00, a0, b0, N4, N);
      put(cm + 4, s01, a0, b1, N4, N);
      put(cm + 8, s02, a0, b2, N4, N);
      put(cm + 12, s03, a0, b3, N4, N);
      put(cm + ck, s10, a1, b0, N4, N);
      put(cm + ck + 4, s11, a1, b1, N4, N);
      put(cm + ck + 8, s12, a1, b2, N4, N);
      put(cm + ck + 12, s13, a1, b3, N4, N);
      put(cm + 2 * ck, s20, a2, b0, N4, N);
      put(cm + 2 * ck + 4, s21, a2, b1, N4, N);
      put(cm + 2 * ck + 8, s22, a2, b2, N4, N);
      put(cm + 2 * ck + 12, s23, a2, b3, N4, N);
      put(cm + 3 * ck, s30, a3, b0, N4, N);
      put(cm + 3 * ck + 4, s31, a3, b1, N4, N);
      put(cm + 3 * ck + 8, s32, a3, b2, N4, N);
      put(cm + 3 * ck + 12, s33, a3, b3, N4, N);
    }
    for (; k < K; k++) {
      const bk = b + ((<usize>(k * N)) << 2);
      for (let i = 0; i < 4; i++) {
        const co = c + ((<usize>((m + i) * K + k)) << 2);
        store<f32>(co, load<f32>(co) + dot(a0 + row * <usize>i, bk, N));
      }
    }
  }
  for (; m < M; m++) {
    const am = a + ((<usize>(m * N)) << 2);
    for (let k = 0; k < K; k++) {
      const co = c + ((<usize>(m * K + k)) << 2);
      store<f32>(co, load<f32>(co) + dot(am, b + ((<usize>(k * N)) << 2), N));
    }
  }
}

/**
 * y = conv(x, w) + b for n examples (b = 0: no bias); col: K * P floats of scratch, or, with keep
 * != 0, n * K * P floats where each example's columns stay for the backward pass.
 */
export function convGemmForward(geo: usize, x: usize, w: usize, b: usize, y: usize, n: i32, col: usize, keep: i32): void {
  const cin = g(geo, 0), cout = g(geo, 1), ih = g(geo, 3), iw = g(geo, 4), kh = g(geo, 5), kw = g(geo, 6);
  const P = g(geo, 13) * g(geo, 14);
  const K = cin * kh * kw;
  for (let e = 0; e < n; e++) {
    const xe = x + ((<usize>(e * cin * ih * iw)) << 2);
    const ce = keep != 0 ? col + ((<usize>e * <usize>(K * P)) << 2) : col;
    im2col(geo, xe, ce);
    gemmNN(w, ce, y + ((<usize>(e * cout * P)) << 2), cout, K, P, b);
  }
}

/**
 * Gradients for n examples from dy: dW and db (overwritten, summed over the batch) and, when
 * dx != 0, the input gradient (overwritten). Scratch: col and dcol (K * P floats each), wt (K * cout);
 * with kept != 0, col holds each example's columns from the forward pass (n * K * P floats).
 */
export function convGemmBackward(
  geo: usize, x: usize, w: usize, dy: usize, dx: usize, dW: usize, db: usize, n: i32, col: usize, dcol: usize, wt: usize, kept: i32,
): void {
  const cin = g(geo, 0), cout = g(geo, 1), ih = g(geo, 3), iw = g(geo, 4), kh = g(geo, 5), kw = g(geo, 6);
  const P = g(geo, 13) * g(geo, 14);
  const K = cin * kh * kw;
  memory.fill(dW, 0, (<usize>(cout * K)) << 2);
  memory.fill(db, 0, (<usize>cout) << 2);
  // w^T [K, cout] for the input gradient
  if (dx != 0) for (let o = 0; o < cout; o++) for (let k = 0; k < K; k++) store<f32>(at(wt, k * cout + o), load<f32>(at(w, o * K + k)));
  for (let e = 0; e < n; e++) {
    const dye = dy + ((<usize>(e * cout * P)) << 2);
    for (let o = 0; o < cout; o++) {
      const r = dye + ((<usize>(o * P)) << 2);
      let s = f32x4.splat(0);
      let p = 0;
      for (; p + 4 <= P; p += 4) s = f32x4.add(s, v128.load(at(r, p)));
      let t = hsum(s);
      for (; p < P; p++) t += load<f32>(at(r, p));
      store<f32>(at(db, o), load<f32>(at(db, o)) + t);
    }
    let ce = col;
    if (kept != 0) ce = col + ((<usize>e * <usize>(K * P)) << 2);
    else im2col(geo, x + ((<usize>(e * cin * ih * iw)) << 2), col);
    gemmNTAdd(dye, ce, dW, cout, P, K);
    if (dx != 0) {
      gemmNN(wt, dye, dcol, K, cout, P, 0);
      col2im(geo, dcol, dx + ((<usize>(e * cin * ih * iw)) << 2));
    }
  }
}
