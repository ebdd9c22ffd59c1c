/**
 * The task (loss) table: what a network's output layer means and how it is trained, in one place.
 * Each entry gives the output activation, the loss value and its gradient with respect to the
 * output layer's values for one row (float64 reference arithmetic; the fused engines' batch kernels
 * in train/fused/backprop.ts, train/fused/mse.ts, assembly/pass.ts and assembly/regression.ts compute
 * the same sums over a batch), the tfjs loss, the metrics it reports and its ONNX output form.
 *
 *  classification  softmax cross-entropy over the logits, L = log(sum exp z) - z[y];
 *                  dL/dz = softmax(z) - onehot(y). Metrics: accuracy. ONNX: `label` + `probabilities`.
 *  regression      mean squared error on a linear output with k >= 1 columns, as PyTorch's
 *                  nn.MSELoss() (mean over all n*k elements): L = sum_j (z_j - t_j)^2 / k per row,
 *                  dL/dz_j = 2 (z_j - t_j) / k (the batch mean divides by n too). Metrics: RMSE and
 *                  R^2 = 1 - SSE/SST. ONNX: one `prediction` output [N, k].
 *
 * A network whose `task` is absent is a classifier (records saved before regression existed).
 */
export type TaskName = 'classification' | 'regression';
export const TASK_NAMES: readonly TaskName[] = ['classification', 'regression'];

/** A row's target: a class id (classification) or k numbers (regression). */
export type RowTarget = number | ArrayLike<number>;

export interface TaskDef {
  name: TaskName;
  /** Applied to the output layer's values at prediction time. */
  outputActivation: 'softmax' | 'identity';
  /** Human name of the loss, for --help and messages. */
  lossName: string;
  /** Loss of one row's outputs z (length k) against its target; grad (length k) receives dL/dz. */
  rowLoss(z: ArrayLike<number>, target: RowTarget, grad: Float64Array): number;
  /** The tf.losses function the tfjs engine uses. */
  tfjsLoss: 'softmaxCrossEntropy' | 'meanSquaredError';
  /** Metrics of the history and summaries, in the order they are printed. */
  metrics: readonly ('accuracy' | 'rmse' | 'r2')[];
  /** Outputs of the ONNX export (see onnx/export.ts), in graph order. */
  onnxOutputs: readonly string[];
  /** The summary fields of the task's score (higher is better) on each split: a summary carries its
   * own task's metrics under their own names, never another task's. */
  scoreFields: { readonly test: string; readonly val: string; readonly train: string };
  /** What the score is called in tables and messages. */
  scoreName: string;
}

export const TASKS: Record<TaskName, TaskDef> = {
  classification: {
    name: 'classification',
    outputActivation: 'softmax',
    lossName: 'softmax cross-entropy',
    rowLoss(z, target, grad) {
      const y = target as number;
      let m = -Infinity;
      for (let j = 0; j < z.length; j++) m = Math.max(m, z[j]);
      let s = 0;
      for (let j = 0; j < z.length; j++) s += Math.exp(z[j] - m);
      for (let j = 0; j < z.length; j++) grad[j] = Math.exp(z[j] - m) / s - (j === y ? 1 : 0);
      return Math.log(s) - (z[y] - m);
    },
    tfjsLoss: 'softmaxCrossEntropy',
    metrics: ['accuracy'],
    onnxOutputs: ['label', 'probabilities'],
    scoreFields: { test: 'testAccuracy', val: 'valAccuracy', train: 'trainAccuracy' },
    scoreName: 'accuracy',
  },
  regression: {
    name: 'regression',
    outputActivation: 'identity',
    lossName: 'mean squared error',
    rowLoss(z, target, grad) {
      const t = target as ArrayLike<number>;
      const k = z.length;
      let s = 0;
      for (let j = 0; j < k; j++) {
        const d = z[j] - t[j];
        s += d * d;
        grad[j] = (2 * d) / k;
      }
      return s / k;
    },
    tfjsLoss: 'meanSquaredError',
    metrics: ['rmse', 'r2'],
    onnxOutputs: ['prediction'],
    scoreFields: { test: 'testR2', val: 'valR2', train: 'trainR2' },
    scoreName: 'R^2',
  },
};

/** The task of a network or a record ('classification' when absent). */
export function taskOf(x: { task?: TaskName } | null | undefined): TaskName {
  return x?.task ?? 'classification';
}

/** True for a regression network or record. */
export function isRegression(x: { task?: TaskName } | null | undefined): boolean {
  return taskOf(x) === 'regression';
}

/** Root mean squared error and R^2 = 1 - SSE/SST (SST about the mean of each target column of `t`)
 * of predictions p against targets t, both [rows x k] row-major. R^2 is NaN when SST is 0. */
export function regressionMetrics(p: ArrayLike<number>, t: ArrayLike<number>, k: number): { rmse: number; r2: number } {
  const rows = t.length / k;
  if (rows === 0) return { rmse: NaN, r2: NaN };
  const mean = new Float64Array(k);
  for (let r = 0; r < rows; r++) for (let j = 0; j < k; j++) mean[j] += t[r * k + j];
  for (let j = 0; j < k; j++) mean[j] /= rows;
  let sse = 0;
  let sst = 0;
  for (let i = 0; i < t.length; i++) {
    const d = p[i] - t[i];
    const e = t[i] - mean[i % k];
    sse += d * d;
    sst += e * e;
  }
  return { rmse: Math.sqrt(sse / t.length), r2: sst > 0 ? 1 - sse / sst : NaN };
}

/** A summary's score on a split (the task's scoreFields), NaN when it has none. */
export function summaryScore(s: { task?: TaskName } & object, split: 'test' | 'val' | 'train'): number {
  const v = (s as Record<string, unknown>)[TASKS[taskOf(s)].scoreFields[split]];
  return typeof v === 'number' ? v : NaN;
}
