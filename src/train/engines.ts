/**
 * Creating a training engine from the configuration: the fused engine (the whole step in plain
 * TypeScript), or the tfjs engine (gradients by TensorFlow.js on the chosen backend; the same
 * optimizer and proximal update as the fused engine).
 */
import type { DenseLayer } from '../network/types';
import { GsError } from '../errors';
import { chooseBackend } from './backend';
import { createFusedEngine } from './fused';
import { TfjsGradientPass } from './tfjs/gradient-pass';
import { layoutOf } from './fused/layout';
import type { TrainConfig, TrainingData, TrainingEngine } from './types';

export async function createEngine(init: DenseLayer[], data: TrainingData, cfg: TrainConfig): Promise<TrainingEngine> {
  if (cfg.engine === 'fused') return createFusedEngine(init, data, cfg);
  if (cfg.engine === 'fused-js') return createFusedEngine(init, data, cfg, { kernels: 'js' });
  if (data.soft) {
    throw new GsError('BAD_OPTION', 'distillation (--distill) runs on the fused engines only: use --engine fused or fused-js, not tfjs');
  }
  const { backend } = await chooseBackend(cfg.backend);
  const pass = new TfjsGradientPass(layoutOf(init), data);
  return createFusedEngine(init, data, cfg, { pass, name: `tfjs-${backend}`, onDispose: () => pass.dispose() });
}
