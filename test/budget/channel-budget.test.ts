/**
 * Budgets for networks of any layer types (--arch): a channel's cost in parameters and multiply-adds
 * against the layer table's own counts, the projection onto a budget (weakest channel per cost
 * first, every budget met, the mean fold exact for a dense reader), and trainToBudget on a small
 * image task with budgets in multiply-adds, in parameters and in both. Residual networks: a
 * coupled set (a block's input, its branch's output, the sum) costs and goes as one level. Joins:
 * each branch is a level of its own, read at its offset in the join.
 */
import { initArchNetwork } from '../../src/network/create-arch';
import { logits } from '../../src/network/forward';
import type { AnyLayer, Network } from '../../src/network/types';
import { trainToBudget } from '../../src/pipeline/budget';
import { pruneNetwork } from '../../src/prune';
import { shrinkNetwork } from '../../src/prune/shrink';
import { toWorkingCopy } from '../../src/prune/working-copy';
import { channelStats } from '../../src/train/budget/channel-stats';
import { projectChannels, removableLevels, speedProbes } from '../../src/train/budget/channel-project';
import { levelCosts, minimalSizes, sizesOf } from '../../src/train/budget/level-costs';
import { Rng } from '../../src/util/rng';
import { quadrants, SIDE } from '../train-layers/quadrants';

const ARCH = 'c5k3p1-bn-m2-c6k3-a2-f7';

function net(seed = 1): Network<AnyLayer> {
  return initArchNetwork(ARCH, [1, SIDE, SIDE], 4, seed);
}

/** The network keeping the first widths[h] channels of every level. */
function cutTo(n: Network<AnyLayer>, widths: number[]): Network<AnyLayer> {
  const work = toWorkingCopy(n);
  const alive = work.sizes.map((s, h) => {
    const a = new Uint8Array(s);
    a.fill(1, 0, widths[h]);
    return a;
  });
  return shrinkNetwork(n, work, alive).network;
}

/** Removes one channel at a time from a random one of `levels` (while it has more than one) and
 * expects each removal to cost what the layer table counts. */
function expectCostsAlongPath(n: Network<AnyLayer>, c: ReturnType<typeof levelCosts>, levels: number[], steps: number, seed: number): void {
  const rng = new Rng(seed);
  const w = [...c.widths];
  let size = sizesOf(n);
  for (let step = 0; step < steps; step++) {
    const open = levels.filter((h) => w[h] > 1);
    if (open.length === 0) break;
    const h = open[rng.int(open.length)];
    const cost = c.cost(h, w);
    w[h]--;
    size = { params: size.params - cost.params, macs: size.macs - cost.macs };
    expect(sizesOf(cutTo(n, w))).toEqual(size);
  }
}

describe('levelCosts', () => {
  test("a channel's cost is what the layer table counts when it goes, along a random removal path", () => {
    const n = net();
    const c = levelCosts(n);
    expect(c.widths).toEqual([1, 5, 6, 7, 4]);
    expect(c.removable).toEqual([false, true, true, true, false]);
    expectCostsAlongPath(n, c, [1, 2, 3], 12, 3);
    expect(minimalSizes(n)).toEqual(sizesOf(cutTo(n, [1, 1, 1, 1, 4])));
  });
});

describe('residual networks', () => {
  const RES = 'c6k3p1-bn-(c4k3p1-bn-c6k3p1-bn)-m2-(c8k3p1s2-bn-c8k3p1-bn)';
  const res = (seed = 1) => initArchNetwork(RES, [1, SIDE, SIDE], 4, seed);

  test("a coupled set is one removable level whose channel's cost is what the table counts", () => {
    const n = res();
    const c = levelCosts(n);
    const work = toWorkingCopy(n);
    // levels: input, conv0 (6), conv1 (4), conv2 (6, coupled to conv0), conv3 (8), conv4 (8), projection (8, coupled to conv4), classes
    expect(c.widths).toEqual([1, 6, 4, 6, 8, 8, 8, 4]);
    expect(work.coupled).toEqual([0, 1, 2, 1, 4, 5, 5, 7]);
    expect(c.removable).toEqual([false, true, true, false, true, true, false, false]);
    expectCostsAlongPath(n, c, [1, 2, 4, 5], 14, 5);
  });

  test('a budget in multiply-adds cuts both writers of a coupled set alike, and the result is compact and runs', () => {
    const n = res(2);
    const full = sizesOf(n);
    const stats = channelStats(n, quadrants(96, 1, 6).train, removableLevels(n), 96, 0);
    const p = projectChannels(n, stats, { macs: Math.floor(full.macs * 0.3) });
    expect(p.after.macs).toBeLessThanOrEqual(Math.floor(full.macs * 0.3));
    const convs = p.network.layers.filter((l) => l.op === 'conv');
    // conv0 and the first branch's last conv write the same set; the second branch and its projection too
    expect(convs[0].cout).toBe(convs[2].cout);
    expect(convs[4].cout).toBe(convs[5].cout);
    expect(sizesOf(pruneNetwork(p.network).network)).toEqual(p.after);
    expect(logits(p.network, quadrants(4, 1, 2).train.features, 4).every(Number.isFinite)).toBe(true);
  });
});

describe('joins', () => {
  // conv0 (6) -> [conv1 (4) | conv2 (5) -> conv3 (3) | the input itself] -> m2 -> conv4 (7) reads 4 + 3 + 6
  const JOIN = 'c6k3p1-[c4k1|c5k3p1-c3k3p1|]-m2-c7k3';
  const join = (seed = 1) => initArchNetwork(JOIN, [1, SIDE, SIDE], 4, seed);

  test("each branch's channels are a level of their own whose cost is what the table counts", () => {
    const n = join();
    const c = levelCosts(n);
    expect(c.widths).toEqual([1, 6, 4, 5, 3, 7, 4]);
    expect(c.removable).toEqual([false, true, true, true, true, true, false]);
    expectCostsAlongPath(n, c, [1, 2, 3, 4, 5], 14, 7);
  });

  test('a budget in multiply-adds is met by removing channels of the branches, and the result is compact and runs', () => {
    const n = join(2);
    const full = sizesOf(n);
    const stats = channelStats(n, quadrants(96, 1, 6).train, removableLevels(n), 96, 0);
    // the join's reader scores every part: the branches' levels are scored
    expect(stats.taylor[4]?.length).toBe(4 + 3 + 6);
    const p = projectChannels(n, stats, { macs: Math.floor(full.macs * 0.4) });
    expect(p.after.macs).toBeLessThanOrEqual(Math.floor(full.macs * 0.4));
    expect(sizesOf(pruneNetwork(p.network).network)).toEqual(p.after);
    const concat = p.network.layers.filter((l) => l.op === 'concat');
    const widths = toWorkingCopy(p.network).sizes;
    // the joins hold what the branches kept
    expect(concat.map((l) => l.first + l.second)).toEqual([widths[2] + widths[4], widths[2] + widths[4] + widths[1]]);
    expect(logits(p.network, quadrants(4, 1, 2).train.features, 4).every(Number.isFinite)).toBe(true);
  });
});

describe('projectChannels', () => {
  test('the weakest channel per cost goes first, and the budget holds', () => {
    const n = net();
    const c = levelCosts(n);
    const levels = removableLevels(n);
    const stats = channelStats(n, { ...quadrants(64, 1, 5).train }, levels, 64, 0, 'js');
    // plant the scores: every channel 1, channel 4 of the second convolution 0
    for (const t of stats.taylor) t?.fill(1);
    (stats.taylor[2] as Float64Array)[4] = 0;
    const full = sizesOf(n);
    const one = c.cost(2, c.widths);
    const p = projectChannels(n, stats, { params: full.params - one.params });
    expect(p.removed).toEqual([0, 0, 1, 0]);
    expect(p.after).toEqual({ params: full.params - one.params, macs: full.macs - one.macs });
    expect(toWorkingCopy(p.network).sizes).toEqual([1, 5, 5, 7, 4]);
  });

  test.each<[string, { params?: number; macs?: number }]>([
    ['parameters', { params: 0.4 }],
    ['multiply-adds', { macs: 0.3 }],
    ['both', { params: 0.6, macs: 0.25 }],
  ])('meets a budget in %s with at least one channel per level', (_, frac) => {
    const n = net(2);
    const full = sizesOf(n);
    const allowed = {
      ...(frac.params ? { params: Math.floor(full.params * frac.params) } : {}),
      ...(frac.macs ? { macs: Math.floor(full.macs * frac.macs) } : {}),
    };
    const stats = channelStats(n, quadrants(96, 1, 6).train, removableLevels(n), 96, 0);
    const p = projectChannels(n, stats, allowed);
    const s = sizesOf(p.network);
    expect(s).toEqual(p.after);
    if (allowed.params) expect(s.params).toBeLessThanOrEqual(allowed.params);
    if (allowed.macs) expect(s.macs).toBeLessThanOrEqual(allowed.macs);
    expect(Math.min(...toWorkingCopy(p.network).sizes)).toBeGreaterThanOrEqual(1);
    // the result is compact: pruning it again changes nothing
    expect(sizesOf(pruneNetwork(p.network).network)).toEqual(s);
  });

  test('with roundTo K every width is below K or a multiple of K, and the budget holds', () => {
    const n = initArchNetwork('c10k3p1-m2-c12k3-f16', [1, SIDE, SIDE], 4, 3);
    const full = sizesOf(n);
    const stats = channelStats(n, quadrants(96, 1, 8).train, removableLevels(n), 96, 0);
    const seen = new Set<number>();
    for (const frac of [0.8, 0.6, 0.3, 0.1]) {
      const p = projectChannels(n, stats, { macs: Math.floor(full.macs * frac) }, 4);
      const widths = toWorkingCopy(p.network).sizes.slice(1, -1);
      expect(p.after.macs).toBeLessThanOrEqual(Math.floor(full.macs * frac));
      widths.forEach((v) => expect([v, v < 4 || v % 4 === 0]).toEqual([v, true]));
      widths.forEach((v) => seen.add(v));
    }
    // the budgets reach both kinds: widths below K and multiples of K above it
    expect([[...seen].some((v) => v < 4), [...seen].some((v) => v > 4)]).toEqual([true, true]);
    // K = 1 is the plain projection
    const budget = { params: Math.floor(full.params / 2) };
    expect(toWorkingCopy(projectChannels(n, stats, budget, 1).network).sizes).toEqual(
      toWorkingCopy(projectChannels(n, stats, budget).network).sizes,
    );
  });

  test('with a time goal, channels go where the measured time goes; probes are one removal step per level', () => {
    const n = initArchNetwork('c10k3p1-m2-c12k3-f16', [1, SIDE, SIDE], 4, 3);
    const full = sizesOf(n);
    const stats = channelStats(n, quadrants(96, 1, 8).train, removableLevels(n), 96, 0);
    // levels: 0 input, 1 conv1 (10), 2 conv2 (12), 3 dense (16), 4 outputs
    // levels: 0 input, 1 conv1 (10), 2 conv2 (12), 3 dense (16), 4 outputs; one channel of `level`
    // saves 5% of the time, the others none
    const cut = (level: number, allowed = {}, save = 0.2) => {
      const share: number[] = [];
      share[level] = 0.05;
      return projectChannels(n, stats, allowed, 1, { share, save });
    };
    // time alone: exactly the 4 channels that save 20% go, all from the level that saves time
    expect(toWorkingCopy(cut(1).network).sizes).toEqual([1, 6, 12, 16, 4]);
    expect(toWorkingCopy(cut(2).network).sizes).toEqual([1, 10, 8, 16, 4]);
    // with a multiply-add budget too, both hold
    const allowed = { macs: Math.floor(full.macs * 0.5) };
    const both = cut(2, allowed);
    expect(both.after.macs).toBeLessThanOrEqual(allowed.macs);
    expect(toWorkingCopy(both.network).sizes[2]).toBeLessThanOrEqual(8);
    // probes: one step per removable level; with K = 4, 10 -> 8, 12 -> 8, 16 -> 12
    const probes = speedProbes(n, 4);
    expect(probes.map((p) => [p.level, p.channels, toWorkingCopy(p.network).sizes.slice(1, 4)])).toEqual([
      [1, 2, [8, 12, 16]],
      [2, 4, [10, 8, 16]],
      [3, 4, [10, 12, 12]],
    ]);
  });

  test('a projection says what its removals cost by the scores: nothing for nothing, more for a smaller budget', () => {
    const n = initArchNetwork('c10k3p1-m2-c12k3-f16', [1, SIDE, SIDE], 4, 3);
    const full = sizesOf(n);
    const stats = channelStats(n, quadrants(96, 1, 8).train, removableLevels(n), 96, 0);
    expect(projectChannels(n, stats, { macs: full.macs }).lost).toBe(0);
    const lost = [0.8, 0.5, 0.2].map((f) => projectChannels(n, stats, { macs: Math.floor(full.macs * f) }).lost);
    expect(lost[0]).toBeGreaterThan(0);
    expect(lost[1]).toBeGreaterThanOrEqual(lost[0]);
    expect(lost[2]).toBeGreaterThanOrEqual(lost[1]);
  });

  test('removals from one level compound: two levels of equal score per cost shrink alike, neither is hollowed out', () => {
    const n = initArchNetwork('c10k3p1-m2-c12k3-f16', [1, SIDE, SIDE], 4, 3);
    const c = levelCosts(n);
    const stats = channelStats(n, quadrants(64, 1, 8).train, removableLevels(n), 64, 0, 'js');
    // plant the scores: the first convolution's channels score 0.9 of what they cost in multiply-adds,
    // the dense units all of it (their costs are fixed while the second convolution, scoring far more, stays)
    const work = toWorkingCopy(n);
    work.inputs.forEach(({ parts: [{ level: lv }] }, m) => {
      const t = stats.taylor[m];
      if (t) t.fill(lv === 2 ? 1e12 : c.cost(lv, c.widths).macs * (lv === 1 ? 0.9 : 1));
    });
    const full = sizesOf(n);
    const allowed = full.macs - 6 * c.cost(1, c.widths).macs - 8 * c.cost(3, c.widths).macs;
    const p = projectChannels(n, stats, { macs: allowed });
    const [, a, b, d] = toWorkingCopy(p.network).sizes;
    expect(p.after.macs).toBeLessThanOrEqual(allowed);
    expect(b).toBe(12);
    // scored one by one, the first convolution would lose 7 of its 10 channels and the dense layer none
    expect([a >= 4, d <= 12, Math.abs(a / 10 - d / 16) < 0.25]).toEqual([true, true, true]);
  });

  test("a removed channel's mean is folded into a dense reader exactly", () => {
    // every row the same image: each channel equals its mean, so removing channels read by dense layers changes nothing
    const n = initArchNetwork('c4k3-m2-f6', [1, 6, 6], 3, 4);
    const rng = new Rng(9);
    const row = Float32Array.from({ length: 36 }, () => rng.normal());
    const rows = 20;
    const features = new Float32Array(rows * 36);
    for (let r = 0; r < rows; r++) features.set(row, r * 36);
    const labels = Int32Array.from({ length: rows }, (_, r) => r % 3);
    const stats = channelStats(n, { rows, cols: 36, features, labels }, removableLevels(n), rows, 0, 'js');
    const full = sizesOf(n);
    const p = projectChannels(n, stats, { params: Math.floor(full.params / 2) });
    expect(p.removed.reduce((a, b) => a + b, 0)).toBeGreaterThan(0);
    const before = logits(n, row, 1);
    const after = logits(p.network, row, 1);
    for (let i = 0; i < 3; i++) expect(after[i]).toBeCloseTo(before[i], 4);
  });
});

describe('trainToBudget with --arch', () => {
  const data = { ...quadrants(400, 200, 11), inputShape: [1, SIDE, SIDE] };
  const cfg = { arch: ARCH, optimizer: 'adam', lr: 1e-2, epochs: 6, batchSize: 32, seed: 1, valFraction: 0 } as const;

  test.each([
    ['multiply-adds', { targetMacsRatio: 0.3 }],
    ['parameters', { targetRatio: 0.4 }],
    ['both', { targetParams: 300, targetMacs: 3000 }],
  ])('a budget in %s is met, recorded and the network still classifies', async (_, target) => {
    const b = await trainToBudget(data, cfg, { ...target, finetuneEpochs: 2 });
    const final = sizesOf(b.result.network);
    const start = sizesOf(net());
    expect(b.start.params).toBe(start.params);
    expect(b.params).toBe(final.params);
    expect(b.widths).toEqual(toWorkingCopy(b.result.network as unknown as Network<AnyLayer>).sizes);
    if ('targetMacsRatio' in target) expect(b.targetMacs).toBe(Math.floor(start.macs * 0.3));
    if (b.targetMacs !== undefined) {
      expect(b.macs).toBe(final.macs);
      expect(final.macs).toBeLessThanOrEqual(b.targetMacs);
      expect(b.projections.every((p) => p.afterMacs !== undefined && p.afterMacs <= (p.allowedMacs as number))).toBe(true);
    }
    if (!('targetMacsRatio' in target)) expect(final.params).toBeLessThanOrEqual(b.targetParams);
    expect(b.targetParams).toBeLessThanOrEqual(start.params);
    expect(b.projections.length).toBeGreaterThan(1);
    expect(b.result.history[b.result.history.length - 1].testAccuracy).toBeGreaterThan(0.6);
  });

  test('an image network fine-tunes with a cosine-decayed learning rate by default, at any training size and rate', async () => {
    const slow = { ...cfg, lr: 1e-3, epochs: 3 };
    const opts = { targetMacsRatio: 0.5, finetuneEpochs: 2 };
    const kernel = async (o: Parameters<typeof trainToBudget>[2]) => {
      const last = (await trainToBudget(data, slow, o)).result.network.layers.at(-1) as { kernel: Float32Array };
      return Array.from(last.kernel);
    };
    const byDefault = await kernel(opts);
    expect(byDefault).toEqual(await kernel({ ...opts, finetuneLrSchedule: 'cosine' }));
    expect(byDefault).not.toEqual(await kernel({ ...opts, finetuneLrSchedule: 'constant' }));
  });

  test('budgets below the smallest network and MAC budgets for MLPs are refused with a message', async () => {
    await expect(trainToBudget(data, cfg, { targetMacs: 10, finetuneEpochs: 0 })).rejects.toThrow(/below the smallest network/);
    await expect(trainToBudget(data, cfg, { targetMacsRatio: 1.5, finetuneEpochs: 0 })).rejects.toThrow(/--target-macs-ratio 1.5/);
    await expect(trainToBudget(data, { ...cfg, arch: undefined, hidden: [8] }, { targetMacs: 100, finetuneEpochs: 0 })).rejects.toThrow(
      /apply to --arch networks/,
    );
  });
});
