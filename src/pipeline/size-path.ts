/**
 * A size path: one run that walks a list of budgets from the largest to the smallest, each stop
 * warm-started from the network the previous stop trained (so the stops are nested: each keeps a
 * subset of the previous one's inputs and units), with a fine-tuned copy at every stop. Like the
 * regularization path glmnet gives for linear models, for networks: accuracy at every size.
 */
import type { SplitDataset } from '../data/types';
import type { AnyLayer, Network } from '../network/types';
import type { TrainOptions } from '../train/train';
import type { TrainConfigInput } from '../train/config';
import { stackSize } from '../train/budget/size';
import { sizesOf } from '../train/budget/level-costs';
import { resolveBudgetConfig, startWidths, trainToBudget, type BudgetOptions, type BudgetResult, type BudgetStart } from './budget';
import { channelStart, channelWidths, isLayered } from './budget-space';

export interface PathStop extends BudgetResult {
  /** The budget as given: a ratio of the first network, or a parameter count. */
  ratio?: number;
  targetParamsGiven?: number;
  /** A budget in multiply-adds as given: a ratio of the first network, or a count. */
  macsRatio?: number;
  targetMacsGiven?: number;
}

export interface SizePathOptions extends Omit<
  BudgetOptions,
  'targetParams' | 'targetRatio' | 'targetMacs' | 'targetMacsRatio' | 'init' | 'ratioOf' | 'ratioStart' | 'start'
> {
  /** Ratios of the starting network's parameters, or parameter counts, or (networks of --arch) ratios
   * of its multiply-adds or multiply-add counts (one of the four); any order, walked largest first. */
  ratios?: number[];
  params?: number[];
  macsRatios?: number[];
  macs?: number[];
  /** Called after each stop (e.g. to save it). */
  onStop?: (stop: PathStop, index: number) => void | Promise<void>;
  /** The network the first stop starts from (train --init); absent = a fresh one. */
  start?: Network<AnyLayer>;
}

export async function sizePath(
  data: SplitDataset,
  asked: TrainConfigInput,
  opts: SizePathOptions,
  hooks: (index: number) => { train?: TrainOptions; finetune?: TrainOptions } = () => ({}),
): Promise<PathStop[]> {
  // the learning rate is resolved once, for the first stop (later ones start from its weights)
  const { config: cfg } = resolveBudgetConfig(data.train.rows, asked, opts.start !== undefined);
  const layered = isLayered(cfg, opts.start);
  // every stop records the path's first network as where it started, and its ratios refer to it
  const first = layered ? channelStart(data, cfg, opts.start) : null;
  const firstSizes = first ? sizesOf(first) : null;
  const widths = first ? channelWidths(first) : startWidths(data, cfg, opts.start as Network | undefined);
  const start: BudgetStart = firstSizes ? { widths, ...firstSizes } : { widths, params: stackSize(widths) };
  const given = opts.ratios ?? opts.params ?? opts.macsRatios ?? opts.macs ?? [];
  const list = given.slice().sort((a, b) => b - a);
  const stops: PathStop[] = [];
  let from: Network<AnyLayer> | undefined = opts.start;
  for (let i = 0; i < list.length; i++) {
    const v = list[i];
    const budget = opts.ratios
      ? { targetRatio: v, ...(firstSizes ? { ratioStart: firstSizes } : { ratioOf: widths }) }
      : opts.params
        ? { targetParams: v }
        : opts.macsRatios
          ? { targetMacsRatio: v, ...(firstSizes ? { ratioStart: firstSizes } : {}) }
          : { targetMacs: v };
    const r = await trainToBudget(data, cfg, { ...opts, ...budget, init: from, start }, hooks(i));
    const asked = opts.ratios
      ? { ratio: v }
      : opts.params
        ? { targetParamsGiven: v }
        : opts.macsRatios
          ? { macsRatio: v }
          : { targetMacsGiven: v };
    const stop: PathStop = { ...r, ...asked };
    stops.push(stop);
    await opts.onStop?.(stop, i);
    from = r.beforeFinetune;
  }
  return stops;
}
