/**
 * WebAssembly SIMD kernels of batch normalization in training mode (the batch's statistics) for the
 * layers engine, checked against the TypeScript kernels (src/network/kernels/batchnorm.ts).
 * x, y, dy, dx: [n, channels, spatial] float32; per-channel arrays of `channels` float32. Two passes
 * for the statistics (the mean, then the squared deviations), sums over the batch in float64, the
 * spatial axis four lanes at a time.
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

/** y = gamma * (x - mean) * invStd + beta with the batch's mean and variance (written to mean, variance, invStd). */
export function bnTrainForward(x: usize, gamma: usize, beta: usize, y: usize, mean: usize, variance: usize, invStd: usize, n: i32, channels: i32, spatial: i32, eps: f32): void {
  const count = <f32>(n * spatial);
  const plane = <usize>spatial << 2;
  for (let c = 0; c < channels; c++) {
    let s: f64 = 0;
    for (let e = 0; e < n; e++) s += <f64>sum(x + <usize>(e * channels + c) * plane, spatial);
    const m = <f32>(s / <f64>count);
    const mv = f32x4.splat(m);
    let v: f64 = 0;
    for (let e = 0; e < n; e++) {
      const base = x + <usize>(e * channels + c) * plane;
      let acc = f32x4.splat(0);
      let i = 0;
      for (; i + 4 <= spatial; i += 4) {
        const d = f32x4.sub(v128.load(base + (<usize>i << 2)), mv);
        acc = f32x4.add(acc, f32x4.mul(d, d));
      }
      v += <f64>(f32x4.extract_lane(acc, 0) + f32x4.extract_lane(acc, 1) + f32x4.extract_lane(acc, 2) + f32x4.extract_lane(acc, 3));
      for (; i < spatial; i++) {
        const d = load<f32>(base + (<usize>i << 2)) - m;
        v += <f64>(d * d);
      }
    }
    const variance_ = <f32>(v / <f64>count);
    const is: f32 = 1 / Mathf.sqrt(variance_ + eps);
    store<f32>(mean + (<usize>c << 2), m);
    store<f32>(variance + (<usize>c << 2), variance_);
    store<f32>(invStd + (<usize>c << 2), is);
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

/** dgamma, dbeta and dx of the training-mode forward (the statistics depend on x). */
export function bnTrainBackward(x: usize, dy: usize, gamma: usize, mean: usize, invStd: usize, dx: usize, dgamma: usize, dbeta: usize, n: i32, channels: i32, spatial: i32): void {
  const M = <f32>(n * spatial);
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
    const sdy = <f32>sdy64;
    const sdyx = <f32>sdyx64;
    store<f32>(dgamma + (<usize>c << 2), sdyx);
    store<f32>(dbeta + (<usize>c << 2), sdy);
    const k = (load<f32>(gamma + (<usize>c << 2)) * is) / M;
    for (let e = 0; e < n; e++) {
      const off = <usize>(e * channels + c) * plane;
      for (let i = 0; i < spatial; i++) {
        const o = off + (<usize>i << 2);
        const xhat = (load<f32>(x + o) - m) * is;
        store<f32>(dx + o, k * (M * load<f32>(dy + o) - sdy - xhat * sdyx));
      }
    }
  }
}
