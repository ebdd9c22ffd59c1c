/**
 * What one channel of a level costs, in parameters and in multiply-adds, for a network of any layer
 * types (a chain of mixing layers with channelwise layers between them, prune/working-copy.ts). In
 * a chain every count is bilinear in the widths of adjacent levels (a convolution's weights are
 * cin x cout x kernel, its MACs that times its output positions; batch norm and biases are linear),
 * so removing one channel of level h costs a_h + l_h * w[h-1] + r_h * w[h+1]. The coefficients are
 * read off the layer table's own counts of a few tiny networks (one or two channels per level, cut
 * by the table's `keep`), so every layer type counts as the table says, with no formula here.
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
  /** Levels whose channels a budget may remove: hidden levels, and a flat input's columns. */
  removable: boolean[];
  /** Cost of one channel of level h at widths w, per measure. */
  cost(h: number, w: readonly number[]): Sizes;
}

/** The network keeping the first width[h] channels of each level (work: its working copy). */
function cut(net: Network<AnyLayer>, work: WorkingCopy, widths: readonly number[]): Sizes {
  const alive = work.sizes.map((n, h) => {
    const a = new Uint8Array(n);
    a.fill(1, 0, widths[h]);
    return a;
  });
  return sizesOf(shrinkNetwork(net, work, alive).network);
}

/**
 * The costs of `net`'s channels. An image input's channels stay (pruning a colour plane is not
 * what a user asks of a budget); a flat input's columns may go, as an MLP's inputs do.
 */
export function levelCosts(net: Network<AnyLayer>): LevelCosts {
  const work = toWorkingCopy(net);
  const widths = [...work.sizes];
  const H = widths.length;
  const removable = widths.map((_, h) => h < H - 1 && (h > 0 || work.inputSpread === 1));
  // a level probed at 1 or 2 channels varies; the others keep all their channels in the probes
  const varies = widths.map((w, h) => removable[h] && w >= 2);
  const base = widths.map((w, h) => (varies[h] ? 1 : w));
  const at = (set: Record<number, number>): Sizes => {
    const w = [...base];
    for (const [h, v] of Object.entries(set)) w[Number(h)] = v;
    return cut(net, work, w);
  };
  const diff = (a: Sizes, b: Sizes): Sizes => ({ params: a.params - b.params, macs: a.macs - b.macs });
  const coef = widths.map((_, h) => {
    if (!varies[h]) return null;
    const g = (left: number, right: number): Sizes => {
      const s: Record<number, number> = {};
      if (h > 0 && varies[h - 1]) s[h - 1] = left;
      if (h + 1 < H && varies[h + 1]) s[h + 1] = right;
      return diff(at({ ...s, [h]: 2 }), at({ ...s, [h]: 1 }));
    };
    const g11 = g(1, 1);
    const l = h > 0 && varies[h - 1] ? diff(g(2, 1), g11) : { params: 0, macs: 0 };
    const r = h + 1 < H && varies[h + 1] ? diff(g(1, 2), g11) : { params: 0, macs: 0 };
    return { a: diff(diff(g11, l), r), l, r };
  });
  return {
    widths,
    removable,
    cost(h, w) {
      const c = coef[h];
      if (!c) throw new Error(`internal: level ${h} has no removable channels`);
      const wl = h > 0 && varies[h - 1] ? w[h - 1] : 0;
      const wr = h + 1 < H && varies[h + 1] ? w[h + 1] : 0;
      return { params: c.a.params + c.l.params * wl + c.r.params * wr, macs: c.a.macs + c.l.macs * wl + c.r.macs * wr };
    },
  };
}

/** Sizes of the smallest network a budget can reach from `net`: one channel left in every removable level. */
export function minimalSizes(net: Network<AnyLayer>): Sizes {
  const work = toWorkingCopy(net);
  const H = work.sizes.length;
  return cut(
    net,
    work,
    work.sizes.map((w, h) => (h < H - 1 && (h > 0 || work.inputSpread === 1) ? 1 : w)),
  );
}
