/** Public face of the onnx layer: export a Network to ONNX, read it back, run and verify it. */
export { describeInterface, exportOnnx, exportOutputs, foldScaling, IR_VERSION, OPSET, INPUT_NAME, PROBABILITIES, LABEL } from './export';
export type { ExportOptions } from './export';
export { META, modelInterface } from './metadata';
export type { ModelInterface } from './metadata';
export { decodeOnnx, readModelFile, readOnnxInfo } from './read';
export type { InitializerInfo, LayerInfo, OnnxInfo, TensorInfo } from './read';
export { OnnxModel, runOnnx } from './run';
export type { OnnxPrediction, OpenOptions } from './run';
export { mapLabels, selectColumns, verifyOnnx } from './verify';
export type { VerifyInput, VerifyResult } from './verify';
export { DEFAULT_MAX_ACCURACY_DROP, DEFAULT_MAX_RMSE_INCREASE, type RegressionCheck } from './verify';
export { OriginalSession, runOriginalOnnx } from './original';
export type { BatchMode, OriginalSpec } from './original';
