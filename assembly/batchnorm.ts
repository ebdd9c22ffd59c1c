/**
 * WebAssembly SIMD kernels of batch normalization in training mode (the batch's statistics) for the
 * layers engine, checked against the TypeScript kernels (src/network/kernels/batchnorm.ts).
 * x, y, dy, dx: [n, channels, spatial] float32; per-channel arrays of `channels` float32; sums
 * (acc) float64. The statistics are split into per-channel partial sums over the rows held here and
 * the steps that use the whole batch's sums, so that a batch split between threads sums its parts
 * (src/train/layers-engine/parallel/) and normalizes exactly as one thread does: forward bnSums (the
 * mean), bnSquares (the squared deviations), bnApply; backward bnBackSums (sum dy, sum dy * xhat),
 * bnBackApply. Sums over the batch in float64, the spatial axis four lanes at a time.
 */

/** Sum of v[0..m). */
@inline function sum(v: usize, m: i32): f32 {
  let acc = f32x4.splat(0);
  let i = 0;
  for (; i + 4 <= m; i += 4) acc = f32x4.add(acc, v128.load(v + (<usize>i << 2)));
  let s: f32 = f32x4.extract_lane(acc, 0) + f32x4.extract_lane(acc, 1) + f32x4.extract_lane(acc, 2) + f32x4.extract_lane(acc, 3);
  for (; i < m; i++) s += load<f32>(v + (<usize>i << 2));
  return s;
}

/** acc[c] = sum of x over the n rows' channel c (float64). */
export function bnSums(x: usize, acc: usize, n: i32, channels: i32, spatial: i32): void {
  const plane = <usize>spatial << 2;
  for (let c = 0; c < channels; c++) {
    let s: f64 = 0;
    for (let e = 0; e < n; e++) s += <f64>sum(x + <usize>(e * channels + c) * plane, spatial);
    store<f64>(acc + (<usize>c << 3), s);
  }
}

/** acc[c] = sum of (x - mean[c])^2 over the n rows' channel c (float64). */
export function bnSquares(x: usize, mean: usize, acc: usize, n: i32, channels: i32, spatial: i32): void {
  const plane = <usize>spatial << 2;
  for (let c = 0; c < channels; c++) {
    const m = load<f32>(mean + (<usize>c << 2));
    const mv = f32x4.splat(m);
    let v: f64 = 0;
    for (let e = 0; e < n; e++) {
      const base = x + <usize>(e * channels + c) * plane;
      let acc4 = f32x4.splat(0);
      let i = 0;
      for (; i + 4 <= spatial; i += 4) {
        const d = f32x4.sub(v128.load(base + (<usize>i << 2)), mv);
        acc4 = f32x4.add(acc4, f32x4.mul(d, d));
      }
      v += <f64>(f32x4.extract_lane(acc4, 0) + f32x4.extract_lane(acc4, 1) + f32x4.extract_lane(acc4, 2) + f32x4.extract_lane(acc4, 3));
      for (; i < spatial; i++) {
        const d = load<f32>(base + (<usize>i << 2)) - m;
        v += <f64>(d * d);
      }
    }
    store<f64>(acc + (<usize>c << 3), v);
  }
}

/** y = gamma * (x - mean) * invStd + beta (the batch's mean and invStd). */
export function bnApply(x: usize, gamma: usize, beta: usize, mean: usize, invStd: usize, y: usize, n: i32, channels: i32, spatial: i32): void {
  const plane = <usize>spatial << 2;
  for (let c = 0; c < channels; c++) {
    const m = load<f32>(mean + (<usize>c << 2));
    const is = load<f32>(invStd + (<usize>c << 2));
    const a = load<f32>(gamma + (<usize>c << 2)) * is;
    const b = load<f32>(beta + (<usize>c << 2)) - m * a;
    const av = f32x4.splat(a);
    const bv = f32x4.splat(b);
    for (let e = 0; e < n; e++) {
      const off = <usize>(e * channels + c) * plane;
      let i = 0;
      for (; i + 4 <= spatial; i += 4) {
        const o = off + (<usize>i << 2);
        v128.store(y + o, f32x4.add(f32x4.mul(v128.load(x + o), av), bv));
      }
      for (; i < spatial; i++) {
        const o = off + (<usize>i << 2);
        store<f32>(y + o, load<f32>(x + o) * a + b);
      }
    }
  }
}

/** acc[c] = sum of dy, acc[channels + c] = sum of dy * xhat over the n rows' channel c (float64). */
export function bnBackSums(x: usize, dy: usize, mean: usize, invStd: usize, acc: usize, n: i32, channels: i32, spatial: i32): void {
  const plane = <usize>spatial << 2;
  for (let c = 0; c < channels; c++) {
    const m = load<f32>(mean + (<usize>c << 2));
    const is = load<f32>(invStd + (<usize>c << 2));
    let sdy64: f64 = 0;
    let sdyx64: f64 = 0;
    for (let e = 0; e < n; e++) {
      const off = <usize>(e * channels + c) * plane;
      for (let i = 0; i < spatial; i++) {
        const o = off + (<usize>i << 2);
        const d = load<f32>(dy + o);
        sdy64 += <f64>d;
        sdyx64 += <f64>(d * (load<f32>(x + o) - m) * is);
      }
    }
    store<f64>(acc + (<usize>c << 3), sdy64);
    store<f64>(acc + (<usize>(channels + c) << 3), sdyx64);
  }
}

/**
 * dx of the training-mode forward (the statistics depend on x) from the whole batch's sums sdy and
 * sdyx (float32 per channel) and its values per channel M: dx = gamma * invStd / M * (M * dy - sdy - xhat * sdyx).
 */
export function bnBackApply(x: usize, dy: usize, gamma: usize, mean: usize, invStd: usize, sdy: usize, sdyx: usize, dx: usize, M: f32, n: i32, channels: i32, spatial: i32): void {
  const plane = <usize>spatial << 2;
  for (let c = 0; c < channels; c++) {
    const m = load<f32>(mean + (<usize>c << 2));
    const is = load<f32>(invStd + (<usize>c << 2));
    const s1 = load<f32>(sdy + (<usize>c << 2));
    const s2 = load<f32>(sdyx + (<usize>c << 2));
    const k = (load<f32>(gamma + (<usize>c << 2)) * is) / M;
    for (let e = 0; e < n; e++) {
      const off = <usize>(e * channels + c) * plane;
      for (let i = 0; i < spatial; i++) {
        const o = off + (<usize>i << 2);
        const xhat = (load<f32>(x + o) - m) * is;
        store<f32>(dx + o, k * (M * load<f32>(dy + o) - s1 - xhat * s2));
      }
    }
  }
}
