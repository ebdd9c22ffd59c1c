/**
 * The train layer's public face: the training loop, configurations and their checks, the engines'
 * names and tables. tfjs is loaded only when the tfjs engine runs.
 */
export { trainNetwork, type TrainOptions, type TrainResult } from './train';
export { resolveTrainConfig, parseHidden, parseChoice, type TrainConfigInput } from './config';
export { DEFAULT_CONFIG } from './defaults';
/** The learning rate a budget run takes when none is given (higher on small training sets). */
export { SMALL_DATA_BUDGET_LR, defaultBudgetLr } from './budget/schedule';
/** Activates a tfjs backend; loads TensorFlow.js (an optional peer dependency) only when called. */
export const chooseBackend: typeof import('./backend').chooseBackend = async (want) => (await import('./backend')).chooseBackend(want);
export { createEngine } from './engines';
export { OPTIMIZERS } from './fused/optimizers';
export {
  BACKEND_CHOICES,
  ENGINES,
  PROX_STEPS,
  SOLVERS,
  type BackendName,
  type EngineName,
  type EpochRecord,
  type InputColumns,
  type OptimizerName,
  type ProxStep,
  type Solver,
  type TrainConfig,
  type TrainingData,
  type TrainingEngine,
} from './types';
export { OPTIMIZER_TABLE, createOptimizer, type OptimizerDef, type FlatOptimizer } from './fused/optimizers';
export { wasmPassAvailable, createFusedEngine } from './fused';
