/**
 * Projection of a network of any layer types onto a budget in parameters and/or multiply-adds:
 * remove whole channels (coupled channel sets: a filter, its batch-norm entries, its slice of the
 * next layer) until every measure fits. Channels are ranked by their Taylor score (channel-stats.ts)
 * per unit of what they cost (level-costs.ts) in the measures still over their budget, each measure
 * relative to its budget, in one global ranking, so layers shrink by
 * different factors; channels removed beyond the budget come back while the network still fits. A removed
 * channel is replaced by its mean map, whose effect on the next mixing layer is folded into its
 * bias (averaged over output positions: exact for a dense reader, close for a convolution).
 * Lossy by nature: callers report it and keep training.
 */
import { inputShapeOf } from '../../network/forward';
import { layerShapes, layerType } from '../../network/layers/table';
import type { AnyLayer, Network } from '../../network/types';
import { pruneNetwork } from '../../prune';
import { shrinkNetwork } from '../../prune/shrink';
import { toWorkingCopy } from '../../prune/working-copy';
import type { ChannelStats } from './channel-stats';
import { cutNetwork, levelCosts, SIZE_KEYS, sizesOf, type SizeKey, type Sizes } from './level-costs';

/** Upper bounds per measure (absent: not limited). */
export type ChannelBudget = Partial<Sizes>;

/**
 * Time as a measure of the projection: `share[h]` is the share of the network's measured time one
 * channel of level h saves (speedProbes; absent or 0: none), and at least `save` of it must go.
 */
export interface TimeGoal {
  share: readonly number[];
  save: number;
}

export interface ChannelProjection {
  network: Network<AnyLayer>;
  before: Sizes;
  after: Sizes;
  /** Channels removed per level (inputs, each mixing layer's outputs but the last). */
  removed: number[];
  /** The loss change the removals cost by the scores: each level's weakest channels' summed Taylor
   * scores, compounded as they crowd (CROWDING_EXPONENT), summed over the levels. */
  lost: number;
}

const over = (s: Sizes, b: ChannelBudget) => SIZE_KEYS.filter((k) => b[k] !== undefined && s[k] > b[k]);

/**
 * How removals from one level compound: removing the weakest j of its w channels together costs
 * their summed single-channel loss changes times (w / (w - j))^CROWDING_EXPONENT. Measured on an
 * imported PyTorch MNIST ResNet (every coupled set and single level, each channel replaced by its
 * mean at every reader, 1000 training rows, no retraining): removing the weakest half of a level
 * raised the loss by 3.5 to 4.4 times the sum of its channels' single removals, i.e. (w / (w - j))^2
 * at j = w / 2. Without it a one-shot projection cut the ResNet's last coupled set (cheap per
 * channel score, costly in multiply-adds) from 32 channels to 1, and accuracy to chance.
 */
export const CROWDING_EXPONENT = 2;

/** Levels whose channels a budget may remove (for channelStats). */
export function removableLevels(net: Network<AnyLayer>): boolean[] {
  return levelCosts(net).removable;
}

/**
 * Removes channels of `net` (exactly pruned; `stats` measured on it) until it fits `allowed`,
 * keeping at least one channel per level; returns the exactly pruned result. `roundTo` K > 1 keeps
 * every removable level's width below K or a multiple of K (above K channels go and come back K at
 * a time, a level whose width is not a multiple first losing its remainder; below K one at a time):
 * onnxruntime runs widths just above a multiple of its channel block much slower than the multiple
 * (reports/cnn/CHANNEL-WIDTHS.md), while narrow layers cost little either way.
 * `time`: removal goes on until the predicted time saved reaches time.save as well, a channel
 * weighing the share of time it saves beside its share of the other budgets, so that channels go
 * where time goes (a level whose channels onnxruntime pads to a block can lose many multiply-adds
 * and save no time).
 */
export function projectChannels(
  net: Network<AnyLayer>,
  stats: ChannelStats,
  allowed: ChannelBudget,
  roundTo = 1,
  time?: TimeGoal,
): ChannelProjection {
  const before = sizesOf(net);
  const costs = levelCosts(net);
  const w = [...costs.widths];
  const H = w.length;
  const removed = w.slice(0, H - 1).map(() => 0);
  if (over(before, allowed).length === 0 && !(time && time.save > 0)) return { network: net, before, after: before, removed, lost: 0 };
  const K = Math.max(1, Math.floor(roundTo));
  const work = toWorkingCopy(net);
  // a level's score: the sum over every reader of its coupled set (one reader in a chain)
  const scores = w.map((): Float64Array | null => null);
  work.inputs.forEach((x, m) => {
    const t = stats.taylor[m];
    if (!t) return;
    for (const p of x.parts) {
      const h = work.coupled[p.level];
      if (!costs.removable[h]) continue;
      const sum = (scores[h] ??= new Float64Array(w[h]));
      for (let c = 0; c < sum.length; c++) sum[c] += t[p.offset + c];
    }
  });
  // each removable level's channels, weakest first
  const order = w.map((width, h) => {
    const t = scores[h];
    if (!t) return [];
    return Array.from({ length: width }, (_, c) => c).sort((a, b) => t[a] - t[b]);
  });
  // with rounding, a width is below K (one channel at a time) or a multiple of K (K at a time)
  const down = (h: number) => removalStep(w[h], K);
  const up = (h: number) => {
    const step = w[h] < K ? 1 : K - (w[h] % K);
    return next[h] >= step ? step : 0;
  };
  // cum[h][j]: the summed scores of the weakest j channels; removing them together costs
  // cum[h][j] * (w / (w - j))^CROWDING_EXPONENT (w: the level's width before this projection)
  const cum = order.map((o, h) => {
    const t = scores[h];
    const c = new Float64Array(o.length + 1);
    if (t) o.forEach((ch, j) => (c[j + 1] = c[j] + t[ch]));
    return c;
  });
  const joint = (h: number, j: number) => {
    const width = order[h].length;
    return j === 0 ? 0 : j >= width ? Infinity : cum[h][j] * Math.pow(width / (width - j), CROWDING_EXPONENT);
  };
  /** What removing order[h][from .. from + n) adds to the level's joint loss change. */
  const scoreOf = (h: number, from: number, n: number) => joint(h, from + n) - joint(h, from);
  const times = (c: Sizes, n: number): Sizes => ({ params: c.params * n, macs: c.macs * n });
  // the time saved so far (shares of the network's time) and what n channels of level h save
  let saved = 0;
  const timeOf = (h: number, n: number) => (time ? n * (time.share[h] ?? 0) : 0);
  const timeOpen = () => time !== undefined && saved < time.save;
  // what n channels of level h weigh: their share of each budget still open (of every limited
  // budget when coming back), and of the time still to save
  const weightOf = (h: number, n: number, c: Sizes, measures: readonly SizeKey[], withTime: boolean) =>
    measures.reduce((s, k) => s + c[k] / (allowed[k] as number), 0) + (withTime ? timeOf(h, n) / (time as TimeGoal).save : 0);
  const limited = SIZE_KEYS.filter((k) => allowed[k] !== undefined);
  const next = w.map(() => 0);
  const size = { ...before };
  for (let open = over(size, allowed); open.length > 0 || timeOpen(); open = over(size, allowed)) {
    let best = -1;
    let bestP = Infinity;
    let bestCost: Sizes | null = null;
    let bestN = 0;
    for (let h = 0; h < H - 1; h++) {
      const n = order[h].length === 0 ? 0 : down(h);
      if (n === 0) continue;
      // a level's cost of one channel does not depend on its own width (level-costs.ts)
      const c = times(costs.cost(h, w), n);
      const weight = weightOf(h, n, c, open, timeOpen());
      if (!(weight > 0)) continue;
      const p = scoreOf(h, next[h], n) / weight;
      if (p < bestP) {
        bestP = p;
        best = h;
        bestCost = c;
        bestN = n;
      }
    }
    if (best < 0 || !bestCost) break; // every level at its floor: the smallest network (the caller checked it fits)
    for (const k of SIZE_KEYS) size[k] -= bestCost[k];
    saved += timeOf(best, bestN);
    next[best] += bestN;
    w[best] -= bestN;
    removed[best] += bestN;
  }
  // the last removal may overshoot (one channel of an early convolution costs many multiply-adds):
  // channels come back, the strongest per cost first, while the network still fits
  const fitsWith = (c: Sizes, h: number, n: number) =>
    SIZE_KEYS.every((k) => allowed[k] === undefined || size[k] + c[k] <= allowed[k]) &&
    (!time || saved - timeOf(h, n) >= Math.min(time.save, saved));
  for (;;) {
    let best = -1;
    let bestP = -Infinity;
    let bestCost: Sizes | null = null;
    let bestN = 0;
    for (let h = 0; h < H - 1; h++) {
      const n = next[h] === 0 ? 0 : up(h);
      if (n === 0) continue;
      const c = times(costs.cost(h, w), n);
      if (!fitsWith(c, h, n)) continue;
      const weight = weightOf(h, n, c, limited, time !== undefined);
      const p = scoreOf(h, next[h] - n, n) / Math.max(weight, 1e-300);
      if (p > bestP) {
        bestP = p;
        best = h;
        bestCost = c;
        bestN = n;
      }
    }
    if (best < 0 || !bestCost) break;
    for (const k of SIZE_KEYS) size[k] += bestCost[k];
    saved -= timeOf(best, bestN);
    next[best] -= bestN;
    w[best] += bestN;
    removed[best] -= bestN;
  }
  const shapes = layerShapes(work.layers, inputShapeOf(net));
  const alive = work.sizes.map((n) => new Uint8Array(n).fill(1));
  order.forEach((o, h) => o.slice(0, next[h]).forEach((c) => (alive[h][c] = 0)));
  work.mixing.forEach((k, h) => {
    // the removed channels of every part it reads, at their offsets
    const gone = work.inputs[h].parts.flatMap((p) => {
      const set = work.coupled[p.level];
      return order[set].slice(0, next[set]).map((c) => p.offset + c);
    });
    if (gone.length === 0) return;
    // the removed channels' mean maps through the reader, less its bias, averaged per output channel
    const layer = work.layers[k];
    const t = layerType(layer);
    const m = stats.mean[h];
    const P = m.length / work.inputs[h].channels;
    const x = new Float64Array(m.length);
    for (const c of gone) x.set(m.subarray(c * P, (c + 1) * P), c * P);
    const y1 = t.forward(layer, x, 1, false, shapes[k]);
    const y0 = t.forward(layer, new Float64Array(m.length), 1, false, shapes[k]);
    const O = t.outChannels(layer);
    const Q = y1.length / O;
    for (let o = 0; o < O; o++) {
      let d = 0;
      for (let q = o * Q; q < (o + 1) * Q; q++) d += y1[q] - y0[q];
      work.biases[h][o] += d / Q;
    }
  });
  const network = pruneNetwork(shrinkNetwork(net, work, alive).network).network;
  const lost = next.reduce((sum, j, h) => sum + joint(h, j), 0);
  return { network, before, after: sizesOf(network), removed, lost };
}

/**
 * Channels one removal step takes from a level `width` wide when widths are kept below K or at
 * multiples of K: none from a single channel, one below K, else down to the multiple of K below.
 */
export function removalStep(width: number, K: number): number {
  return width <= 1 ? 0 : width <= K ? 1 : width % K || K;
}

/**
 * For measuring what each level's channels cost in time: per removable level, `net` with one
 * removal step of that level gone (removalStep), its last channels cut. Only the shapes matter
 * (time does not depend on the weights), so the weights are not adjusted.
 */
export function speedProbes(net: Network<AnyLayer>, roundTo = 1): { level: number; channels: number; network: Network<AnyLayer> }[] {
  const costs = levelCosts(net);
  const K = Math.max(1, Math.floor(roundTo));
  const work = toWorkingCopy(net);
  const out: { level: number; channels: number; network: Network<AnyLayer> }[] = [];
  costs.widths.forEach((w, h) => {
    const n = removalStep(w, K);
    if (!costs.removable[h] || n === 0) return;
    const network = pruneNetwork(
      cutNetwork(
        net,
        work,
        costs.widths.map((v, l) => (l === h ? v - n : v)),
      ),
    ).network;
    out.push({ level: h, channels: n, network });
  });
  return out;
}
