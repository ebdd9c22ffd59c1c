/**
 * The summary of a finished training run: the final-epoch figures and the exactly pruned
 * parameter count. One function builds it for `gs-compress train` (printed, and saved in
 * gs-run.json) and for every sweep run (saved, and kept in the results store).
 */
import { multiplyAdds } from '../network/create';
import { collapsedLevels, pruneNetwork } from '../prune';
import type { TrainResult } from '../train/train';
import type { EpochRecord } from '../train/types';

/** Final-epoch figures of a run, the numbers selection and tables work on. */
export interface TrainSummary {
  /** Classification: accuracy on the test and training splits, and on the validation split, what runs
   * are selected by (absent without a validation split: --val-fraction 0, or older records). A
   * regressor's summary has none of these: its task's metrics are R^2 and RMSE (network/tasks.ts
   * scoreFields; summaryScore reads either task's score). */
  testAccuracy?: number;
  trainAccuracy?: number;
  valAccuracy?: number;
  /** Regression only: 'regression', R^2 and RMSE (in the target's units) of each split. */
  task?: 'regression';
  testR2?: number;
  trainR2?: number;
  valR2?: number;
  testRmse?: number;
  trainRmse?: number;
  valRmse?: number;
  /** Parameters (weights and biases) not exactly zero. */
  nonzeroParams: number;
  totalParams: number;
  /** Parameters of the exactly pruned network (dead units and unused inputs removed); the dense
   * count when the network cannot be pruned (a diverged run with NaN weights). */
  prunedParams: number;
  /** Multiply-adds per example of the exactly pruned network, and of the network as trained (the
   * layer table's count; absent in records written before it existed). */
  macs?: number;
  totalMacs?: number;
  /** Alive units per hidden layer, and their sum. */
  aliveUnits: number[];
  aliveNeurons: number;
  aliveInputs: number;
  /** Input features of the data. */
  inputs: number;
  /** Wall time of the training: every epoch with its evaluation, a budget run's scoring and
   * projection, the fine-tuning (older records counted the epochs' training only). */
  seconds: number;
  engine: string;
  /** The loss became non-finite; the run stopped early (also true when no epoch ran). */
  diverged: boolean;
  /** Every input or every unit of a hidden layer was removed: the network predicts a constant
   * (absent when not, and in records written before it existed). */
  collapsed?: boolean;
}

/** The summary of `result`, trained on data with `inputs` feature columns. `final`: what describes the
 * network where the last epoch record does not (a budget run's cut after its last epoch). */
export function summarizeTraining(result: TrainResult, inputs: number, final?: Partial<EpochRecord>): TrainSummary {
  const lastEpoch = result.history[result.history.length - 1];
  const last: EpochRecord | undefined = lastEpoch ? { ...lastEpoch, ...final } : undefined;
  const aliveUnits = last?.aliveUnits ?? [];
  const totalParams = last?.totalParams ?? 0;
  let prunedParams = totalParams;
  const totalMacs = multiplyAdds(result.network);
  let macs = totalMacs;
  let collapsed = false;
  try {
    const report = pruneNetwork(result.network).report;
    prunedParams = report.parameters.after;
    macs = report.multiplyAdds.after;
    collapsed = collapsedLevels(report).length > 0;
  } catch {
    // a diverged network (NaN weights) cannot be pruned meaningfully; keep the dense count
  }
  const reg = result.network.task === 'regression';
  // the epoch records' score (testAccuracy: accuracy, or R^2 for a regressor) under its task's names
  return {
    ...(reg
      ? {
          task: 'regression' as const,
          testR2: last?.testAccuracy ?? NaN,
          trainR2: last?.trainAccuracy ?? NaN,
          ...(last?.valAccuracy !== undefined ? { valR2: last.valAccuracy } : {}),
          testRmse: last?.testRmse ?? NaN,
          trainRmse: last?.trainRmse ?? NaN,
          ...(last?.valRmse !== undefined ? { valRmse: last.valRmse } : {}),
        }
      : {
          testAccuracy: last?.testAccuracy ?? NaN,
          trainAccuracy: last?.trainAccuracy ?? NaN,
          ...(last?.valAccuracy !== undefined ? { valAccuracy: last.valAccuracy } : {}),
        }),
    nonzeroParams: totalParams - (last?.zeroParams ?? 0),
    totalParams,
    prunedParams,
    macs,
    totalMacs,
    aliveUnits,
    aliveNeurons: aliveUnits.reduce((s, n) => s + n, 0),
    aliveInputs: last?.aliveInputs ?? 0,
    inputs,
    seconds: result.trainSeconds,
    engine: result.engine,
    diverged: last ? !Number.isFinite(last.dataLoss) : true,
    ...(collapsed ? { collapsed } : {}),
  };
}
