/**
 * ReLU on a layer's float32 output in the module's memory, for the layers engine's WebAssembly ops:
 * forward in place (y = max(y, 0)) and backward in place on the output gradient (dy = 0 where
 * y <= 0, the same as where the pre-activation is <= 0). Byte offsets; n values.
 */
export function reluForward(y: usize, n: i32): void {
  const zero = f32x4.splat(0);
  let i = 0;
  for (; i + 4 <= n; i += 4) {
    const p = y + ((<usize>i) << 2);
    v128.store(p, f32x4.max(v128.load(p), zero));
  }
  for (; i < n; i++) {
    const p = y + ((<usize>i) << 2);
    const v = load<f32>(p);
    store<f32>(p, v > 0 ? v : 0);
  }
}

export function reluBackward(dy: usize, y: usize, n: i32): void {
  const zero = f32x4.splat(0);
  let i = 0;
  for (; i + 4 <= n; i += 4) {
    const o = (<usize>i) << 2;
    v128.store(dy + o, v128.and(v128.load(dy + o), f32x4.gt(v128.load(y + o), zero)));
  }
  for (; i < n; i++) {
    const o = (<usize>i) << 2;
    if (!(load<f32>(y + o) > 0)) store<f32>(dy + o, 0);
  }
}
