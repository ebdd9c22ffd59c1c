/**
 * WebAssembly SIMD convolution kernels (2-D; 1-D as H = 1), forward and backward, checked against
 * the TypeScript reference src/network/kernels/conv.ts. Layout as ONNX: x [n, cin, ih, iw],
 * w [cout, cin/group, kh, kw], b [cout], y [n, cout, oh, ow], float32, zero padding.
 *
 * Every pointer is a byte offset into memory laid out by the JavaScript side. The geometry is 15
 * i32 at `geo`: cin, cout, group, ih, iw, kh, kw, sh, sw, dh, dw, padTop, padLeft, oh, ow.
 * The loops are the reference's: for each (example, output channel, input channel, kernel offset)
 * the output positions that read real input form one range per row, and the innermost loop runs
 * over that range, four lanes at a time when the horizontal stride is 1.
 */

@inline function g(geo: usize, k: i32): i32 {
  return load<i32>(geo + (<usize>k << 2));
}

/** First output position o >= 0 with o*stride + off >= 0. */
@inline function lo(off: i32, stride: i32): i32 {
  return off >= 0 ? 0 : (-off + stride - 1) / stride;
}

/** One past the last output position o < out with o*stride + off < size. */
@inline function hi(off: i32, stride: i32, size: i32, out: i32): i32 {
  const last = size - 1 - off;
  if (last < 0) return 0;
  const h = last / stride + 1;
  return h < out ? h : out;
}

/** y[0..m) += a * x[0..m) (float32, byte offsets). */
@inline export function axpy(a: f32, x: usize, y: usize, m: i32): void {
  const av = f32x4.splat(a);
  let i = 0;
  for (; i + 4 <= m; i += 4) {
    const o = <usize>i << 2;
    v128.store(y + o, f32x4.add(v128.load(y + o), f32x4.mul(av, v128.load(x + o))));
  }
  for (; i < m; i++) {
    const o = <usize>i << 2;
    store<f32>(y + o, load<f32>(y + o) + a * load<f32>(x + o));
  }
}

/** y = conv(x, w) + b for n examples (b = 0: no bias). */
export function convForward(geo: usize, x: usize, w: usize, b: usize, y: usize, n: i32): void {
  const cin = g(geo, 0), cout = g(geo, 1), group = g(geo, 2), ih = g(geo, 3), iw = g(geo, 4);
  const kh = g(geo, 5), kw = g(geo, 6), sh = g(geo, 7), sw = g(geo, 8), dh = g(geo, 9), dw = g(geo, 10);
  const pt = g(geo, 11), pl = g(geo, 12), oh = g(geo, 13), ow = g(geo, 14);
  const ihw = ih * iw, ohw = oh * ow, ipg = cin / group, opg = cout / group, khw = kh * kw;
  for (let e = 0; e < n; e++) {
    for (let oc = 0; oc < cout; oc++) {
      const yBase = y + ((<usize>(e * cout + oc) * <usize>ohw) << 2);
      const bv: f32 = b != 0 ? load<f32>(b + (<usize>oc << 2)) : 0;
      const bvv = f32x4.splat(bv);
      let p = 0;
      for (; p + 4 <= ohw; p += 4) v128.store(yBase + (<usize>p << 2), bvv);
      for (; p < ohw; p++) store<f32>(yBase + (<usize>p << 2), bv);
      const icStart = (oc / opg) * ipg;
      for (let j = 0; j < ipg; j++) {
        const xBase = x + ((<usize>(e * cin + icStart + j) * <usize>ihw) << 2);
        const wBase = w + ((<usize>(oc * ipg + j) * <usize>khw) << 2);
        for (let ky = 0; ky < kh; ky++) {
          const offY = ky * dh - pt;
          const oy0 = lo(offY, sh), oy1 = hi(offY, sh, ih, oh);
          if (sw == 1) {
            rowsStride1(xBase, wBase + (<usize>(ky * kw) << 2), yBase, oy0, oy1, sh, offY, iw, ow, kw, dw, pl);
            continue;
          }
          for (let kx = 0; kx < kw; kx++) {
            const wv = load<f32>(wBase + (<usize>(ky * kw + kx) << 2));
            const offX = kx * dw - pl;
            const ox0 = lo(offX, sw), ox1 = hi(offX, sw, iw, ow);
            for (let oy = oy0; oy < oy1; oy++) {
              const xRow = xBase + (<usize>((oy * sh + offY) * iw + offX) << 2);
              const yRow = yBase + (<usize>(oy * ow) << 2);
              for (let ox = ox0; ox < ox1; ox++) {
                const yo = yRow + (<usize>ox << 2);
                store<f32>(yo, load<f32>(yo) + wv * load<f32>(xRow + (<usize>(ox * sw) << 2)));
              }
            }
          }
        }
      }
    }
  }
}

/**
 * One kernel row (fixed input channel and ky) of a horizontal-stride-1 convolution, added into the
 * output rows oy0..oy1: where every kernel column reads real input (the interior), four output
 * columns are accumulated over all kw columns in one register before a single store; the borders
 * (padding) go one column at a time with the range check.
 */
@inline function rowsStride1(
  xBase: usize, wRow: usize, yBase: usize, oy0: i32, oy1: i32, sh: i32, offY: i32, iw: i32, ow: i32, kw: i32, dw: i32, pl: i32,
): void {
  let inLo = pl; // first ox whose leftmost tap ox - pl is >= 0
  if (inLo > ow) inLo = ow;
  let inHi = iw + pl - (kw - 1) * dw; // one past the last ox whose rightmost tap is < iw
  if (inHi > ow) inHi = ow;
  if (inHi < inLo) inHi = inLo;
  for (let oy = oy0; oy < oy1; oy++) {
    const xRow = xBase + (<usize>((oy * sh + offY) * iw) << 2);
    const yRow = yBase + (<usize>(oy * ow) << 2);
    let ox = inLo;
    for (; ox + 4 <= inHi; ox += 4) {
      const yo = yRow + (<usize>ox << 2);
      let acc = v128.load(yo);
      const xo = xRow + (<usize>(ox - pl) << 2);
      for (let kx = 0; kx < kw; kx++) {
        const wv = f32x4.splat(load<f32>(wRow + (<usize>kx << 2)));
        acc = f32x4.add(acc, f32x4.mul(wv, v128.load(xo + (<usize>(kx * dw) << 2))));
      }
      v128.store(yo, acc);
    }
    // the left border [0, inLo) and what is left of the row [ox, ow): column by column
    edge(xRow, wRow, yRow, 0, inLo, iw, kw, dw, pl);
    edge(xRow, wRow, yRow, ox, ow, iw, kw, dw, pl);
  }
}

@inline function edge(xRow: usize, wRow: usize, yRow: usize, from: i32, to: i32, iw: i32, kw: i32, dw: i32, pl: i32): void {
  for (let ox = from; ox < to; ox++) {
    let s: f32 = 0;
    for (let kx = 0; kx < kw; kx++) {
      const ix = ox + kx * dw - pl;
      if (ix >= 0 && ix < iw) s += load<f32>(wRow + (<usize>kx << 2)) * load<f32>(xRow + (<usize>ix << 2));
    }
    const yo = yRow + (<usize>ox << 2);
    store<f32>(yo, load<f32>(yo) + s);
  }
}

/**
 * Gradients for n examples from dy: dW and db (overwritten, summed over the batch) and, when
 * dx != 0, the input gradient (overwritten).
 */
export function convBackward(geo: usize, x: usize, w: usize, dy: usize, dx: usize, dW: usize, db: usize, n: i32): void {
  const cin = g(geo, 0), cout = g(geo, 1), group = g(geo, 2), ih = g(geo, 3), iw = g(geo, 4);
  const kh = g(geo, 5), kw = g(geo, 6), sh = g(geo, 7), sw = g(geo, 8), dh = g(geo, 9), dw = g(geo, 10);
  const pt = g(geo, 11), pl = g(geo, 12), oh = g(geo, 13), ow = g(geo, 14);
  const ihw = ih * iw, ohw = oh * ow, ipg = cin / group, opg = cout / group, khw = kh * kw;
  memory.fill(dW, 0, (<usize>(cout * ipg * khw)) << 2);
  memory.fill(db, 0, (<usize>cout) << 2);
  if (dx != 0) memory.fill(dx, 0, (<usize>(n * cin * ihw)) << 2);
  for (let e = 0; e < n; e++) {
    for (let oc = 0; oc < cout; oc++) {
      const yOff = (<usize>(e * cout + oc) * <usize>ohw) << 2;
      const dyBase = dy + yOff;
      let sb: f32 = 0;
      for (let p = 0; p < ohw; p++) sb += load<f32>(dyBase + (<usize>p << 2));
      const dbo = db + (<usize>oc << 2);
      store<f32>(dbo, load<f32>(dbo) + sb);
      const icStart = (oc / opg) * ipg;
      for (let j = 0; j < ipg; j++) {
        const xOff = (<usize>(e * cin + icStart + j) * <usize>ihw) << 2;
        const wOff = (<usize>(oc * ipg + j) * <usize>khw) << 2;
        for (let ky = 0; ky < kh; ky++) {
          const offY = ky * dh - pt;
          const oy0 = lo(offY, sh), oy1 = hi(offY, sh, ih, oh);
          for (let kx = 0; kx < kw; kx++) {
            const wi = wOff + (<usize>(ky * kw + kx) << 2);
            const wv = load<f32>(w + wi);
            const offX = kx * dw - pl;
            const ox0 = lo(offX, sw), ox1 = hi(offX, sw, iw, ow);
            if (ox1 <= ox0) continue;
            let acc: f32 = 0;
            let accv = f32x4.splat(0);
            const m = ox1 - ox0;
            const m4 = m & ~3;
            for (let oy = oy0; oy < oy1; oy++) {
              const xr = xOff + (<usize>((oy * sh + offY) * iw + offX) << 2);
              const yRow = dyBase + (<usize>(oy * ow) << 2);
              if (sw == 1) {
                // weight gradient: four lanes accumulated across the rows, reduced once per kernel offset
                const a = (<usize>ox0) << 2;
                const dr = yRow + a;
                const xp = x + xr + a;
                for (let i = 0; i < m4; i += 4) {
                  const o = <usize>i << 2;
                  accv = f32x4.add(accv, f32x4.mul(v128.load(dr + o), v128.load(xp + o)));
                }
                for (let i = m4; i < m; i++) acc += load<f32>(dr + (<usize>i << 2)) * load<f32>(xp + (<usize>i << 2));
                if (dx != 0) axpy(wv, dr, dx + xr + a, m);
              } else {
                for (let ox = ox0; ox < ox1; ox++) {
                  const d = load<f32>(yRow + (<usize>ox << 2));
                  const xi = xr + (<usize>(ox * sw) << 2);
                  acc += d * load<f32>(x + xi);
                  if (dx != 0) store<f32>(dx + xi, load<f32>(dx + xi) + wv * d);
                }
              }
            }
            acc += f32x4.extract_lane(accv, 0) + f32x4.extract_lane(accv, 1) + f32x4.extract_lane(accv, 2) + f32x4.extract_lane(accv, 3);
            store<f32>(dW + wi, load<f32>(dW + wi) + acc);
          }
        }
      }
    }
  }
}
