/** The layers engine: training networks of any layer types of the table (reference TypeScript kernels). */
export { createLayersEngine, LAYERS_ENGINE, LAYERS_WASM_ENGINE, type LayersEngineOptions } from './engine';
export { batchGradient, type LossData } from './pass';
export { layersAccuracy, layersCrossEntropy, liveChannels, wasmEvalOps, type EvalOps } from './evaluate';
export { TRAIN_OPS, gradientBuffers, trainOp } from './ops/table';
export type { TrainForward, TrainOp } from './ops/train-op';
