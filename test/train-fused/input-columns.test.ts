/**
 * Kept input columns read in place (TrainingData.inputColumns, the first layer's column map in
 * assembly/pass.ts): a network whose inputs were pruned, trained, measured and scored on rows that
 * keep every column of the data, gives exactly (bit for bit) what it gives on a copy of the kept
 * columns: the same losses and weights, logits, accuracies, unit statistics and training history.
 */
import { selectColumns } from '../../src/data/columns';
import type { SplitDataset, Table } from '../../src/data/types';
import type { Network } from '../../src/network/types';
import { engineStats } from '../../src/train/budget/engine-stats';
import { resolveTrainConfig } from '../../src/train/config';
import { createFusedEngine } from '../../src/train/fused/engine';
import { layoutOf, packLayers } from '../../src/train/fused/layout';
import { engineUnitStats } from '../../src/train/fused/unit-stats';
import { WasmStackEvaluator } from '../../src/train/fused/wasm-eval';
import { releaseInstance, takeInstance, WasmNetworkMemory, wasmPassAvailable } from '../../src/train/fused/wasm-pass';
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
  // a third of the values zero: the kernels skip zeros, so the column map decides which are skipped
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

  it('gives the same logits, accuracies and unit statistics as the copied columns', () => {
    const lay = layoutOf(layers);
    const logits = (x: Float32Array, cols: InputColumns | null) => {
      const instance = takeInstance();
      try {
        const mem = new WasmNetworkMemory(lay, x, full.y, 64, undefined, undefined, { instance, ...(cols ? { columns: cols } : {}) });
        mem.params.set(packLayers(layers, lay));
        mem.idxView.set(Int32Array.from({ length: 64 }, (_, i) => (i * 7) % 300));
        mem.ex.forward(mem.table, mem.L, mem.x, mem.cols, mem.idx, 64, mem.nzOff, mem.nzVal);
        return mem.logits.slice();
      } finally {
        releaseInstance(instance);
      }
    };
    const compact = copied(full).x;
    expect(logits(full.x, columns)).toEqual(logits(compact, null));
    const sample = [4, 17, 250, 3, 99, 100];
    for (const rows of [null, sample]) {
      const a = new WasmStackEvaluator(layers, full.x, full.y, rows, columns).accuracy(layers);
      const b = new WasmStackEvaluator(layers, compact, full.y, rows).accuracy(layers);
      expect(a).toBe(b);
    }
    for (const kernels of ['wasm', 'js'] as const) {
      const a = engineUnitStats(layers, { x: full.x, rows: 300, labels: full.y, columns }, kernels);
      const b = engineUnitStats(layers, { x: compact, rows: 300, labels: full.y }, kernels);
      expect(a).toEqual(b);
    }
  });

  it('refuses a column map that does not fit the layer or the rows', () => {
    const lay = layoutOf(layers);
    expect(
      () => new WasmNetworkMemory(lay, full.x, full.y, 8, undefined, undefined, { columns: { width: WIDTH, keep: KEEP.slice(1) } }),
    ).toThrow(/13 inputs/);
    expect(
      () =>
        new WasmNetworkMemory(lay, full.x, full.y, 8, undefined, undefined, { columns: { width: WIDTH, keep: [...KEEP.slice(1), WIDTH] } }),
    ).toThrow(/outside 0..29/);
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

  it('reads the kept columns of every row in place and gives the same weights and history as on a copy of them', async () => {
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
