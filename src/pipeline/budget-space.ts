/**
 * What a budget run measures and how it shrinks a network, for the budget trainer (budget.ts):
 *  - a dense stack (--hidden) by units, in parameters (train/budget/project.ts: the measured MLP
 *    method, unit statistics on the fused engine);
 *  - a network of any layer types (--arch) by coupled channel sets, in parameters and/or
 *    multiply-adds (train/budget/channel-project.ts, statistics on the layers engine).
 * Both answer the same questions: the starting sizes, the budget per measure, the compact sizes
 * and level widths of a network, and its projection onto an allowed size.
 */
import type { SplitDataset, Table } from '../data/types';
import { GsError } from '../errors';
import { parseActivation } from '../network/activations';
import { initArchNetwork } from '../network/create-arch';
import type { AnyLayer, DenseLayer, Network } from '../network/types';
import { pruneNetwork } from '../prune';
import { toWorkingCopy } from '../prune/working-copy';
import type { FusedKernels } from '../train/fused/engine';
import { channelStats, type ChannelStats } from '../train/budget/channel-stats';
import { projectChannels, removableLevels, speedProbes, type ChannelBudget, type TimeGoal } from '../train/budget/channel-project';
import { engineStats } from '../train/budget/engine-stats';
import { minimalSizes, sizesOf, SIZE_KEYS, type Sizes } from '../train/budget/level-costs';
import { projectToBudget, widthsOf, type Allocation, type UnitScore } from '../train/budget/project';
import { resolveBudget, stackSize } from '../train/budget/size';
import type { TrainConfig } from '../train/types';

/** A budget as asked: parameters and/or multiply-adds, each as a count or a fraction of the start. */
export interface BudgetTargets {
  targetParams?: number;
  targetRatio?: number;
  /** Multiply-adds per example (networks of --arch only). */
  targetMacs?: number;
  targetMacsRatio?: number;
  /** The sizes ratios refer to (default: the starting network's); a size path passes its first network's. */
  ratioStart?: Sizes;
  /** Networks of --arch: keep every channel width below this or a multiple of it (default DEFAULT_ROUND_CHANNELS). */
  roundChannels?: number;
  /** Networks of --arch: shrink until the network runs this many times faster than the starting one,
   * measured in onnxruntime (pipeline/budget.ts); alone or with the other budgets (all hold). */
  targetSpeedup?: number;
}

/** The default of roundChannels (1: any width; see reports/cnn/CHANNEL-WIDTHS.md). */
export const DEFAULT_ROUND_CHANNELS = 1;

export interface SpaceProjection {
  network: Network<AnyLayer>;
  before: Sizes;
  after: Sizes;
  removed: number[];
  /** Networks of --arch: what the removals cost by the channels' scores (ChannelProjection.lost). */
  lost?: number;
}

export interface BudgetSpace {
  /** Level widths of the starting network (inputs, hidden, outputs). */
  startWidths: number[];
  start: Sizes;
  /** The final budget per measure (absent: that measure is not limited). */
  target: ChannelBudget;
  /** The smallest network of the starting shape (one channel or unit per layer). */
  minimal: Sizes;
  /** Compact (exactly pruned) sizes of a network. */
  sizes(net: Network<AnyLayer>): Sizes;
  /** Level widths of a compact network. */
  widths(net: Network<AnyLayer>): number[];
  /** The network (exactly pruned) projected onto `allowed`, scored on `train`; `time` (networks of
   * --arch): save at least that share of measured time as well (projectChannels). */
  project(
    net: Network<AnyLayer>,
    allowed: ChannelBudget,
    train: Table,
    seed: number,
    kernels: FusedKernels,
    time?: TimeGoal,
  ): SpaceProjection;
  /** Networks of --arch: `net` less one removal step per removable level, for timing (speedProbes). */
  probes?(net: Network<AnyLayer>): { level: number; channels: number; network: Network<AnyLayer> }[];
}

const positiveInteger = (flag: string, v: number) => {
  if (!Number.isInteger(v) || v < 1) throw new GsError('BAD_OPTION', `${flag} ${v}: expected a positive integer`);
  return v;
};
const fraction = (flag: string, v: number) => {
  if (!(v > 0 && v <= 1)) throw new GsError('BAD_OPTION', `${flag} ${v}: expected a number in (0, 1]`);
  return v;
};

/**
 * Refuses budget values that cannot mean anything, whatever the network: a ratio outside (0, 1], a
 * count that is not a positive whole number, a speedup of 1 or less, a channel rounding below 1.
 * The spaces check through it; a caller that imports or loads first (compress) calls it before.
 */
export function checkTargetValues(t: BudgetTargets): void {
  if (t.targetParams !== undefined) positiveInteger('--target-params', t.targetParams);
  if (t.targetRatio !== undefined) fraction('--target-ratio', t.targetRatio);
  if (t.targetMacs !== undefined) positiveInteger('--target-macs', t.targetMacs);
  if (t.targetMacsRatio !== undefined) fraction('--target-macs-ratio', t.targetMacsRatio);
  if (t.targetSpeedup !== undefined && !(t.targetSpeedup > 1))
    throw new GsError('BAD_OPTION', `--target-speedup ${t.targetSpeedup}: expected a number above 1 (e.g. 2: twice as fast)`);
  const round = t.roundChannels ?? DEFAULT_ROUND_CHANNELS;
  if (!Number.isInteger(round) || round < 1) throw new GsError('BAD_OPTION', `--round-channels ${round}: expected a positive integer`);
}

/** True when the budget limits multiply-adds. */
export function limitsMacs(t: BudgetTargets): boolean {
  return t.targetMacs !== undefined || t.targetMacsRatio !== undefined;
}

/** A dense stack's space: units, parameters only (the MLP budget method). */
export function denseSpace(
  data: SplitDataset,
  cfg: TrainConfig,
  t: BudgetTargets & { ratioOf?: number[]; score: UnitScore; allocation: Allocation },
  init?: Network,
): BudgetSpace {
  if (t.roundChannels !== undefined && t.roundChannels !== 1)
    throw new GsError('BAD_OPTION', '--round-channels applies to --arch networks (their convolutions); an MLP budget removes single units');
  if (limitsMacs(t))
    throw new GsError(
      'BAD_OPTION',
      '--target-macs and --target-macs-ratio apply to --arch networks; an MLP budget is in parameters (--target-params, --target-ratio)',
    );
  if (t.targetSpeedup !== undefined)
    throw new GsError(
      'BAD_OPTION',
      '--target-speedup applies to --arch networks (whose time in onnxruntime does not follow their multiply-adds); an MLP budget is in parameters (--target-params, --target-ratio)',
    );
  const startWidths = init ? widthsOf(pruneNetwork(init).network) : [data.train.cols, ...cfg.hidden, data.classLabels.length];
  const params =
    t.ratioOf && t.targetParams === undefined && t.targetRatio !== undefined
      ? Math.min(stackSize(startWidths), resolveBudget(t.ratioOf, { ratio: t.targetRatio }))
      : resolveBudget(startWidths, { params: t.targetParams, ratio: t.targetRatio });
  const dense = (net: Network<AnyLayer>) => net as unknown as Network<DenseLayer>;
  const full = stackSize(startWidths);
  return {
    startWidths,
    // an MLP's multiply-adds are its weights
    start: { params: full, macs: full - startWidths.slice(1).reduce((a, b) => a + b, 0) },
    target: { params },
    minimal: ((w: number[]) => ({ params: stackSize(w), macs: stackSize(w) - w.slice(1).reduce((a, b) => a + b, 0) }))(
      startWidths.map((n, i) => (i === startWidths.length - 1 ? n : 1)),
    ),
    sizes: (net) => {
      const w = widthsOf(pruneNetwork(dense(net)).network);
      return { params: stackSize(w), macs: stackSize(w) - w.slice(1).reduce((a, b) => a + b, 0) };
    },
    widths: (net) => widthsOf(dense(net)),
    project(net, allowed, train, seed, kernels) {
      const cur = pruneNetwork(dense(net)).network;
      const limit = allowed.params as number;
      // measured on the engine's kernels; not needed when the network fits already
      const fits = stackSize(widthsOf(cur)) <= limit;
      const stats = fits ? { mean: [], std: [] } : engineStats(cur, train, 4000, seed, kernels);
      const p = projectToBudget(cur, stats, limit, t.score, t.allocation);
      const macs = (w: number[]) => stackSize(w) - w.slice(1).reduce((a, b) => a + b, 0);
      const before = widthsOf(cur);
      return {
        network: p.network,
        before: { params: p.before, macs: macs(before) },
        after: { params: p.after, macs: macs(widthsOf(p.network)) },
        removed: p.removed,
      };
    },
  };
}

/** Channel widths of a network's levels (inputs, each mixing layer's outputs). */
export function channelWidths(net: Network<AnyLayer>): number[] {
  return [...toWorkingCopy(net).sizes];
}

/** The starting network of a budget run on a network of any layer types: `init` exactly pruned, or a fresh --arch network. */
export function channelStart(data: SplitDataset, cfg: TrainConfig, init?: Network<AnyLayer>): Network<AnyLayer> {
  return init
    ? pruneNetwork(init).network
    : initArchNetwork(cfg.arch as string, data.inputShape ?? [data.train.cols], data.classLabels.length, cfg.seed, {
        activation: parseActivation(cfg.activation, '--activation'),
      });
}

/** Whether a budget run trains a network of any layer types (--arch, or a non-dense starting network). */
export function isLayered(cfg: TrainConfig, init?: Network<AnyLayer>): boolean {
  return cfg.arch !== undefined || (init !== undefined && init.layers.some((l) => l.op !== 'dense'));
}

/** A network of any layer types: channels, parameters and/or multiply-adds. */
export function channelSpace(data: SplitDataset, cfg: TrainConfig, t: BudgetTargets, init?: Network<AnyLayer>): BudgetSpace {
  if (t.targetParams === undefined && t.targetRatio === undefined && !limitsMacs(t) && t.targetSpeedup === undefined)
    throw new GsError(
      'BAD_OPTION',
      'a budget needs --target-params, --target-ratio, --target-macs, --target-macs-ratio or --target-speedup',
    );
  checkTargetValues(t);
  const round = t.roundChannels ?? DEFAULT_ROUND_CHANNELS;
  const startNet = channelStart(data, cfg, init);
  const start = sizesOf(startNet);
  const base = t.ratioStart ?? start;
  const target: ChannelBudget = {};
  // the values were checked above (checkTargetValues)
  if (t.targetParams !== undefined) target.params = t.targetParams;
  else if (t.targetRatio !== undefined) target.params = Math.floor(t.targetRatio * base.params);
  if (t.targetMacs !== undefined) target.macs = t.targetMacs;
  else if (t.targetMacsRatio !== undefined) target.macs = Math.floor(t.targetMacsRatio * base.macs);
  const min = minimalSizes(startNet);
  // the last network's statistics: a speed search projects the same network onto several sizes
  let last: { net: Network<AnyLayer>; train: Table; seed: number; kernels: FusedKernels; stats: ChannelStats } | null = null;
  const statsOf = (net: Network<AnyLayer>, cur: Network<AnyLayer>, train: Table, seed: number, kernels: FusedKernels) => {
    if (last?.net !== net || last.train !== train || last.seed !== seed || last.kernels !== kernels)
      last = { net, train, seed, kernels, stats: channelStats(cur, train, removableLevels(cur), 2000, seed, kernels) };
    return last.stats;
  };
  for (const k of SIZE_KEYS) {
    const v = target[k];
    if (v === undefined) continue;
    const what = k === 'params' ? 'parameters' : 'multiply-adds';
    if (v < min[k])
      throw new GsError(
        'BAD_OPTION',
        `a budget of ${v} ${what} is below the smallest network of this shape (one channel per layer: ${min[k]} ${what})`,
      );
    target[k] = Math.min(v, start[k]);
  }
  return {
    startWidths: channelWidths(startNet),
    start,
    target,
    minimal: min,
    sizes: (net) => sizesOf(pruneNetwork(net).network),
    widths: channelWidths,
    probes: (net) => speedProbes(pruneNetwork(net).network, round),
    project(net, allowed, train, seed, kernels, time) {
      const cur = pruneNetwork(net).network;
      const s = sizesOf(cur);
      const fits = SIZE_KEYS.every((k) => allowed[k] === undefined || s[k] <= allowed[k]) && !(time && time.save > 0);
      if (fits)
        return {
          network: cur,
          before: s,
          after: s,
          removed: channelWidths(cur)
            .slice(0, -1)
            .map(() => 0),
          lost: 0,
        };
      return projectChannels(cur, statsOf(net, cur, train, seed, kernels), allowed, round, time);
    },
  };
}
