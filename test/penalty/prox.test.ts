/**
 * Proximal operators against a brute-force float64 minimization of
 * sum (x_i - v_i)^2 / (2 h_i) + lambda * R(x), plus hand-checked and KKT cases.
 */
import { proxLayer, proxLayers } from '../../src/penalty';
import { Kind, proxObjective, rng, zoomMinimize } from './helpers';

interface Case {
  inSize: number;
  outSize: number;
  kernel: number[];
  bias: number[];
  hKernel: number[];
  hBias: number[];
}

/** Random layer whose rows have very different scales (so some groups die and some survive). */
function makeCase(seed: number, inSize: number, outSize: number, perCoordinate: boolean): Case {
  const r = rng(seed);
  const rowScale = [0.05, 0.6, 3, 1.2];
  const kernel: number[] = [];
  for (let i = 0; i < inSize; i++)
    for (let j = 0; j < outSize; j++) kernel.push(Math.fround((r() < 0.5 ? -1 : 1) * (0.5 + 0.5 * r()) * rowScale[i % 4]));
  // even bias elements large (they survive), odd ones small (they die)
  const bias = Array.from({ length: outSize }, (_, j) => Math.fround((r() < 0.5 ? -1 : 1) * (j % 2 ? 0.05 * r() : 1.5 + r())));
  const h = () => Math.fround(perCoordinate ? 0.2 + 1.8 * r() : 0.7);
  return {
    inSize,
    outSize,
    kernel,
    bias,
    hKernel: kernel.map(h),
    hBias: bias.map(h),
  };
}

/** Brute force, group by group (the objective separates over kernel rows and bias elements):
 * each group's coordinates are optimized by zoom grid search of the full layer objective. */
function bruteForce(kind: Kind, lambda: number, c: Case): { kernel: number[]; bias: number[] } {
  const v = { kernel: c.kernel, bias: c.bias };
  const h = { kernel: c.hKernel, bias: c.hBias };
  const x = { kernel: c.kernel.slice(), bias: c.bias.slice() };
  const f = () => proxObjective(kind, lambda, c.inSize, c.outSize, v, h, x);
  for (let i = 0; i < c.inSize; i++) {
    const o = i * c.outSize;
    const start = x.kernel.slice(o, o + c.outSize);
    const w = Math.max(...start.map(Math.abs)) * 1.2 + 0.1;
    const best = zoomMinimize(
      (p) => {
        for (let j = 0; j < p.length; j++) x.kernel[o + j] = p[j];
        return f();
      },
      start,
      w,
    );
    for (let j = 0; j < best.length; j++) x.kernel[o + j] = best[j];
  }
  for (let j = 0; j < c.outSize; j++) {
    const best = zoomMinimize(
      (p) => {
        x.bias[j] = p[0];
        return f();
      },
      [x.bias[j]],
      Math.abs(x.bias[j]) * 1.2 + 0.1,
    );
    x.bias[j] = best[0];
  }
  return x;
}

function runProx(kind: Kind, lambda: number, c: Case, perCoordinate: boolean) {
  const kernel = Float32Array.from(c.kernel);
  const bias = Float32Array.from(c.bias);
  const hK = perCoordinate ? Float32Array.from(c.hKernel) : c.hKernel[0];
  const hB = perCoordinate ? Float32Array.from(c.hBias) : c.hBias[0];
  proxLayer(kernel, bias, c.inSize, c.outSize, kind, lambda, hK, hB);
  return { kernel, bias };
}

describe('proxLayer against brute-force minimization', () => {
  const shapes: [number, number][] = [
    [3, 2],
    [2, 3],
  ];
  for (const kind of ['l1', 'gl', 'sgl'] as Kind[]) {
    for (const perCoordinate of [false, true]) {
      for (const [inSize, outSize] of shapes) {
        const name = `${kind}, ${perCoordinate ? 'per-coordinate' : 'uniform'} h, ${inSize}x${outSize} kernel`;
        test(name, () => {
          const lambda = 0.3;
          const c = makeCase(inSize * 10 + outSize + (perCoordinate ? 100 : 0), inSize, outSize, perCoordinate);
          const got = runProx(kind, lambda, c, perCoordinate);
          const want = bruteForce(kind, lambda, c);
          const v = { kernel: c.kernel, bias: c.bias };
          const h = { kernel: c.hKernel, bias: c.hBias };
          const x = { kernel: Array.from(got.kernel), bias: Array.from(got.bias) };
          const fGot = proxObjective(kind, lambda, inSize, outSize, v, h, x);
          const fWant = proxObjective(kind, lambda, inSize, outSize, v, h, want);
          expect(fGot).toBeLessThanOrEqual(fWant + 1e-6);
          x.kernel.forEach((xi, i) => expect(Math.abs(xi - want.kernel[i])).toBeLessThan(1e-3));
          x.bias.forEach((xi, i) => expect(Math.abs(xi - want.bias[i])).toBeLessThan(1e-3));

          // The cases are built so that both outcomes occur: some rows die, some survive,
          // and dead rows are exact zeros (not tiny numbers).
          const rows = Array.from({ length: inSize }, (_, i) => x.kernel.slice(i * outSize, (i + 1) * outSize));
          const deadRows = rows.filter((row) => row.every((e) => e === 0));
          // (under gl a surviving row is nonzero everywhere; under l1/sgl single weights may die too)
          const liveRows = rows.filter((row) => (kind === 'gl' ? row.every((e) => e !== 0) : row.some((e) => e !== 0)));
          expect(deadRows.length).toBeGreaterThan(0);
          expect(liveRows.length).toBeGreaterThan(0);
          for (let i = 0; i < inSize; i++) {
            const bfNorm = Math.hypot(...want.kernel.slice(i * outSize, (i + 1) * outSize));
            if (rows[i].every((e) => e === 0)) expect(bfNorm).toBeLessThan(1e-4);
            else expect(bfNorm).toBeGreaterThan(1e-2);
          }
          // Bias: the large elements survive, the small ones die.
          expect(x.bias.some((b) => b === 0)).toBe(true);
          expect(x.bias.some((b) => b !== 0)).toBe(true);
        });
      }
    }
  }
});

describe('proxLayer hand-checked and exact cases', () => {
  test('gl, uniform h: rows under the threshold become exact zeros, others shrink', () => {
    // lambda = 0.6/sqrt(2), h = 1, outSize = 2: group threshold lambda*h*sqrt(2) = 0.6.
    // row 0 = [0.3, 0.4], norm 0.5 <= 0.6  -> [0, 0]
    // row 1 = [3, -4],    norm 5           -> * (1 - 0.6/5) = 0.88 -> [2.64, -3.52]
    // bias [0.5, -0.2]: soft-threshold by lambda*h = 0.42426 -> [0.07574, 0]
    const lambda = 0.6 / Math.SQRT2;
    const kernel = new Float32Array([0.3, 0.4, 3, -4]);
    const bias = new Float32Array([0.5, -0.2]);
    proxLayer(kernel, bias, 2, 2, 'gl', lambda, 1, 1);
    expect(kernel[0]).toBe(0);
    expect(kernel[1]).toBe(0);
    expect(Object.is(kernel[0], 0) && Object.is(kernel[1], 0)).toBe(true); // +0, not -0
    expect(kernel[2]).toBeCloseTo(2.64, 5);
    expect(kernel[3]).toBeCloseTo(-3.52, 5);
    expect(bias[0]).toBeCloseTo(0.5 - lambda, 6);
    expect(bias[1]).toBe(0);
  });

  test('sgl: the bias is soft-thresholded by 2*lambda*h, the row by l1 then group shrink', () => {
    // lambda = 0.1, h = 1, outSize = 2: l1 gives [1.9, -0.9] (from [2, -1]), norm sqrt(4.42) = 2.10238;
    // group factor 1 - 0.1*sqrt(2)/2.10238 = 0.932733 -> [1.772193, -0.839460]. Bias 0.5 -> 0.3, 0.15 -> 0.
    const kernel = new Float32Array([2, -1]);
    const bias = new Float32Array([0.5, 0.15]);
    proxLayer(kernel, bias, 1, 2, 'sgl', 0.1, 1, 1);
    const f = 1 - (0.1 * Math.SQRT2) / Math.sqrt(4.42);
    expect(kernel[0]).toBeCloseTo(1.9 * f, 6);
    expect(kernel[1]).toBeCloseTo(-0.9 * f, 6);
    expect(bias[0]).toBeCloseTo(0.3, 6);
    expect(bias[1]).toBe(0);
  });

  test('per-coordinate h equal everywhere matches the uniform closed form', () => {
    const r = rng(7);
    const k1 = Float32Array.from({ length: 5 * 4 }, () => r() * 2 - 1);
    const b1 = Float32Array.from({ length: 4 }, () => r() * 2 - 1);
    const k2 = k1.slice();
    const b2 = b1.slice();
    for (const kind of ['l1', 'gl', 'sgl'] as Kind[]) {
      proxLayer(k1, b1, 5, 4, kind, 0.2, 0.8, 0.8);
      proxLayer(k2, b2, 5, 4, kind, 0.2, new Float32Array(20).fill(0.8), new Float32Array(4).fill(0.8));
      k1.forEach((x, i) => expect(k2[i]).toBeCloseTo(x, 6));
      b1.forEach((x, i) => expect(b2[i]).toBeCloseTo(x, 6));
    }
  });

  test('gl, per-coordinate h: KKT conditions hold on long rows with widely spread steps', () => {
    // Optimality of x for sum (x_i - v_i)^2/(2h_i) + tau||x||: (x_i - v_i)/h_i + tau x_i/||x|| = 0
    // when x != 0; ||v/h|| <= tau when x = 0.
    const r = rng(11);
    const m = 16;
    let zeros = 0;
    let live = 0;
    for (let trial = 0; trial < 200; trial++) {
      const v = Float32Array.from({ length: m }, () => (r() * 2 - 1) * Math.exp(4 * (r() - 0.5)));
      const h = Float32Array.from({ length: m }, () => Math.exp(10 * (r() - 0.5)));
      // tau between 0.5 and 1.5 times ||v/h||: about half the rows die
      const tau = Math.hypot(...Array.from(v, (vi, i) => vi / h[i])) * (0.5 + r());
      const lambda = tau / Math.sqrt(m);
      const x = v.slice();
      proxLayer(x, new Float32Array(m), 1, m, 'gl', lambda, h, new Float32Array(m).fill(1));
      const nx = Math.hypot(...x);
      if (nx === 0) {
        zeros++;
        expect(Math.hypot(...Array.from(v, (vi, i) => vi / h[i]))).toBeLessThanOrEqual(tau * (1 + 1e-6));
      } else {
        live++;
        for (let i = 0; i < m; i++) {
          const res = (x[i] - v[i]) / h[i] + (tau * x[i]) / nx;
          // scale of the terms: |v_i|/h_i; float32 storage of x limits the accuracy
          expect(Math.abs(res)).toBeLessThanOrEqual(1e-5 * (Math.abs(v[i]) / h[i] + tau) + 1e-9);
        }
      }
    }
    expect(zeros).toBeGreaterThan(10);
    expect(live).toBeGreaterThan(10);
  });

  test('lambda = 0 leaves the layer unchanged; bad steps are typed errors', () => {
    const k = new Float32Array([1, -2, 0.001]);
    const b = new Float32Array([0.5]);
    proxLayer(k, b, 3, 1, 'sgl', 0, 1, 1);
    expect(Array.from(k)).toEqual([1, -2, Math.fround(0.001)]);
    expect(() => proxLayer(k, b, 3, 1, 'gl', 0.1, 0, 1)).toThrow(/step/);
    expect(() => proxLayer(k, b, 3, 1, 'gl', 0.1, new Float32Array(2), 1)).toThrow(/length 2, expected 3/);
    expect(() => proxLayer(k, b, 3, 1, 'gl', -1, 1, 1)).toThrow(/lambda/);
  });

  test('proxLayers applies the uniform prox to every layer', () => {
    const layers = [
      { op: 'dense' as const, inSize: 1, outSize: 2, kernel: new Float32Array([0.09, 0.09]), bias: new Float32Array([1, 1]) },
      { op: 'dense' as const, inSize: 2, outSize: 1, kernel: new Float32Array([5, 0.01]), bias: new Float32Array([0.05]) },
    ];
    proxLayers(layers, 'gl', 0.1, 1);
    expect(Array.from(layers[0].kernel)).toEqual([0, 0]);
    expect(layers[0].bias[0]).toBeCloseTo(0.9, 6);
    expect(layers[1].kernel[0]).toBeCloseTo(4.9, 6);
    expect(layers[1].kernel[1]).toBe(0);
    expect(layers[1].bias[0]).toBe(0);
  });
});

describe('no float32 denormals', () => {
  test('a coordinate the per-coordinate group shrink pushes below the smallest normal float32 becomes exactly 0', () => {
    // One row of 2: the second coordinate has a huge step (Adam with no recent gradient), so
    // x_2 = v_2 r / (r + tau h_2) lands far below 1.18e-38 while the row as a whole survives.
    const kernel = Float32Array.from([1, 1e-30]);
    const bias = Float32Array.from([0.5, 0.5]);
    proxLayer(kernel, bias, 1, 2, 'gl', 1e-3, Float32Array.from([1e-3, 1e12]), 1e-3);
    expect(kernel[0]).toBeGreaterThan(0.9);
    expect(kernel[1]).toBe(0);
    // without the flush the value would be a denormal: v_2 * r / (tau h_2) ~ 1e-30 / 1.4e9
    expect(1e-30 / (1e-3 * Math.SQRT2 * 1e12)).toBeLessThan(1.1754943508222875e-38);
  });
});
