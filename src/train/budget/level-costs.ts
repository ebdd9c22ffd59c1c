/**
 * What one channel of a level costs, in parameters and in multiply-adds, for a network of any layer
 * types (mixing layers with channelwise layers between them, residual blocks' coupled sets counted
 * as one level at their first level: prune/working-copy.ts). Every count is bilinear in the widths
 * of the levels a mixing layer connects (a convolution's weights are cin x cout x kernel, its MACs
 * that times its output positions; batch norm and biases are linear), so removing one channel of
 * level h costs a_h + sum over its neighbours j of l_hj * w[j] (in a chain the neighbours are
 * h - 1 and h + 1). The coefficients are read off the layer table's own counts of a few tiny
 * networks (one or two channels per level, cut by the table's `keep`), so every layer type counts
 * as the table says, with no formula here. (A block whose branch is one layer couples that layer's
 * input and output: its cost is then quadratic, and read at widths 1 and 2.)
 */
import { inputShapeOf } from '../../network/forward';
import { layerMacs, layerParams } from '../../network/layers/table';
import type { AnyLayer, Network } from '../../network/types';
import { shrinkNetwork } from '../../prune/shrink';
import { toWorkingCopy, type WorkingCopy } from '../../prune/working-copy';

/** The budget's measures: parameters (and stored statistics) and multiply-adds per example. */
export interface Sizes {
  params: number;
  macs: number;
}

export const SIZE_KEYS = ['params', 'macs'] as const;
export type SizeKey = (typeof SIZE_KEYS)[number];

/** Parameters and multiply-adds of a network, counted by the layer table. */
export function sizesOf(net: Network<AnyLayer>): Sizes {
  return { params: layerParams(net.layers), macs: layerMacs(net.layers, inputShapeOf(net)) };
}

/** Per level: the cost of one of its channels, as a function of the current widths. */
export interface LevelCosts {
  /** Channels per level (inputs, each mixing layer's outputs). */
  widths: number[];
  /** Levels whose channels a budget may remove: hidden levels (the first of each coupled set), and a flat input's columns. */
  removable: boolean[];
  /** Cost of one channel of level h at widths w, per measure. */
  cost(h: number, w: readonly number[]): Sizes;
}

/**
 * The network keeping the first widths[h] channels of each level (work: its working copy; a coupled
 * set keeps its first level's). The weights are cut, not adjusted: for counting and timing shapes.
 */
export function cutNetwork(net: Network<AnyLayer>, work: WorkingCopy, widths: readonly number[]): Network<AnyLayer> {
  const alive = work.sizes.map((n, h) => {
    const a = new Uint8Array(n);
    a.fill(1, 0, widths[work.coupled[h]]);
    return a;
  });
  return shrinkNetwork(net, work, alive).network;
}

const cut = (net: Network<AnyLayer>, work: WorkingCopy, widths: readonly number[]): Sizes => sizesOf(cutNetwork(net, work, widths));

/** Levels a budget may remove channels of (see LevelCosts.removable). */
function removableOf(work: WorkingCopy): boolean[] {
  const H = work.sizes.length;
  return work.sizes.map((_, h) => h < H - 1 && (h > 0 || work.inputSpread === 1) && work.coupled[h] === h);
}

/**
 * The costs of `net`'s channels. An image input's channels stay (pruning a colour plane is not
 * what a user asks of a budget); a flat input's columns may go, as an MLP's inputs do.
 */
export function levelCosts(net: Network<AnyLayer>): LevelCosts {
  const work = toWorkingCopy(net);
  const widths = [...work.sizes];
  const removable = removableOf(work);
  // a level probed at 1 or 2 channels varies; the others keep all their channels in the probes
  const varies = widths.map((w, h) => removable[h] && w >= 2);
  const base = widths.map((w, h) => (varies[h] ? 1 : w));
  // each level's neighbours: the (first levels of the) sets a mixing layer connects it to
  const near = widths.map(() => new Set<number>());
  work.inputs.forEach((x, m) => {
    for (const p of x.parts) {
      const [a, b] = [work.coupled[p.level], work.coupled[m + 1]];
      if (a === b) continue;
      near[a].add(b);
      near[b].add(a);
    }
  });
  const at = (set: Record<number, number>): Sizes => {
    const w = [...base];
    for (const [h, v] of Object.entries(set)) w[Number(h)] = v;
    return cut(net, work, w);
  };
  const diff = (a: Sizes, b: Sizes): Sizes => ({ params: a.params - b.params, macs: a.macs - b.macs });
  const coef = widths.map((_, h) => {
    if (!varies[h]) return null;
    const nb = [...near[h]].filter((j) => varies[j]).sort((x, y) => x - y);
    const ones: Record<number, number> = Object.fromEntries(nb.map((j) => [j, 1]));
    const g = (over: Record<number, number>): Sizes => diff(at({ ...over, [h]: 2 }), at({ ...over, [h]: 1 }));
    const g1 = g(ones);
    const l = nb.map((j) => diff(g({ ...ones, [j]: 2 }), g1));
    const a = l.reduce((acc, v) => diff(acc, v), g1);
    return { a, nb, l };
  });
  return {
    widths,
    removable,
    cost(h, w) {
      const c = coef[h];
      if (!c) throw new Error(`internal: level ${h} has no removable channels`);
      let params = c.a.params;
      let macs = c.a.macs;
      c.nb.forEach((j, k) => {
        params += c.l[k].params * w[j];
        macs += c.l[k].macs * w[j];
      });
      return { params, macs };
    },
  };
}

/** The smallest network a budget can reach from `net`: one channel left in every removable level (weights cut, for shapes). */
export function minimalNetwork(net: Network<AnyLayer>): Network<AnyLayer> {
  const work = toWorkingCopy(net);
  const removable = removableOf(work);
  return cutNetwork(
    net,
    work,
    work.sizes.map((w, h) => (removable[h] ? 1 : w)),
  );
}

/** Sizes of the smallest network a budget can reach from `net` (minimalNetwork). */
export function minimalSizes(net: Network<AnyLayer>): Sizes {
  return sizesOf(minimalNetwork(net));
}
