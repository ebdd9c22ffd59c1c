/**
 * The training loop (trainNetwork + resolveTrainConfig): determinism, agreement of the tfjs and
 * fused engines, exact sparsity on a planted problem, history bookkeeping, logistic regression,
 * the subgradient solver, and option validation.
 */
import { GsError } from '../../src/errors';
import { initNetwork } from '../../src/network/create';
import { accuracy } from '../../src/network/forward';
import { parseHidden, resolveTrainConfig } from '../../src/train/config';
import { trainNetwork } from '../../src/train/train';
import type { TrainConfig } from '../../src/train/types';
import { blobs, maxWeightDiff, planted, RELEVANT, rowNorm } from './helpers';

const aliveRows = (kernel: Float32Array, inSize: number, outSize: number) =>
  Array.from({ length: inSize }, (_, i) => i).filter((i) => rowNorm(kernel, outSize, i) !== 0);

describe('determinism', () => {
  it('the same seed gives identical history and weights twice (fused engine)', async () => {
    const data = blobs(300, 120, 6, 3, 1);
    const cfg = resolveTrainConfig({ hidden: [10, 6], epochs: 3, batchSize: 16, lr: 0.01, seed: 7, penalty: 'gl', lambda: 1e-3 });
    const a = await trainNetwork(data, cfg);
    const b = await trainNetwork(data, cfg);
    const strip = (h: typeof a.history) => h.map(({ seconds, ...rest }) => (expect(seconds).toBeGreaterThan(0), rest));
    expect(strip(b.history)).toEqual(strip(a.history));
    expect(maxWeightDiff(a.network.layers, b.network.layers)).toBe(0);
    expect(b.network.scaling).toEqual(a.network.scaling);

    // and the seed matters: another seed gives other weights
    const c = await trainNetwork(data, { ...cfg, seed: 8 });
    expect(maxWeightDiff(a.network.layers, c.network.layers)).toBeGreaterThan(1e-3);
  });
});

describe('tfjs engine against the fused engine', () => {
  const data = blobs(240, 60, 6, 3, 2);
  const cases: [string, 'cpu' | 'wasm', Partial<TrainConfig>][] = [
    ['adam, no penalty', 'cpu', { optimizer: 'adam', lr: 0.01 }],
    ['adam, no penalty', 'wasm', { optimizer: 'adam', lr: 0.01 }],
    ['sgd, l2', 'cpu', { optimizer: 'sgd', lr: 0.1, penalty: 'l2', lambda: 1e-3 }],
    ['rmsprop, group lasso prox', 'wasm', { optimizer: 'rmsprop', lr: 0.005, penalty: 'gl', lambda: 1e-3 }],
  ];
  it.each(cases)('%s on %s: same weights after 3 epochs', async (_label, backend, over) => {
    const base = { hidden: [8, 6], epochs: 3, batchSize: 32, seed: 3, ...over };
    const fused = await trainNetwork(data, resolveTrainConfig({ ...base, engine: 'fused-js' }));
    const simd = await trainNetwork(data, resolveTrainConfig({ ...base, engine: 'fused' }));
    const tfjs = await trainNetwork(data, resolveTrainConfig({ ...base, engine: 'tfjs', backend }));
    expect(fused.engine).toBe('fused-js');
    expect(simd.engine).toBe('fused-wasm');
    expect(tfjs.engine).toBe(`tfjs-${backend}`);
    expect(maxWeightDiff(fused.network.layers, tfjs.network.layers)).toBeLessThan(1e-4);
    // the float32 SIMD kernels compute the same training to float32 rounding
    expect(maxWeightDiff(fused.network.layers, simd.network.layers)).toBeLessThan(1e-4);
    simd.history.forEach((h, i) => expect(h.dataLoss).toBeCloseTo(fused.history[i].dataLoss, 4));
    // training moved the weights far more than the tolerance (the comparison is not trivial)
    const init = initNetwork({ inputWidth: 6, hidden: base.hidden, classes: 3 }, base.seed);
    expect(maxWeightDiff(init.layers, fused.network.layers)).toBeGreaterThan(0.05);
    expect(tfjs.history.map((h) => h.epoch)).toEqual([1, 2, 3]);
    tfjs.history.forEach((h, i) => expect(h.dataLoss).toBeCloseTo(fused.history[i].dataLoss, 4));
  });
});

describe('planted sparse problem: 5 of 20 inputs decide the label', () => {
  async function run(seed: number, cfg: Partial<TrainConfig>) {
    const data = planted(2000, 400, seed);
    const r = await trainNetwork(data, resolveTrainConfig({ hidden: [16], penalty: 'gl', solver: 'prox', seed, ...cfg }), {
      trainEvalRows: 200,
    });
    const l0 = r.network.layers[0];
    return { r, data, alive: aliveRows(l0.kernel, l0.inSize, l0.outSize) };
  }

  it.each([0, 1])('adam + group lasso prox keeps exactly the 5 relevant inputs (seed %i)', async (seed) => {
    const { r, data, alive } = await run(seed, { optimizer: 'adam', lr: 0.01, lambda: 0.016, epochs: 20, batchSize: 200 });
    expect(alive).toEqual(RELEVANT);
    const last = r.history[r.history.length - 1];
    expect(last.aliveInputs).toBe(5);
    expect(accuracy(r.network, data.test.features, data.test.labels)).toBeGreaterThan(0.95);
    expect(last.testAccuracy).toBeCloseTo(accuracy(r.network, data.test.features, data.test.labels), 10);
    // the irrelevant rows are exact zeros (not merely small), the relevant ones clearly not
    const l0 = r.network.layers[0];
    for (let i = 0; i < 20; i++) {
      if (RELEVANT.includes(i)) expect(rowNorm(l0.kernel, 16, i)).toBeGreaterThan(0.05);
      else expect(Array.from(l0.kernel.subarray(i * 16, i * 16 + 16)).every((w) => w === 0)).toBe(true);
    }
  });

  it('full-batch sgd + group lasso prox (proximal gradient descent) keeps exactly the 5 relevant inputs', async () => {
    const { r, data, alive } = await run(0, { optimizer: 'sgd', lr: 1, lambda: 0.02, epochs: 150, batchSize: 2000 });
    expect(alive).toEqual(RELEVANT);
    expect(accuracy(r.network, data.test.features, data.test.labels)).toBeGreaterThan(0.9);
  });

  it('without the penalty the same training keeps every input', async () => {
    const { r, alive } = await run(0, { optimizer: 'adam', lr: 0.01, penalty: 'none', lambda: 0, epochs: 3, batchSize: 200 });
    expect(alive).toHaveLength(20);
    expect(r.history[r.history.length - 1].zeroParams).toBe(0);
  });
});

describe('history', () => {
  it('records consistent per-epoch fields', async () => {
    const data = blobs(300, 100, 5, 4, 3);
    const seen: number[] = [];
    const progress: [number, number, number][] = [];
    const r = await trainNetwork(
      data,
      resolveTrainConfig({ hidden: [12, 7, 5], epochs: 4, batchSize: 25, lr: 0.02, penalty: 'gl', lambda: 5e-3 }),
      {
        onEpoch: (rec) => seen.push(rec.epoch),
        onProgress: (e, done, total) => progress.push([e, done, total]),
      },
    );
    const total = 5 * 12 + 12 + 12 * 7 + 7 + 7 * 5 + 5 + 5 * 4 + 4;
    expect(r.history.map((h) => h.epoch)).toEqual([1, 2, 3, 4]);
    expect(seen).toEqual([1, 2, 3, 4]);
    expect(r.engine).toBe('fused-wasm');
    // progress ends each epoch at batches = ceil(270 / 25) = 11 (300 training rows less the 30 held out for validation)
    for (let e = 1; e <= 4; e++) expect(progress.filter(([pe]) => pe === e).pop()).toEqual([e, 11, 11]);
    let sumSeconds = 0;
    for (const h of r.history) {
      expect(h.totalParams).toBe(total);
      expect(h.zeroParams).toBeGreaterThanOrEqual(0);
      expect(h.zeroParams).toBeLessThanOrEqual(h.totalParams);
      expect(h.aliveUnits).toHaveLength(3);
      h.aliveUnits.forEach((u, k) => {
        expect(Number.isInteger(u)).toBe(true);
        expect(u).toBeGreaterThanOrEqual(0);
        expect(u).toBeLessThanOrEqual([12, 7, 5][k]);
      });
      expect(h.aliveInputs).toBeLessThanOrEqual(5);
      expect(h.seconds).toBeGreaterThan(0);
      expect(Number.isFinite(h.dataLoss) && h.dataLoss > 0).toBe(true);
      expect(h.penalty).toBeGreaterThan(0);
      for (const a of [h.trainAccuracy, h.testAccuracy]) expect(a >= 0 && a <= 1).toBe(true);
      sumSeconds += h.seconds;
    }
    // the total is the wall time of the call: the epochs (training and evaluation) and the set-up around them
    expect(r.trainSeconds).toBeGreaterThanOrEqual(sumSeconds);
    // the last record describes the returned network
    const last = r.history[3];
    const zeros = r.network.layers.reduce((s, l) => s + l.kernel.filter((w) => w === 0).length + l.bias.filter((b) => b === 0).length, 0);
    expect(last.zeroParams).toBe(zeros);
    expect(last.aliveInputs).toBe(aliveRows(r.network.layers[0].kernel, 5, 12).length);
    expect(last.testAccuracy).toBeCloseTo(accuracy(r.network, data.test.features, data.test.labels), 10);
    // and training learned something: the loss fell
    expect(last.dataLoss).toBeLessThan(r.history[0].dataLoss);
  });
});

describe('logistic regression and the subgradient solver', () => {
  it('hidden [] trains a single softmax layer', async () => {
    const data = blobs(300, 150, 4, 3, 4);
    const r = await trainNetwork(data, resolveTrainConfig({ hidden: parseHidden(''), epochs: 15, lr: 0.05, batchSize: 20 }));
    expect(r.network.layers).toHaveLength(1);
    expect(r.network.layers[0]).toMatchObject({ op: 'dense' as const, inSize: 4, outSize: 3 });
    expect(r.history.every((h) => h.aliveUnits.length === 0)).toBe(true);
    expect(r.network.scaling).not.toBeNull();
    expect(accuracy(r.network, data.test.features, data.test.labels)).toBeGreaterThan(0.85);
  });

  it('subgradient group lasso leaves weights nonzero but trains well', async () => {
    const data = planted(1000, 300, 5);
    const cfg = resolveTrainConfig({
      hidden: [16],
      optimizer: 'adam',
      lr: 0.01,
      penalty: 'gl',
      lambda: 0.016,
      solver: 'subgradient',
      epochs: 15,
      batchSize: 100,
    });
    const r = await trainNetwork(data, cfg, { trainEvalRows: 0 });
    const l0 = r.network.layers[0];
    // no group reaches exact zero (that only the proximal step does) ...
    expect(aliveRows(l0.kernel, 20, 16)).toHaveLength(20);
    expect(r.history[r.history.length - 1].zeroParams).toBeLessThan(5);
    // ... although the penalty clearly shrinks the irrelevant rows below the relevant ones
    const irr = Array.from({ length: 20 }, (_, i) => i).filter((i) => !RELEVANT.includes(i));
    const maxIrr = Math.max(...irr.map((i) => rowNorm(l0.kernel, 16, i)));
    const minRel = Math.min(...RELEVANT.map((i) => rowNorm(l0.kernel, 16, i)));
    expect(maxIrr).toBeLessThan(minRel);
    expect(accuracy(r.network, data.test.features, data.test.labels)).toBeGreaterThan(0.9);
  });
});

describe('resolveTrainConfig', () => {
  function optionError(partial: Record<string, unknown>): GsError {
    try {
      resolveTrainConfig(partial);
    } catch (e) {
      expect(e).toBeInstanceOf(GsError);
      return e as GsError;
    }
    throw new Error(`resolveTrainConfig(${JSON.stringify(partial)}) accepted it`);
  }

  it.each([
    [{ lr: -0.1 }, '--lr'],
    [{ lr: 0 }, '--lr'],
    [{ lr: NaN }, '--lr'],
    [{ epochs: 2.5 }, '--epochs'],
    [{ epochs: 0 }, '--epochs'],
    [{ batchSize: -4 }, '--batch-size'],
    [{ seed: 1.5 }, '--seed'],
    [{ penalty: 'gl', lambda: 0 }, '--penalty gl'],
    [{ penalty: 'sgl' }, '--penalty sgl'],
    [{ penalty: 'gl', lambda: -1 }, '--lambda'],
    [{ penalty: 'group' }, '--penalty group'],
    [{ hidden: '3,x' }, '--hidden'],
    [{ hidden: '3,0' }, '--hidden'],
    [{ hidden: '4.5' }, '--hidden'],
    [{ optimizer: 'adagrad' }, '--optimizer adagrad'],
    [{ solver: 'admm' }, '--solver admm'],
    [{ engine: 'torch' }, '--engine torch'],
    [{ backend: 'webgl' }, '--backend webgl'],
  ])('rejects %j naming %s', (partial, name) => {
    const e = optionError(partial);
    expect(e.code).toBe('BAD_OPTION');
    expect(e.message).toContain(name);
  });

  it('completes a partial config with the defaults and parses hidden sizes', () => {
    const cfg = resolveTrainConfig({ hidden: '16, 8', penalty: 'gl', lambda: 1e-4, lr: undefined });
    expect(cfg).toMatchObject({
      hidden: [16, 8],
      penalty: 'gl',
      lambda: 1e-4,
      lr: 1e-3,
      optimizer: 'adam',
      engine: 'fused',
      solver: 'prox',
    });
    expect(resolveTrainConfig({ hidden: 'none' }).hidden).toEqual([]);
  });
});
