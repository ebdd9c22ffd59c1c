/**
 * Prune, then fine-tune: after sparse training, remove the dead units and inputs exactly and
 * retrain the (physically smaller) network for a few epochs without the sparsity penalty, which
 * recovers accuracy the shrinkage cost while the removed structure stays removed.
 */
import type { SplitDataset } from '../data/types';
import type { Network } from '../network/types';
import { PENALTIES } from '../penalty/table';
import { pruneNetwork, type PruneReport } from '../prune';
import { trainNetwork, type TrainOptions, type TrainResult } from '../train/train';
import type { TrainConfig } from '../train/types';

export interface FinetuneResult extends TrainResult {
  report: PruneReport;
}

/** Configuration of the fine-tuning phase: same optimizer and lr, no sparsity penalty (a penalty
 * the table marks keptInFinetune, i.e. l2, is kept with its lambda). */
export function finetuneConfig(cfg: TrainConfig, epochs: number): TrainConfig {
  const keep = PENALTIES[cfg.penalty].keptInFinetune;
  return { ...cfg, epochs, penalty: keep ? cfg.penalty : 'none', lambda: keep ? cfg.lambda : 0, seed: cfg.seed + 1000 };
}

export async function pruneAndFinetune(
  data: SplitDataset,
  trained: Network,
  cfg: TrainConfig,
  epochs: number,
  hooks: TrainOptions = {},
): Promise<FinetuneResult> {
  const { network: pruned, report } = pruneNetwork(trained);
  const r = await trainNetwork(data, finetuneConfig(cfg, epochs), { ...hooks, init: pruned, phase: 'finetune' });
  return { ...r, report };
}

export interface TrainThenFinetuneResult {
  /** The final network (compact when fine-tuned) with the training and fine-tuning histories joined. */
  result: TrainResult;
  /** Pruning of the trained network before fine-tuning; null when there was no fine-tuning. */
  pruning: PruneReport | null;
  /** Test accuracy at the end of training, before fine-tuning. */
  trainedAccuracy: number | undefined;
}

/** Trains, then, when `finetuneEpochs` > 0 and training did not diverge, prunes and fine-tunes. */
export async function trainThenFinetune(
  data: SplitDataset,
  cfg: TrainConfig,
  finetuneEpochs: number,
  hooks: { train?: TrainOptions; finetune?: TrainOptions } = {},
): Promise<TrainThenFinetuneResult> {
  const result = await trainNetwork(data, cfg, hooks.train);
  const last = result.history[result.history.length - 1];
  if (finetuneEpochs <= 0 || !Number.isFinite(last?.dataLoss)) return { result, pruning: null, trainedAccuracy: last?.testAccuracy };
  const ft = await pruneAndFinetune(data, result.network, cfg, finetuneEpochs, hooks.finetune);
  return {
    result: {
      ...result,
      network: ft.network,
      history: [...result.history, ...ft.history],
      trainSeconds: result.trainSeconds + ft.trainSeconds,
    },
    pruning: ft.report,
    trainedAccuracy: last.testAccuracy,
  };
}
