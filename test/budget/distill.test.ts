/**
 * Distillation loss in both kernel sets: the value against a hand computation, the gradient
 * against finite differences (TypeScript pass), the WebAssembly pass against the TypeScript one,
 * alpha = 1 reducing to plain cross-entropy, and the tfjs engine's refusal.
 */
import { createEngine } from '../../src/train/engines';
import { distillCrossEntropy } from '../../src/train/fused/distill';
import { layoutOf, packLayers, viewsOf } from '../../src/train/fused/layout';
import { BatchPass } from '../../src/train/fused/pass';
import { WasmBatchPass } from '../../src/train/fused/wasm-pass';
import type { SoftTargets, TrainingData } from '../../src/train/types';
import { Rng } from '../../src/util/rng';
import { config, randomData, randomLayers, referenceLoss } from '../train-fused/helpers';

/** Hand computation of one row: alpha * -log q_y + (1 - alpha) * T^2 * sum p log(p / qT). */
function handLoss(z: number[], y: number, p: number[], T: number, alpha: number): number {
  const sm = (v: number[]) => {
    const e = v.map((x) => Math.exp(x));
    const s = e.reduce((a, b) => a + b, 0);
    return e.map((x) => x / s);
  };
  const q = sm(z);
  const qT = sm(z.map((x) => x / T));
  const kl = p.reduce((s, pj, j) => s + pj * Math.log(pj / qT[j]), 0);
  return alpha * -Math.log(q[y]) + (1 - alpha) * T * T * kl;
}

function randomSoft(rows: number, C: number, T: number, alpha: number, seed: number): SoftTargets {
  const rng = new Rng(seed);
  const probs = new Float32Array(rows * C);
  for (let r = 0; r < rows; r++) {
    let s = 0;
    for (let j = 0; j < C; j++) s += probs[r * C + j] = 0.05 + rng.next();
    for (let j = 0; j < C; j++) probs[r * C + j] /= s;
  }
  return { probs, temperature: T, alpha };
}

describe('distillCrossEntropy (TypeScript kernel)', () => {
  const z0 = [
    [1.5, -0.3, 0.2],
    [-1, 2, 0.5],
  ];
  const y = Int32Array.from([0, 2]);
  const rows = Int32Array.from([0, 1]);
  const soft: SoftTargets = { probs: Float32Array.from([0.7, 0.2, 0.1, 0.1, 0.3, 0.6]), temperature: 3, alpha: 0.4 };
  const p = (r: number) => Array.from(soft.probs.subarray(3 * r, 3 * r + 3));

  it('equals the hand-computed loss (numbers written out)', () => {
    const z = Float64Array.from(z0.flat());
    const loss = distillCrossEntropy(z, y, rows, 2, 3, soft);
    const want = (handLoss(z0[0], 0, p(0), 3, 0.4) + handLoss(z0[1], 2, p(1), 3, 0.4)) / 2;
    expect(loss).toBeCloseTo(want, 10);
    // the first row worked by hand: -log softmax(z)_0 = 0.3631; qT = softmax(z/3) = (0.4551, 0.2498, 0.2951), KL(p || qT) = 0.1487
    expect(handLoss(z0[0], 0, p(0), 3, 0.4)).toBeCloseTo(0.4 * 0.3631 + 0.6 * 9 * 0.1487, 3);
  });

  it('writes the gradient of the batch mean (finite differences)', () => {
    const z = Float64Array.from(z0.flat());
    distillCrossEntropy(z, y, rows, 2, 3, soft);
    const f = (v: number[][]) => (handLoss(v[0], 0, p(0), 3, 0.4) + handLoss(v[1], 2, p(1), 3, 0.4)) / 2;
    const h = 1e-6;
    for (let r = 0; r < 2; r++) {
      for (let j = 0; j < 3; j++) {
        const up = z0.map((row) => [...row]);
        const dn = z0.map((row) => [...row]);
        up[r][j] += h;
        dn[r][j] -= h;
        expect(z[r * 3 + j]).toBeCloseTo((f(up) - f(dn)) / (2 * h), 6);
      }
    }
  });

  it('is plain cross-entropy at alpha = 1', () => {
    const layers = randomLayers([6, 5, 4], 3);
    const data = randomData(20, 6, 4, 5);
    const withSoft: TrainingData = { ...data, soft: randomSoft(20, 4, 2, 1, 9) };
    const lay = layoutOf(layers);
    const order = Int32Array.from({ length: 20 }, (_, i) => i);
    const g = new Float32Array(lay.total);
    const loss = new BatchPass(lay, withSoft, 20).run(viewsOf(packLayers(layers, lay), lay), viewsOf(g, lay), order, 0, 20);
    expect(loss).toBeCloseTo(referenceLoss(layers, data, order), 6);
  });
});

describe.each([
  ['two hidden layers', [23, 33, 19, 3]],
  ['one hidden layer', [9, 20, 12]],
])('the WebAssembly distillation pass, %s', (_name, sizes) => {
  const layers = randomLayers(sizes, 17, 2);
  const C = sizes[sizes.length - 1];
  const data: TrainingData = { ...randomData(60, sizes[0], C, 4, 0.3), soft: randomSoft(60, C, 4, 0.3, 2) };
  const lay = layoutOf(layers);
  const order = Int32Array.from({ length: 60 }, (_, i) => (i * 37) % 60);

  it('gives the loss and gradients of the TypeScript pass', () => {
    const jsGrads = new Float32Array(lay.total);
    const jsLoss = new BatchPass(lay, data, 32).run(viewsOf(packLayers(layers, lay), lay), viewsOf(jsGrads, lay), order, 5, 32);
    const pass = new WasmBatchPass(lay, data, 32);
    const { params, grads } = pass.buffers();
    params.set(packLayers(layers, lay));
    grads.fill(NaN);
    const loss = pass.run(viewsOf(params, lay), viewsOf(grads, lay), order, 5, 32);
    expect(loss).toBeCloseTo(jsLoss, 5);
    const scale = Math.max(...jsGrads.map(Math.abs));
    expect(scale).toBeGreaterThan(1e-3);
    let worst = 0;
    for (let i = 0; i < lay.total; i++) worst = Math.max(worst, Math.abs(grads[i] - jsGrads[i]));
    expect(worst).toBeLessThan(1e-5 * Math.max(1, scale));
    // and it differs from plain cross-entropy (the soft targets are used)
    const plain = new WasmBatchPass(lay, { ...data, soft: undefined }, 32);
    plain.buffers().params.set(packLayers(layers, lay));
    const b = plain.buffers();
    expect(Math.abs(plain.run(viewsOf(b.params, lay), viewsOf(b.grads, lay), order, 5, 32) - loss)).toBeGreaterThan(1e-3);
  });
});

test('the tfjs engine refuses distillation with a clear error', async () => {
  const layers = randomLayers([4, 3, 2], 1);
  const data: TrainingData = { ...randomData(10, 4, 2, 1), soft: randomSoft(10, 2, 2, 0.5, 1) };
  await expect(createEngine(layers, data, config({ engine: 'tfjs' }))).rejects.toThrow(/fused engines only/);
});
