/**
 * The paper's grids as data (Chen, Dai, Pan, Sheng 2020, "Benefit of Group Sparsity in Deep
 * Learning"), selectable with `gs-compress sweep --preset NAME`. Flags and grid files override a
 * preset key by key.
 *
 *  logreg   logistic regression (no hidden layer), l1 / l2, Adam, lr 1e-3/1e-4/1e-5, 10 epochs,
 *           batch 32; the lambda grid 1e-3/1e-4/1e-5 is our choice (the paper does not fix
 *           one): 2 x 3 x 3 = 18 configurations.
 *  baseline the dense baseline: adam/adamax/rmsprop/sgd x lr 5e-3/1e-3/3e-4/1e-4 x weight decay
 *           none/1e-2/1e-3/1e-4/1e-5, 20 epochs: 4 x 4 x 5 = 80. Weight decay is penalty l2 with
 *           lambda = the decay value; our l2 is lambda*sum w^2, whose gradient 2*lambda*w is
 *           twice PyTorch's weight_decay of the same number.
 *  group    group sparsity: the 4 optimizers x lr 5e-3/1e-3/1e-4 x gl/sgl x lambda
 *           1e-3/1e-4/1e-5, 20 epochs: 4 x 3 x 2 x 3 = 72.
 * Hidden layers default to the paper's 32,32 (baseline, group); batch size 32 throughout.
 */
import { GsError } from '../errors';
import { OPTIMIZERS } from '../train/fused/optimizers';
import type { GridInput } from './types';

export type PresetName = 'logreg' | 'baseline' | 'group';

export interface Preset {
  describe: string;
  grid: GridInput;
}

export const PRESETS: Record<PresetName, Preset> = {
  logreg: {
    describe: 'logistic regression: l1/l2 x lambda 1e-3,1e-4,1e-5, Adam, lr 1e-3,1e-4,1e-5, 10 epochs (18 runs)',
    grid: {
      hidden: [[]],
      optimizer: ['adam'],
      lr: [1e-3, 1e-4, 1e-5],
      penalty: ['l1', 'l2'],
      lambda: [1e-3, 1e-4, 1e-5],
      epochs: [10],
      batchSize: [32],
    },
  },
  baseline: {
    describe: 'dense baseline: 4 optimizers x lr 5e-3,1e-3,3e-4,1e-4 x weight decay (l2) none,1e-2..1e-5, 20 epochs (80 runs)',
    grid: {
      hidden: [[32, 32]],
      optimizer: [...OPTIMIZERS],
      lr: [5e-3, 1e-3, 3e-4, 1e-4],
      penalty: ['none', 'l2'],
      lambda: [1e-2, 1e-3, 1e-4, 1e-5],
      epochs: [20],
      batchSize: [32],
    },
  },
  group: {
    describe: 'group sparsity: 4 optimizers x lr 5e-3,1e-3,1e-4 x gl,sgl x lambda 1e-3,1e-4,1e-5, 20 epochs (72 runs)',
    grid: {
      hidden: [[32, 32]],
      optimizer: [...OPTIMIZERS],
      lr: [5e-3, 1e-3, 1e-4],
      penalty: ['gl', 'sgl'],
      lambda: [1e-3, 1e-4, 1e-5],
      epochs: [20],
      batchSize: [32],
    },
  },
};

export const PRESET_NAMES = Object.keys(PRESETS) as PresetName[];

export function presetGrid(name: string): GridInput {
  if (!(PRESET_NAMES as string[]).includes(name)) {
    throw new GsError('BAD_OPTION', `--preset ${name}: expected one of ${PRESET_NAMES.join(', ')}`);
  }
  return PRESETS[name as PresetName].grid;
}
