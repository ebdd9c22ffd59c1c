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
import { layersAccuracy, liveChannels, wasmEvalOps } from './layers-engine';
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
  /** Training rows measured (default 10000, as trainNetwork; 0 = all). */
  trainEvalRows?: number;
  /** 'js': the TypeScript kernels only (as a run under --engine fused-js). */
  kernels?: 'auto' | 'js';
}

/** Scores of `net` on `data`'s test, training (a sample) and validation splits. */
export function scoreNetwork(net: Network<AnyLayer>, data: SplitDataset, opts: ScoreOptions): SplitScores {
  const classes = net.classLabels.length;
  const regression = net.task === 'regression';
  const layered = net.layers.some((l) => l.op !== 'dense');
  const inShape = inputShapeOf(net);
  const ops = layered && opts.kernels !== 'js' && wasmPassAvailable() ? wasmEvalOps() : null;
  const rowsOf = (t: Table): Float32Array =>
    selectColumns(net.scaling ? applyScaling(t.features, t.cols, net.scaling) : t.features, t.rows, t.cols, net.inputIndices);
  const evalRows = opts.trainEvalRows ?? 10000;
  const trainPick =
    evalRows > 0 && evalRows < data.train.rows ? new Rng(opts.seed + 2).permutation(data.train.rows).slice(0, evalRows) : null;
  const score = (t: Table, pick: ArrayLike<number> | null): { score: number; rmse?: number } => {
    const x = rowsOf(t);
    if (regression) {
      const m = regressionMeter(x, t.targets as Float32Array, classes, pick)(net.layers as DenseLayer[]);
      return { score: m.r2, rmse: m.rmse };
    }
    if (layered) return { score: layersAccuracy(net.layers, inShape, x, t.labels, pick, ops) };
    return { score: accuracyMeter(net.layers as DenseLayer[], x, t.labels, pick, false)(net.layers as DenseLayer[]) };
  };
  const test = score(data.test, null);
  const train = score(data.train, trainPick);
  const val = data.val && data.val.rows > 0 ? score(data.val, null) : null;
  return {
    testAccuracy: test.score,
    trainAccuracy: train.score,
    ...(val ? { valAccuracy: val.score } : {}),
    ...(regression ? { testRmse: test.rmse, trainRmse: train.rmse } : {}),
    ...(regression && val ? { valRmse: val.rmse } : {}),
  };
}

/** The figures of `net` an epoch record holds beside its scores (counted as trainNetwork counts them). */
export function networkFigures(net: Network<AnyLayer>): NetworkFigures {
  const layers = net.layers;
  const layered = layers.some((l) => l.op !== 'dense');
  const live = layered ? liveChannels(layers) : null;
  return {
    zeroParams: zeroCount(layers),
    totalParams: parameterCount(layers),
    aliveUnits: live ? live.aliveUnits : aliveUnits(layers as DenseLayer[]),
    aliveInputs: live ? live.aliveInputs : aliveInputs(layers[0] as DenseLayer),
  };
}
