/**
 * gs-compress as a library: load data, train with (group) sparsity, prune exactly, export to
 * ONNX and verify. The CLI (src/cli) is a thin layer over these functions.
 */
export * from './errors';
export * from './data';
export type { DenseLayer, Network } from './network/types';
export { initNetwork, parameterCount, multiplyAdds, cloneNetwork } from './network/create';
export { logits, predictProba, predictLabels, accuracy } from './network/forward';
export { saveRun, loadRun } from './network/run-io';
export type { RunInfo } from './network/run-io';
export * from './penalty';
export { trainNetwork } from './train/train';
export type { TrainOptions, TrainResult } from './train/train';
export { resolveTrainConfig, parseHidden } from './train/config';
export { DEFAULT_CONFIG } from './train/defaults';
export { chooseBackend } from './train/backend';
export type { TrainConfig, EpochRecord, OptimizerName, Solver, ProxStep, EngineName, BackendName } from './train/types';
export { wasmPassAvailable } from './train/fused';
export * from './prune';
export * from './onnx';
export { compressRun } from './pipeline/compress';
export type { CompressOptions, CompressResult } from './pipeline/compress';
export { VERSION } from './version';
export { runQuickstart, QUICKSTART_CONFIG } from './pipeline/quickstart';
export * from './sweep';
export { pruneAndFinetune, finetuneConfig } from './pipeline/finetune';
export * as report from './report';
export * as experiment from './experiment';
export { trainThenFinetune } from './pipeline/finetune';
export { ACTIVATIONS, ACTIVATION_NAMES, parseActivation } from './network/activations';
export type { Activation, ActivationName } from './network/activations';
export { IMPORTERS, importModel, importOnnx, importTfjs } from './import';
export type { ImportedModel, Importer } from './import';
export { checkImport, importAndCheck, runOriginal } from './pipeline/import-check';
export { loadInit, alignData } from './pipeline/init-from';
export { compressModel, cutToBudget } from './pipeline/compress-model';
export type { CompressModelOptions, CompressModelResult } from './pipeline/compress-model';
