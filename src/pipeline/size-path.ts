/**
 * A size path: one run that walks a list of budgets from the largest to the smallest, each stop
 * warm-started from the network the previous stop trained (so the stops are nested: each keeps a
 * subset of the previous one's inputs and units), with a fine-tuned copy at every stop. Like the
 * regularization path glmnet gives for linear models, for networks: accuracy at every size.
 */
import type { SplitDataset } from '../data/types';
import type { Network } from '../network/types';
import type { TrainOptions } from '../train/train';
import type { TrainConfigInput } from '../train/config';
import { stackSize } from '../train/budget/size';
import { resolveBudgetConfig, startWidths, trainToBudget, type BudgetOptions, type BudgetResult } from './budget';

export interface PathStop extends BudgetResult {
  /** The budget as given: a ratio of the first network, or a parameter count. */
  ratio?: number;
  targetParamsGiven?: number;
}

export interface SizePathOptions extends Omit<BudgetOptions, 'targetParams' | 'targetRatio' | 'init' | 'ratioOf' | 'start'> {
  /** Ratios of the starting network, or parameter counts (one of the two); any order, walked largest first. */
  ratios?: number[];
  params?: number[];
  /** Called after each stop (e.g. to save it). */
  onStop?: (stop: PathStop, index: number) => void | Promise<void>;
  /** The network the first stop starts from (train --init); absent = a fresh one. */
  start?: Network;
}

export async function sizePath(
  data: SplitDataset,
  asked: TrainConfigInput,
  opts: SizePathOptions,
  hooks: (index: number) => { train?: TrainOptions; finetune?: TrainOptions } = () => ({}),
): Promise<PathStop[]> {
  // the learning rate is resolved once, for the first stop (later ones start from its weights)
  const { config: cfg } = resolveBudgetConfig(data.train.rows, asked, opts.start !== undefined);
  const widths = startWidths(data, cfg, opts.start);
  const list = (opts.ratios ?? opts.params ?? []).slice().sort((a, b) => b - a);
  const stops: PathStop[] = [];
  let from: Network | undefined = opts.start;
  for (let i = 0; i < list.length; i++) {
    const budget = opts.ratios ? { targetRatio: list[i], ratioOf: widths } : { targetParams: list[i] };
    // every stop records the path's first network as where it started
    const r = await trainToBudget(data, cfg, { ...opts, ...budget, init: from, start: { widths, params: stackSize(widths) } }, hooks(i));
    const stop: PathStop = { ...r, ...(opts.ratios ? { ratio: list[i] } : { targetParamsGiven: list[i] }) };
    stops.push(stop);
    await opts.onStop?.(stop, i);
    from = r.beforeFinetune;
  }
  return stops;
}
