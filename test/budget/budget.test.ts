/** Budget training: the size schedule, the projection onto a budget, and the whole run on planted problems. */
import { initNetwork } from '../../src/network/create';
import { logits } from '../../src/network/forward';
import { trainToBudget } from '../../src/pipeline/budget';
import { compactSize, projectToBudget, widthsOf } from '../../src/train/budget/project';
import {
  allowedSize,
  COSINE_FINETUNE_MIN_ROWS,
  defaultFinetuneLrSchedule,
  defaultSchedule,
  SMALL_DATA_BUDGET_LR,
} from '../../src/train/budget/schedule';
import { minimalSize, resolveBudget, stackSize } from '../../src/train/budget/size';
import { unitStats } from '../../src/train/budget/stats';
import { resolveTrainConfig } from '../../src/train/config';
import { planted, RELEVANT } from '../train/helpers';

describe('budget sizes and schedule', () => {
  it('counts every kernel and bias element and resolves ratios and counts', () => {
    expect(stackSize([784, 32, 32, 10])).toBe(26506);
    expect(minimalSize([784, 32, 32, 10])).toBe(1 + 1 + 1 + 1 + 10 + 10);
    expect(resolveBudget([784, 32, 32, 10], { ratio: 0.25 })).toBe(6626);
    expect(resolveBudget([784, 32, 32, 10], { params: 6627 })).toBe(6627);
    expect(() => resolveBudget([784, 32, 32, 10], { params: 10 })).toThrow(/smallest network/);
    expect(() => resolveBudget([784, 32, 32, 10], { ratio: 1.5 })).toThrow(/target-ratio/);
  });

  it('falls as a cubic from the start to the budget and holds', () => {
    const s = defaultSchedule(20, 0.1, 0.6);
    expect(s).toEqual({ warmup: 2, rampEnd: 12 });
    expect(defaultSchedule(20)).toEqual({ warmup: 10, rampEnd: 20 });
    expect(() => defaultSchedule(20, 0.7, 0.5)).toThrow(/warm-up/);
    expect(allowedSize(s, 1, 1000, 100)).toBeNull();
    const sizes = Array.from({ length: 20 }, (_, e) => allowedSize(s, e + 1, 1000, 100) ?? 1000);
    for (let e = 1; e < 20; e++) expect(sizes[e]).toBeLessThanOrEqual(sizes[e - 1]);
    expect(sizes[1]).toBeLessThan(1000);
    expect(sizes[11]).toBe(100);
    expect(sizes[19]).toBe(100);
    // cubic: the first step removes more than the last
    expect(sizes[1] - sizes[2]).toBeGreaterThan(sizes[10] - sizes[11]);
  });
});

describe('projectToBudget', () => {
  const data = planted(400, 100, 3);

  it('fits any budget down to the smallest network, keeping one unit per level', () => {
    const net = initNetwork({ inputWidth: 20, hidden: [8, 6], classes: 2 }, 1);
    const stats = unitStats(net, data.train);
    const full = stackSize(widthsOf(net));
    for (const allowed of [full, 300, 150, 80, minimalSize(widthsOf(net))]) {
      const p = projectToBudget(net, stats, allowed);
      expect(p.after).toBeLessThanOrEqual(allowed);
      expect(compactSize(p.network)).toBe(p.after);
      widthsOf(p.network).forEach((w) => expect(w).toBeGreaterThanOrEqual(1));
    }
  });

  it.each(['taylor', 'variation'] as const)('with %s scores, a uniform allocation shrinks every width by about one factor', (score) => {
    const net = initNetwork({ inputWidth: 20, hidden: [10, 10], classes: 2 }, 4);
    const p = projectToBudget(net, unitStats(net, data.train), 150, score, 'uniform');
    expect(p.after).toBeLessThanOrEqual(150);
    const [i, h1, h2] = widthsOf(p.network);
    expect(Math.abs(i / 20 - h1 / 10)).toBeLessThan(0.15);
    expect(Math.abs(h1 - h2)).toBeLessThanOrEqual(1);
  });

  it('removes constant inputs first and loses nothing doing so (their mean is folded into the bias)', () => {
    // columns 0..9 are constant (but not zero): they carry no information
    const x = data.train.features.slice();
    for (let r = 0; r < data.train.rows; r++) for (let c = 0; c < 10; c++) x[r * 20 + c] = 0.5 + c;
    const table = { ...data.train, features: x };
    const net = initNetwork({ inputWidth: 20, hidden: [8], classes: 2 }, 2);
    const stats = unitStats(net, table);
    const allowed = stackSize([10, 8, 2]);
    const p = projectToBudget(net, stats, allowed);
    expect(p.network.inputIndices).toEqual([10, 11, 12, 13, 14, 15, 16, 17, 18, 19]);
    const a = logits(net, x, table.rows);
    const b = logits(p.network, x, table.rows);
    let d = 0;
    for (let i = 0; i < a.length; i++) d = Math.max(d, Math.abs(a[i] - b[i]));
    expect(d).toBeLessThan(1e-4);
  });
});

describe('trainToBudget on a planted problem', () => {
  const data = planted(1500, 500, 7);
  const cfg = resolveTrainConfig({ hidden: [16, 16], epochs: 6, lr: 5e-3, seed: 1, engine: 'fused-js' });
  const start = stackSize([20, 16, 16, 2]);

  it.each([0.5, 0.1, 0.03])('meets a ratio of %p exactly, never collapses, and stays accurate', async (ratio) => {
    const r = await trainToBudget(data, cfg, { targetRatio: ratio, finetuneEpochs: 2 });
    expect(r.targetParams).toBe(Math.floor(ratio * start));
    expect(r.params).toBeLessThanOrEqual(r.targetParams);
    expect(r.params).toBe(compactSize(r.result.network));
    // fits tightly: within one unit's cost of the budget
    expect(r.params).toBeGreaterThan(r.targetParams - (20 + 1 + 16));
    widthsOf(r.result.network).forEach((w) => expect(w).toBeGreaterThanOrEqual(1));
    const last = r.result.history[r.result.history.length - 1];
    expect(last.phase).toBe('finetune');
    expect(last.totalParams).toBe(r.params);
    expect(last.testAccuracy).toBeGreaterThan(0.85);
    // the sizes recorded by the history never grow
    const sizes = r.result.history.map((h) => h.totalParams);
    for (let i = 1; i < sizes.length; i++) expect(sizes[i]).toBeLessThanOrEqual(sizes[i - 1]);
  });

  it('fine-tunes at a constant lr on small training sets at low rates by default, cosine from COSINE_FINETUNE_MIN_ROWS rows or lr 5e-3', async () => {
    expect(defaultFinetuneLrSchedule(data.train.rows, 1e-3)).toBe('constant');
    expect(defaultFinetuneLrSchedule(COSINE_FINETUNE_MIN_ROWS - 1, SMALL_DATA_BUDGET_LR / 2)).toBe('constant');
    expect(defaultFinetuneLrSchedule(COSINE_FINETUNE_MIN_ROWS - 1, SMALL_DATA_BUDGET_LR)).toBe('cosine');
    expect(defaultFinetuneLrSchedule(COSINE_FINETUNE_MIN_ROWS, 1e-3)).toBe('cosine');
    expect(defaultFinetuneLrSchedule(60000, 1e-4)).toBe('cosine');
    // a network reading images or sequences decays at any size and rate (channel-budget.test.ts runs one)
    expect(defaultFinetuneLrSchedule(400, 1e-3, true)).toBe('cosine');
    const opts = { targetRatio: 0.3, finetuneEpochs: 2 };
    const kernel = async (c: typeof cfg, o: Parameters<typeof trainToBudget>[2]) =>
      Array.from((await trainToBudget(data, c, o)).result.network.layers[0].kernel);
    // the same seed on the same engine gives the same network: the default is the constant schedule at lr 1e-3 here
    const slow = { ...cfg, lr: 1e-3 };
    const byDefault = await kernel(slow, opts);
    expect(byDefault).toEqual(await kernel(slow, { ...opts, finetuneLrSchedule: 'constant' }));
    expect(byDefault).not.toEqual(await kernel(slow, { ...opts, finetuneLrSchedule: 'cosine' }));
    // and cosine at lr 5e-3
    expect(await kernel(cfg, opts)).toEqual(await kernel(cfg, { ...opts, finetuneLrSchedule: 'cosine' }));
  });

  it('keeps the planted inputs when the budget leaves room for only a few', async () => {
    const r = await trainToBudget(data, cfg, { targetParams: stackSize([5, 4, 4, 2]), finetuneEpochs: 1 });
    const kept = r.result.network.inputIndices;
    expect(kept.length).toBeLessThanOrEqual(8);
    const found = RELEVANT.filter((c) => kept.includes(c)).length;
    expect(found).toBeGreaterThanOrEqual(4);
  });
});
