/**
 * The quick start: train the paper's network on MNIST with group sparsity, save the run, prune
 * it exactly, export model.onnx and verify it with onnxruntime — the whole product in one call,
 * sized to finish in a few minutes on two cores.
 */
import * as path from 'path';
import { loadDataset, type DataSpec } from '../data';
import { saveRun } from '../network/run-io';
import { resolveTrainConfig } from '../train/config';
import { trainNetwork, type TrainOptions, type TrainResult } from '../train/train';
import type { TrainConfig } from '../train/types';
import { VERSION } from '../version';
import { compressRun, type CompressResult } from './compress';

/** The setting quickstart trains with (chosen by measurement; see README). */
export const QUICKSTART_CONFIG: Partial<TrainConfig> = {
  hidden: [32, 32],
  optimizer: 'adam',
  lr: 5e-3,
  epochs: 5,
  batchSize: 32,
  penalty: 'gl',
  lambda: 1e-4,
  solver: 'prox',
  engine: 'fused',
};

export interface QuickstartOptions {
  outDir: string;
  data?: DataSpec;
  config?: Partial<TrainConfig>;
}

export interface QuickstartResult {
  train: TrainResult;
  compress: CompressResult;
  config: TrainConfig;
  runDir: string;
  onnxPath: string;
}

export async function runQuickstart(opts: QuickstartOptions, hooks: TrainOptions = {}): Promise<QuickstartResult> {
  const spec: DataSpec = opts.data ?? { data: 'mnist' };
  const config = resolveTrainConfig({ ...QUICKSTART_CONFIG, ...opts.config });
  const data = await loadDataset(spec);
  const train = await trainNetwork(data, config, hooks);
  const runDir = path.resolve(opts.outDir, 'run');
  saveRun(runDir, train.network, {
    generatedBy: `gs-compress ${VERSION}`,
    createdAt: new Date().toISOString(),
    data: data.ref,
    config: { ...config, standardize: train.network.scaling !== null, dataSpec: spec },
    engine: train.engine,
    history: train.history as unknown as Record<string, unknown>[],
  });
  const onnxPath = path.resolve(opts.outDir, 'model.onnx');
  const compress = await compressRun(runDir, { exportPath: onnxPath });
  return { train, compress, config, runDir, onnxPath };
}
