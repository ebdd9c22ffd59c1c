/** The network layer's public face: the Network value, building and counting, the reference forward pass, run directories. */
export type { AnyLayer, DenseLayer, ModelIO, Network } from './types';
export { initArchNetwork } from './create-arch';
export { initNetwork, parameterCount, multiplyAdds, cloneNetwork, type NetworkShape } from './create';
export { logits, predictProba, predictLabels, accuracy } from './forward';
export { saveRun, loadRun, RUN_FILE, MODEL_FILE, type RunInfo } from './run-io';
export { WEIGHTS_FILE, toLayersModel, fromLayersModel } from './layers-model';
export { TASKS, TASK_NAMES, taskOf, isRegression, regressionMetrics, type TaskName, type TaskDef } from './tasks';
