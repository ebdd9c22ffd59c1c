/**
 * The quick start: train the paper's network on MNIST with group sparsity, save the run, prune
 * it exactly, export model.onnx and verify it with onnxruntime — the whole product in one call,
 * sized to finish in a few minutes on two cores.
 */
import * as path from 'path';
import { loadDataset, type DataSpec } from '../data';
import { portableRef, portableSpec } from '../data/portable';
import { saveRun } from '../network/run-io';
import { resolveTrainConfig } from '../train/config';
import type { TrainOptions, TrainResult } from '../train/train';
import type { TrainConfig } from '../train/types';
import { VERSION } from '../version';
import { pruneNetwork, type PruneReport } from '../prune';
import { compressRun, type CompressResult } from './compress';
import { trainThenFinetune } from './finetune';

/** The setting quickstart trains with (chosen by measurement; see README). */
export const QUICKSTART_CONFIG: Partial<TrainConfig> = {
  hidden: [32, 32],
  optimizer: 'adam',
  lr: 1e-3,
  epochs: 6,
  batchSize: 32,
  penalty: 'gl',
  lambda: 1e-3,
  solver: 'prox',
  engine: 'fused',
};

/** Epochs of fine-tuning the pruned network without the penalty. */
export const QUICKSTART_FINETUNE_EPOCHS = 2;

export interface QuickstartOptions {
  outDir: string;
  data?: DataSpec;
  config?: Partial<TrainConfig>;
  finetuneEpochs?: number;
}

export interface QuickstartResult {
  train: TrainResult;
  /** Pruning of the trained (dense) network: the before/after a user wants to see. */
  pruning: PruneReport;
  compress: CompressResult;
  config: TrainConfig;
  runDir: string;
  onnxPath: string;
}

export async function runQuickstart(opts: QuickstartOptions, hooks: TrainOptions = {}): Promise<QuickstartResult> {
  const spec: DataSpec = opts.data ?? { data: 'mnist' };
  const config = resolveTrainConfig({ ...QUICKSTART_CONFIG, ...opts.config });
  const data = await loadDataset(spec);
  const ftEpochs = opts.finetuneEpochs ?? QUICKSTART_FINETUNE_EPOCHS;
  const { result: train, pruning: ftPruning } = await trainThenFinetune(data, config, ftEpochs, { train: hooks, finetune: hooks });
  const pruning = ftPruning ?? pruneNetwork(train.network).report;
  const runDir = path.resolve(opts.outDir, 'run');
  saveRun(runDir, train.network, {
    generatedBy: `gs-compress ${VERSION}`,
    createdAt: new Date().toISOString(),
    data: portableRef(data.ref, runDir),
    config: {
      ...config,
      finetuneEpochs: ftEpochs,
      standardize: train.network.scaling !== null,
      dataSpec: portableSpec(spec, runDir, { keepDataDir: true }),
    },
    engine: train.engine,
    history: train.history as unknown as Record<string, unknown>[],
  });
  const onnxPath = path.resolve(opts.outDir, 'model.onnx');
  const compress = await compressRun(runDir, { exportPath: onnxPath });
  return { train, pruning, compress, config, runDir, onnxPath };
}
