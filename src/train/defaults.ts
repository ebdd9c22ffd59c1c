/** Default training configuration: the paper's network (2 hidden layers of 32), batch 32, 20 epochs, a tenth of the training split held out for validation. */
import { DEFAULT_VAL_FRACTION } from '../data/split';
import type { ThreadsOption } from './layers-engine/parallel/threads';
import type { TrainConfig } from './types';

/** Threads of the layers engine when TrainConfig.threads is absent: 2 where it pays (layers-engine/parallel/threads.ts). */
export const DEFAULT_THREADS: ThreadsOption = 'auto';

export const DEFAULT_CONFIG: TrainConfig = {
  hidden: [32, 32],
  optimizer: 'adam',
  lr: 1e-3,
  epochs: 20,
  batchSize: 32,
  seed: 0,
  penalty: 'none',
  lambda: 0,
  solver: 'prox',
  valFraction: DEFAULT_VAL_FRACTION,
  engine: 'fused',
  backend: 'auto',
};
