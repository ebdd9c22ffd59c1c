/**
 * WebAssembly max pooling for the layers engine's training passes, checked against the TypeScript
 * kernels (src/network/kernels/pool.ts): x [planes, ih, iw] float32 (planes = examples x channels),
 * y [planes, oh, ow], argmax the index into x of each output's winner (first on ties; padding never
 * wins). The geometry is 10 i32 at `geo`: ih, iw, kh, kw, sh, sw, padTop, padLeft, oh, ow.
 */

@inline function g(geo: usize, k: i32): i32 {
  return load<i32>(geo + (<usize>k << 2));
}

export function maxPoolForward(geo: usize, x: usize, y: usize, argmax: usize, planes: i32): void {
  const ih = g(geo, 0), iw = g(geo, 1), kh = g(geo, 2), kw = g(geo, 3), sh = g(geo, 4), sw = g(geo, 5);
  const pt = g(geo, 6), pl = g(geo, 7), oh = g(geo, 8), ow = g(geo, 9);
  const ihw = ih * iw, ohw = oh * ow;
  if (kh == 2 && kw == 2 && sh == 2 && sw == 2 && pt == 0 && pl == 0) {
    pool2x2(x, y, argmax, planes, iw, ihw, oh, ow);
    return;
  }
  for (let p = 0; p < planes; p++) {
    const xBase = p * ihw;
    for (let oy = 0; oy < oh; oy++) {
      const ty = oy * sh - pt;
      const y0 = ty > 0 ? ty : 0;
      const y1 = ty + kh < ih ? ty + kh : ih;
      for (let ox = 0; ox < ow; ox++) {
        const tx = ox * sw - pl;
        const x0 = tx > 0 ? tx : 0;
        const x1 = tx + kw < iw ? tx + kw : iw;
        let best: f32 = -Infinity;
        let at = xBase + y0 * iw + x0;
        for (let iy = y0; iy < y1; iy++) {
          const row = xBase + iy * iw;
          for (let ix = x0; ix < x1; ix++) {
            const v = load<f32>(x + (<usize>(row + ix) << 2));
            if (v > best) {
              best = v;
              at = row + ix;
            }
          }
        }
        const o = <usize>(p * ohw + oy * ow + ox) << 2;
        store<f32>(y + o, load<f32>(x + (<usize>at << 2)));
        store<i32>(argmax + o, at);
      }
    }
  }
}

/** The common 2 x 2 window of stride 2 without padding: the same winners (first on ties) without the window loops. */
function pool2x2(x: usize, y: usize, argmax: usize, planes: i32, iw: i32, ihw: i32, oh: i32, ow: i32): void {
  let o: usize = 0;
  for (let p = 0; p < planes; p++) {
    const xBase = p * ihw;
    for (let oy = 0; oy < oh; oy++) {
      const r0 = xBase + 2 * oy * iw;
      const r1 = r0 + iw;
      for (let ox = 0; ox < ow; ox++) {
        let at = r0 + 2 * ox;
        let best = load<f32>(x + (<usize>at << 2));
        const b = load<f32>(x + (<usize>(at + 1) << 2));
        if (b > best) {
          best = b;
          at = at + 1;
        }
        const i = r1 + 2 * ox;
        const c = load<f32>(x + (<usize>i << 2));
        if (c > best) {
          best = c;
          at = i;
        }
        const d = load<f32>(x + (<usize>(i + 1) << 2));
        if (d > best) {
          best = d;
          at = i + 1;
        }
        store<f32>(y + o, best);
        store<i32>(argmax + o, at);
        o += 4;
      }
    }
  }
}

/** dx (inputLength values, zeroed here) gets each output gradient at its winner's index. */
export function maxPoolBackward(argmax: usize, dy: usize, dx: usize, outputs: i32, inputLength: i32): void {
  memory.fill(dx, 0, <usize>inputLength << 2);
  for (let o = 0; o < outputs; o++) {
    const at = <usize>load<i32>(argmax + (<usize>o << 2)) << 2;
    store<f32>(dx + at, load<f32>(dx + at) + load<f32>(dy + (<usize>o << 2)));
  }
}
