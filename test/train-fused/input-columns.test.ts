/**
 * Kept input columns gathered from full rows (TrainingData.inputColumns, fused/kept-columns.ts): a
 * network whose inputs were pruned, trained, measured and scored on rows that keep every column of
 * the data, gives exactly (bit for bit) what it gives on a copy of the kept columns: the same
 * losses and weights, accuracies, unit statistics and training history.
 */
import { selectColumns } from '../../src/data/columns';
import type { SplitDataset, Table } from '../../src/data/types';
import type { Network } from '../../src/network/types';
import { engineStats } from '../../src/train/budget/engine-stats';
import { resolveTrainConfig } from '../../src/train/config';
import { createFusedEngine } from '../../src/train/fused/engine';
import { WasmStackEvaluator } from '../../src/train/fused/wasm-eval';
import { wasmPassAvailable } from '../../src/train/fused/wasm-pass';
import { trainNetwork } from '../../src/train/train';
import type { InputColumns, TrainingData } from '../../src/train/types';
import { Rng } from '../../src/util/rng';
import { blobs } from '../train/helpers';
import { config, randomData, randomLayers, range } from './helpers';

const run = wasmPassAvailable() ? describe : describe.skip;

// 30 columns, 13 kept: runs and single columns, as pruning leaves them
const WIDTH = 30;
const KEEP = [0, 1, 2, 5, 9, 10, 11, 12, 17, 22, 23, 28, 29];
const columns: InputColumns = { width: WIDTH, keep: KEEP };

function gathered(full: TrainingData): TrainingData {
  return { ...full, cols: KEEP.length, inputColumns: columns };
}

function copied(full: TrainingData): TrainingData {
  return { ...full, cols: KEEP.length, x: selectColumns(full.x, full.rows, WIDTH, KEEP) };
}

run('kept input columns read in place', () => {
  // a third of the values zero: the kernels skip zeros
  const full = randomData(300, WIDTH, 4, 11, 0.3);
  const layers = randomLayers([KEEP.length, 16, 8, 4], 5);

  it.each(['adam', 'sgd'] as const)('trains to the same weights and losses as on the copied columns (%s)', (optimizer) => {
    const cfg = config({ optimizer, lr: 0.01, batchSize: 32, penalty: 'gl', lambda: 1e-3 });
    const trainOn = (data: TrainingData) => {
      const e = createFusedEngine(layers, data, cfg, { kernels: 'wasm' });
      const order = new Rng(3).permutation(300);
      const losses = [e.runEpoch(order), e.runEpoch(range(300))];
      const out = e.layers();
      e.dispose();
      return { losses, out };
    };
    const a = trainOn(gathered(full));
    const b = trainOn(copied(full));
    expect(a.losses).toEqual(b.losses);
    expect(a.out).toEqual(b.out);
    expect(a.out[0].kernel).not.toEqual(layers[0].kernel); // it trained
  });

  it('the TypeScript kernels copy the kept columns: the same weights as on a copy', () => {
    const cfg = config({ optimizer: 'adam', lr: 0.01, batchSize: 32, penalty: 'none', lambda: 0 });
    const trainOn = (data: TrainingData) => {
      const e = createFusedEngine(layers, data, cfg, { kernels: 'js' });
      e.runEpoch(range(300));
      return e.layers();
    };
    expect(trainOn(gathered(full))).toEqual(trainOn(copied(full)));
  });

  it('measures the same accuracies as on the copied columns', () => {
    const compact = copied(full).x;
    for (const rows of [null, [4, 17, 250, 3, 99, 100]]) {
      const a = new WasmStackEvaluator(layers, full.x, full.y, rows, columns).accuracy(layers);
      const b = new WasmStackEvaluator(layers, compact, full.y, rows).accuracy(layers);
      expect(a).toBe(b);
    }
  });

  it('refuses columns that do not fit the network or the rows', () => {
    const cfg = config({ optimizer: 'adam', lr: 0.01, batchSize: 32, penalty: 'none', lambda: 0 });
    const bad = (keep: number[]) => () => createFusedEngine(layers, { ...gathered(full), inputColumns: { width: WIDTH, keep } }, cfg);
    expect(bad(KEEP.slice(1))).toThrow(/12 input columns given for 13 network inputs/);
    expect(bad([...KEEP.slice(1), WIDTH])).toThrow(/outside 0..29/);
  });
});

/** The table with only the columns `keep`. */
function tableOf(t: Table, keep: number[]): Table {
  return { ...t, cols: keep.length, features: selectColumns(t.features, t.rows, t.cols, keep) };
}

run('training a network whose inputs were pruned', () => {
  // 12 tabular columns (standardized), 7 kept; validation rows carved from the training split
  const data = blobs(400, 150, 12, 3, 4);
  const keep = [0, 2, 3, 4, 8, 10, 11];
  const start = (): { wide: Network; narrow: Network } => {
    const r = new Rng(9);
    const layers = randomLayers([keep.length, 10, 6, 3], 2);
    const mean = Float32Array.from({ length: 12 }, () => r.normal());
    const std = Float32Array.from({ length: 12 }, () => 0.5 + r.next());
    const base = { layers, classLabels: data.classLabels, featureNames: data.featureNames };
    return {
      wide: { ...base, inputWidth: 12, inputIndices: keep, scaling: { mean, std } },
      narrow: {
        ...base,
        inputWidth: keep.length,
        inputIndices: Array.from({ length: keep.length }, (_, i) => i),
        scaling: { mean: Float32Array.from(keep, (c) => mean[c]), std: Float32Array.from(keep, (c) => std[c]) },
        featureNames: keep.map((c) => data.featureNames[c]),
      },
    };
  };
  const narrowData: SplitDataset = {
    ...data,
    train: tableOf(data.train, keep),
    test: tableOf(data.test, keep),
    featureNames: keep.map((c) => data.featureNames[c]),
  };

  it('gathers the kept columns of the full rows: the same weights and history as on a copy of them', async () => {
    const cfg = resolveTrainConfig({ hidden: [10, 6], epochs: 3, batchSize: 16, seed: 1, valFraction: 0.2, engine: 'fused', lr: 0.01 });
    const { wide, narrow } = start();
    const a = await trainNetwork(data, cfg, { init: wide, trainEvalRows: 100 });
    const b = await trainNetwork(narrowData, cfg, { init: narrow, trainEvalRows: 100 });
    expect(a.engine).toBe('fused-wasm');
    expect(a.network.inputIndices).toEqual(keep);
    expect(a.network.layers).toEqual(b.network.layers);
    const fields = (h: typeof a.history) => h.map((r) => [r.dataLoss, r.trainAccuracy, r.testAccuracy, r.valAccuracy]);
    expect(fields(a.history)).toEqual(fields(b.history));
  });

  it.each([true, false])('scores its units as on a copy of the kept columns (scaled %s)', (scaled) => {
    const { wide, narrow } = start();
    if (!scaled) wide.scaling = narrow.scaling = null;
    for (const kernels of ['wasm', 'js'] as const) {
      const a = engineStats(wide, data.train, 300, 5, kernels);
      const b = engineStats(narrow, narrowData.train, 300, 5, kernels);
      expect(a).toEqual(b);
      expect(a.taylor?.[0].length).toBe(keep.length);
    }
  });
});
