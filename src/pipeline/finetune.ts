/**
 * Prune, then fine-tune: after sparse training, remove the dead units and inputs exactly and
 * retrain the (physically smaller) network for a few epochs without the sparsity penalty, which
 * recovers accuracy the shrinkage cost while the removed structure stays removed.
 */
import type { SplitDataset } from '../data/types';
import type { Network } from '../network/types';
import { pruneNetwork, type PruneReport } from '../prune';
import { trainNetwork, type TrainOptions, type TrainResult } from '../train/train';
import type { TrainConfig } from '../train/types';

export interface FinetuneResult extends TrainResult {
  report: PruneReport;
}

/** Configuration of the fine-tuning phase: same optimizer and lr, no sparsity penalty (l2 kept). */
export function finetuneConfig(cfg: TrainConfig, epochs: number): TrainConfig {
  const keepL2 = cfg.penalty === 'l2';
  return { ...cfg, epochs, penalty: keepL2 ? 'l2' : 'none', lambda: keepL2 ? cfg.lambda : 0, seed: cfg.seed + 1000 };
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
