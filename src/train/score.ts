/**
 * The scores of a network on every split, outside a training epoch: what an epoch record holds
 * (test, train and validation accuracy, or R^2 and RMSE for a regressor), measured the way the
 * epochs measure them (the same preprocessing, a seeded sample of at most `trainEvalRows` training
 * rows, a CNN on the WebAssembly kernels where they run). The budget trainer uses it for the network
 * its last cut left when no epoch trains after that cut, so that a run's figures are always those of
 * the network it saves.
 */
import { applyScaling, selectColumns } from '../data';
import type { SplitDataset, Table } from '../data/types';
import { inputShapeOf } from '../network/forward';
import { parameterCount } from '../network/create';
import type { AnyLayer, DenseLayer, Network } from '../network/types';
import { aliveInputs, aliveUnits, zeroCount } from '../penalty';
import { Rng } from '../util/rng';
import { wasmPassAvailable } from './fused/wasm-pass';
import { layersAccuracy, layersCrossEntropy, liveChannels, wasmEvalOps } from './layers-engine';
import { accuracyMeter } from './metrics';
import { regressionMeter } from './targets';
import type { EpochRecord } from './types';

/** What an epoch record says of the network beside its scores: zero and total parameters, alive units and inputs. */
export type NetworkFigures = Pick<EpochRecord, 'zeroParams' | 'totalParams' | 'aliveUnits' | 'aliveInputs'>;

/** An epoch record's scores: testAccuracy (R^2 for a regressor), trainAccuracy, and the others when measured. */
export type SplitScores = Pick<EpochRecord, 'testAccuracy' | 'trainAccuracy' | 'valAccuracy' | 'testRmse' | 'trainRmse' | 'valRmse'>;

export interface ScoreOptions {
  /** Seed of the training-row sample (as the run's). */
  seed: number;
  /** Training rows measured (default DEFAULT_TRAIN_EVAL_ROWS, as trainNetwork; 0 = all). */
  trainEvalRows?: number;
  /** 'js': the TypeScript kernels only (as a run under --engine fused-js). */
  kernels?: 'auto' | 'js';
}

/** What one split scores: accuracy (R^2 for a regressor) and, for a regressor, RMSE. */
interface SplitScore {
  score: number;
  rmse?: number;
}

/** `t`'s features as `net` reads them: its scaling applied, its input columns selected. */
const inputsOf = (net: Network<AnyLayer>, t: Table): Float32Array =>
  selectColumns(net.scaling ? applyScaling(t.features, t.cols, net.scaling) : t.features, t.rows, t.cols, net.inputIndices);

/** The layers' evaluation kernels: WebAssembly where they run, unless the run uses the TypeScript ones. */
const evalOpsFor = (kernels: ScoreOptions['kernels']) => (kernels !== 'js' && wasmPassAvailable() ? wasmEvalOps() : null);

/**
 * The score of `net` on table `t` (its rows in `pick`, or all): accuracy, or R^2 and RMSE for a
 * regressor; a CNN on the WebAssembly kernels where they run (float32, as its epochs were measured).
 */
export function scoreOn(
  net: Network<AnyLayer>,
  t: Table,
  pick: ArrayLike<number> | null = null,
  kernels: ScoreOptions['kernels'] = 'auto',
): SplitScore {
  const x = inputsOf(net, t);
  if (net.task === 'regression') {
    const m = regressionMeter(x, t.targets as Float32Array, net.classLabels.length, pick)(net.layers as DenseLayer[]);
    return { score: m.r2, rmse: m.rmse };
  }
  if (net.layers.some((l) => l.op !== 'dense'))
    return { score: layersAccuracy(net.layers, inputShapeOf(net), x, t.labels, pick, evalOpsFor(kernels)) };
  return { score: accuracyMeter(net.layers as DenseLayer[], x, t.labels, pick, false)(net.layers as DenseLayer[]) };
}

/**
 * Mean cross-entropy of classifier `net` (of --arch layers) on table `t` (its rows in `pick`, or
 * all), on the kernels scoreOn uses; undefined for a regressor or a dense stack.
 */
export function crossEntropyOn(
  net: Network<AnyLayer>,
  t: Table,
  pick: ArrayLike<number> | null = null,
  kernels: ScoreOptions['kernels'] = 'auto',
): number | undefined {
  if (net.task === 'regression' || net.layers.every((l) => l.op === 'dense')) return undefined;
  return layersCrossEntropy(net.layers, inputShapeOf(net), inputsOf(net, t), t.labels, pick, evalOpsFor(kernels));
}

/** Training rows scored each epoch when not given (trainNetwork's trainEvalRows). */
export const DEFAULT_TRAIN_EVAL_ROWS = 10000;

/** The seeded sample of training rows an epoch (or scoreNetwork) scores: null for all of them. */
export function trainEvalSample(rows: number, seed: number, evalRows = DEFAULT_TRAIN_EVAL_ROWS): Int32Array | null {
  return evalRows > 0 && evalRows < rows ? new Rng(seed + 2).permutation(rows).slice(0, evalRows) : null;
}

/** Scores of `net` on `data`'s test, training (a sample) and validation splits. */
export function scoreNetwork(net: Network<AnyLayer>, data: SplitDataset, opts: ScoreOptions): SplitScores {
  const regression = net.task === 'regression';
  const trainPick = trainEvalSample(data.train.rows, opts.seed, opts.trainEvalRows);
  const test = scoreOn(net, data.test, null, opts.kernels);
  const train = scoreOn(net, data.train, trainPick, opts.kernels);
  const val = data.val && data.val.rows > 0 ? scoreOn(net, data.val, null, opts.kernels) : null;
  return {
    testAccuracy: test.score,
    trainAccuracy: train.score,
    ...(val ? { valAccuracy: val.score } : {}),
    ...(regression ? { testRmse: test.rmse, trainRmse: train.rmse } : {}),
    ...(regression && val ? { valRmse: val.rmse } : {}),
  };
}

/** The figures of a stack an epoch record holds beside its scores (trainNetwork's records count them here). */
export function networkFigures(layers: readonly AnyLayer[]): NetworkFigures {
  const layered = layers.some((l) => l.op !== 'dense');
  const live = layered ? liveChannels(layers) : null;
  return {
    zeroParams: zeroCount(layers),
    totalParams: parameterCount(layers),
    aliveUnits: live ? live.aliveUnits : aliveUnits(layers as DenseLayer[]),
    aliveInputs: live ? live.aliveInputs : aliveInputs(layers[0] as DenseLayer),
  };
}
