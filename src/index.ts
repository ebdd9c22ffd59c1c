/**
 * gs-compress as a library: load data, train with (group) sparsity, prune exactly, export to
 * ONNX and verify. This is the curated core; each part has its own subpath with everything it
 * holds (gs-compress/data, /network, /penalty, /train, /prune, /onnx, /pipeline, /sweep, /report,
 * /experiment). Importing this module loads neither tfjs, vega nor yaml (each is loaded when
 * used); the CLI (src/cli) is a thin layer over these functions.
 */

/** The typed error every user-caused failure throws (bad file, bad option, unsupported model), and its guard. */
export { GsError, isGsError } from './errors';
/** The error codes (NOT_FOUND, BAD_OPTION, BAD_INPUT, BAD_MODEL, ...). */
export type { GsErrorCode } from './errors';

/** Loads a data set (catalog name, CSV/TSV, IDX, libsvm, or a train/test pair) and splits it. */
export { loadDataset } from './data/load';
/** A data set description (`data`, `train`/`test`, label column, format, split) and the loaded, split data. */
export type { DataSpec, SplitDataset } from './data/types';

/** The framework-neutral network every layer works on, and one dense layer of it (kernel [in, out], row-major). */
export type { DenseLayer, ModelIO, Network } from './network/types';
/** A seeded network (PyTorch's nn.Linear initialisation) of the given shape. */
export { initNetwork } from './network/create';
/** Parameters (kernel and bias elements) of a network: the one count every report uses. */
export { parameterCount } from './network/create';
/** The reference forward pass: class probabilities, predicted labels and accuracy on raw features. */
export { predictProba, predictLabels, accuracy } from './network/forward';
/** Saves and loads a run directory (model.json + weights.bin + gs-run.json). */
export { saveRun, loadRun } from './network/run-io';

/** The penalty table (none, l2, l1, gl, sgl: value, gradient, prox, help) and its names. */
export { PENALTIES, PENALTY_KINDS } from './penalty';
/** A penalty's name. */
export type { PenaltyKind } from './penalty';

/** Trains a network on a data set with the fused (WebAssembly/TypeScript) or tfjs engine. */
export { trainNetwork } from './train/train';
/** Options (progress callbacks, standardization, a starting network) and the result of trainNetwork. */
export type { TrainOptions, TrainResult } from './train/train';
/** Completes and checks a partial training configuration (the same checks as the CLI). */
export { resolveTrainConfig } from './train/config';
/** The default configuration: the paper's network (2 x 32 ReLU), adam, lr 1e-3, batch 32, 20 epochs. */
export { DEFAULT_CONFIG } from './train/defaults';
/** A complete training configuration and one epoch of training history. */
export type { TrainConfig, EpochRecord } from './train/types';

/** Exact (or opt-in lossy) pruning: dead units and unused inputs removed, the logits unchanged. */
export { pruneNetwork } from './prune/prune';
/** What pruning removed and kept. */
export type { PruneReport, PruneResult } from './prune/types';

/** Network to ONNX bytes (float32, raw features in, probabilities and labels out; an imported
 * network keeps its original's input and output names and meaning). */
export { exportOnnx, describeInterface } from './onnx/export';
/** Runs an ONNX file with onnxruntime and compares it with the network on the same rows. */
export { verifyOnnx } from './onnx/verify';
/** What verifyOnnx compares and reports. */
export type { VerifyInput, VerifyResult } from './onnx/verify';

/** Prune a saved run exactly, export it to ONNX and verify it: `gs-compress prune` as a function. */
export { compressRun } from './pipeline/compress';
/** Options and result of compressRun. */
export type { CompressOptions, CompressResult } from './pipeline/compress';
/** Train, then prune and fine-tune without the sparsity penalty. */
export { trainThenFinetune, pruneAndFinetune } from './pipeline/finetune';
/** The whole product in one call: train, prune, export and verify a small model. */
export { runQuickstart } from './pipeline/quickstart';

/** Runs a grid of configurations on worker processes into a resumable results store. */
export { runSweep } from './sweep/run-sweep';
/** Reads a results store; picks the best run, the sparsest within a tolerance, the Pareto front. */
export { readStore } from './sweep/store';
export { selectBest, sparsestWithin, paretoFront, selectionMetric } from './sweep/select';
/** One finished sweep run as the store keeps it. */
export type { RunRecord } from './sweep/types';

/** The package version. */
export { VERSION } from './version';

/** The activation table (relu, leaky_relu, tanh, sigmoid, gelu, relu6, identity) and its parser. */
export { ACTIVATIONS, ACTIVATION_NAMES, parseActivation } from './network/activations';
export type { Activation, ActivationName } from './network/activations';
/** Importing a model you have (ONNX, tfjs LayersModel) into a Network; the importer table. */
export { IMPORTERS, importModel } from './import';
export type { ImportedModel, Importer } from './import';
/** Checking an import against the original file (onnxruntime / tfjs). */
export { checkImport, importAndCheck } from './pipeline/import-check';
/** gs-compress compress: a model you have, fine-tuned to a parameter budget, verified against the original. */
export { compressModel } from './pipeline/compress-model';
export type { CompressModelOptions, CompressModelResult } from './pipeline/compress-model';
