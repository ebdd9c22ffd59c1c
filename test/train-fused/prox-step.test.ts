/**
 * proxStep 'lr': after each optimizer update the proximal operator uses the scalar step lr for
 * every coordinate (threshold lr*lambda, times sqrt(group size) for groups), as plain proximal
 * SGD and the PyTorch reference do; the default scales it by the optimizer's preconditioner.
 */
import { resolveTrainConfig } from '../../src/train/config';
import { createFusedEngine } from '../../src/train/fused';
import { config, randomData, randomLayers, range } from './helpers';

const data = randomData(24, 6, 3, 8);
const init = () => randomLayers([6, 5, 3], 4, 2);

/** One Adam step (batch = all rows) without a penalty, then the plain group soft-threshold by hand. */
function adamThenPlainGroupProx(lr: number, lambda: number) {
  const e = createFusedEngine(init(), data, config({ optimizer: 'adam', lr, batchSize: 24 }));
  e.runEpoch(range(24));
  const layers = e.layers();
  for (const l of layers) {
    const t = lr * lambda;
    for (let i = 0; i < l.inSize; i++) {
      const row = l.kernel.subarray(i * l.outSize, (i + 1) * l.outSize);
      const norm = Math.sqrt(row.reduce((s, v) => s + v * v, 0));
      const scale = Math.max(0, 1 - (t * Math.sqrt(l.outSize)) / norm);
      for (let j = 0; j < row.length; j++) row[j] = Math.fround(row[j] * scale);
    }
    for (let j = 0; j < l.outSize; j++) l.bias[j] = Math.sign(l.bias[j]) * Math.max(0, Math.abs(l.bias[j]) - t);
  }
  return layers;
}

test.each([
  ['weak: shrinks without zeroing', 1e-2, 0.5],
  ['strong: zeroes some groups', 5e-2, 8],
])('adam with proxStep lr equals the adam update followed by the plain group prox (%s)', (_n, lr, lambda) => {
  const e = createFusedEngine(init(), data, config({ optimizer: 'adam', lr, batchSize: 24, penalty: 'gl', lambda, proxStep: 'lr' }));
  e.runEpoch(range(24));
  const got = e.layers();
  const want = adamThenPlainGroupProx(lr, lambda);
  const zeros = got.reduce((s, l) => s + l.kernel.filter((v) => v === 0).length, 0);
  expect(zeros > 0).toBe(lambda > 1);
  got.forEach((l, k) => {
    Array.from(l.kernel).forEach((v, i) => expect(v).toBeCloseTo(want[k].kernel[i], 6));
    Array.from(l.bias).forEach((v, i) => expect(v).toBeCloseTo(want[k].bias[i], 6));
  });
});

test('the preconditioned default differs from proxStep lr under adam, and equals it under sgd', () => {
  const run = (optimizer: 'adam' | 'sgd', proxStep?: 'lr') => {
    const e = createFusedEngine(init(), data, config({ optimizer, lr: 1e-2, batchSize: 8, penalty: 'gl', lambda: 1, proxStep }));
    e.runEpoch(range(24));
    return e.layers().flatMap((l) => [...l.kernel, ...l.bias]);
  };
  const maxDiff = (a: number[], b: number[]) => Math.max(...a.map((v, i) => Math.abs(v - b[i])));
  expect(maxDiff(run('adam'), run('adam', 'lr'))).toBeGreaterThan(1e-4);
  expect(run('sgd')).toEqual(run('sgd', 'lr'));
});

test('resolveTrainConfig checks proxStep and stores the default as absent', () => {
  expect(() => resolveTrainConfig({ proxStep: 'scaled' })).toThrow(/--prox-step scaled: expected preconditioned or lr/);
  expect('proxStep' in resolveTrainConfig({ proxStep: 'preconditioned' })).toBe(false);
  expect(resolveTrainConfig({ proxStep: 'lr' }).proxStep).toBe('lr');
});
