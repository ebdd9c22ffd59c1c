/**
 * Creating a training engine from the configuration: the fused engine (the whole step on the
 * WebAssembly SIMD kernels, or on the TypeScript kernels for 'fused-js' or where the runtime
 * lacks SIMD), or the tfjs engine (gradients by TensorFlow.js on the chosen backend; the same
 * optimizer and proximal update as the fused engine). tfjs is loaded only for the tfjs engine.
 */
import type { DenseLayer } from '../network/types';
import { createFusedEngine } from './fused';
import { layoutOf } from './fused/layout';
import type { TrainConfig, TrainingData, TrainingEngine } from './types';

export async function createEngine(init: DenseLayer[], data: TrainingData, cfg: TrainConfig): Promise<TrainingEngine> {
  if (cfg.engine === 'fused') return createFusedEngine(init, data, cfg);
  if (cfg.engine === 'fused-js') return createFusedEngine(init, data, cfg, { kernels: 'js' });
  const { chooseBackend } = await import('./backend');
  const { TfjsGradientPass } = await import('./tfjs/gradient-pass');
  const { backend } = await chooseBackend(cfg.backend);
  const pass = new TfjsGradientPass(layoutOf(init), data);
  return createFusedEngine(init, data, cfg, { pass, name: `tfjs-${backend}`, onDispose: () => pass.dispose() });
}
