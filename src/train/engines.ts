/**
 * Creating a training engine from the configuration: the fused engine (the whole step on the
 * WebAssembly SIMD kernels, or on the TypeScript kernels for 'fused-js' or where the runtime
 * lacks SIMD), or the tfjs engine (gradients by TensorFlow.js on the chosen backend; the same
 * optimizer and proximal update as the fused engine). TensorFlow.js is an optional peer
 * dependency, loaded only for the tfjs engine.
 */
import { GsError } from '../errors';
import type { DenseLayer } from '../network/types';
import { createFusedEngine } from './fused';
import { layoutOf } from './fused/layout';
import { compactTrainingData } from './training-data';
import type { TrainConfig, TrainingData, TrainingEngine } from './types';

export async function createEngine(init: DenseLayer[], data: TrainingData, cfg: TrainConfig): Promise<TrainingEngine> {
  if (cfg.engine === 'fused') return createFusedEngine(init, data, cfg);
  if (cfg.engine === 'fused-js') return createFusedEngine(init, data, cfg, { kernels: 'js' });
  if (data.soft) {
    throw new GsError('BAD_OPTION', 'distillation (--distill) runs on the fused engines only: use --engine fused or fused-js, not tfjs');
  }
  let tfjs: [typeof import('./backend'), typeof import('./tfjs/gradient-pass')];
  try {
    tfjs = await Promise.all([import('./backend'), import('./tfjs/gradient-pass')]);
  } catch (e) {
    throw new GsError(
      'UNAVAILABLE',
      `the tfjs engine needs TensorFlow.js, which is not installed (${(e as Error).message.split('\n')[0]}); ` +
        'run npm install @tensorflow/tfjs (and @tensorflow/tfjs-backend-wasm for --backend wasm), or use --engine fused',
    );
  }
  const [{ chooseBackend }, { TfjsGradientPass }] = tfjs;
  const { backend } = await chooseBackend(cfg.backend);
  const compact = compactTrainingData(data);
  const pass = new TfjsGradientPass(layoutOf(init), compact);
  return createFusedEngine(init, compact, cfg, { pass, name: `tfjs-${backend}`, onDispose: () => pass.dispose() });
}
