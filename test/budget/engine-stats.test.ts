/** The budget trainer's unit statistics on the fused engine's kernels against the Float64 reference (stats.ts). */
import { fitScaling } from '../../src/data';
import { parseActivation } from '../../src/network/activations';
import { initNetwork } from '../../src/network/create';
import type { Network } from '../../src/network/types';
import { trainToBudget } from '../../src/pipeline/budget';
import { compactSize, projectToBudget, widthsOf } from '../../src/train/budget/project';
import { stackSize } from '../../src/train/budget/size';
import { resolveTrainConfig } from '../../src/train/config';
import { engineStats } from '../../src/train/budget/engine-stats';
import { unitStats, type UnitStats } from '../../src/train/budget/stats';
import { wasmPassAvailable } from '../../src/train/fused';
import { Rng } from '../../src/util/rng';
import { blobs, planted } from '../train/helpers';

const data = blobs(500, 10, 12, 5, 3);

/** A 12-17-9-5 network with a few dead units and inputs (zero rows and columns). */
function network(activation?: string): Network {
  const net = initNetwork({ inputWidth: 12, hidden: [17, 9], classes: 5 }, 8, {
    scaling: fitScaling(data.train),
    activation: parseActivation(activation, 'activation'),
  });
  const [l0, l1] = net.layers;
  for (let j = 0; j < l0.outSize; j++) l0.kernel[3 * l0.outSize + j] = 0; // input 3 feeds nothing
  for (let i = 0; i < l1.inSize; i++) l1.kernel[i * l1.outSize + 4] = 0; // unit 4 of layer 2 reads nothing
  l1.bias[4] = -1; // ... and is dead under relu
  return net;
}

/** Largest |a - b| over a level, relative to the level's largest |b| (or |spread[h]|). */
function relErr(a: Float64Array[], b: Float64Array[], spread: Float64Array[] = b): number {
  let worst = 0;
  a.forEach((lv, h) => {
    const scale = Math.max(1e-30, ...Array.from(b[h], Math.abs), ...Array.from(spread[h], Math.abs));
    for (let i = 0; i < lv.length; i++) worst = Math.max(worst, Math.abs(lv[i] - b[h][i]) / scale);
  });
  return worst;
}

function compare(got: UnitStats, ref: UnitStats, tol: number): void {
  expect(got.mean.map((m) => m.length)).toEqual(ref.mean.map((m) => m.length));
  // (means of standardized inputs are about 0: relative to the level's spread)
  expect(relErr(got.mean, ref.mean, ref.std)).toBeLessThan(tol);
  expect(relErr(got.std, ref.std)).toBeLessThan(tol);
  expect(got.taylor).toBeDefined();
  expect(relErr(got.taylor as Float64Array[], ref.taylor as Float64Array[])).toBeLessThan(tol);
  // the scores are not trivial: every level has units of clearly different scores
  for (const lv of ref.taylor as Float64Array[]) expect(Math.max(...lv)).toBeGreaterThan(10 * Math.min(...lv) + 1e-12);
}

const kernelSets: ('wasm' | 'js')[] = wasmPassAvailable() ? ['wasm', 'js'] : ['js'];
const TOL = { wasm: 1e-4, js: 1e-6 };

describe.each<'wasm' | 'js'>(kernelSets)('engineStats on the %s kernels', (kernels) => {
  it.each([undefined, 'tanh', 'leaky_relu:0.1'])('matches the Float64 reference (activation %s) on a seeded sample of rows', (act) => {
    const net = network(act);
    const ref = unitStats(net, data.train, 300, 5);
    const got = engineStats(net, data.train, 300, 5, kernels);
    compare(got, ref, TOL[kernels]);
    // dead and unread units: exactly zero spread, zero score
    if (act === undefined) {
      expect(got.std[2][4]).toBe(0);
      expect((got.taylor as Float64Array[])[2][4]).toBe(0);
    }
    expect((got.taylor as Float64Array[])[0][3]).toBe(0);
  });

  it('matches the reference for a regression network (squared-error scores) and with no labels (moments only)', () => {
    const net = network();
    net.task = 'regression';
    const last = net.layers[2];
    net.layers[2] = {
      op: 'dense' as const,
      inSize: last.inSize,
      outSize: 2,
      kernel: last.kernel.slice(0, last.inSize * 2),
      bias: last.bias.slice(0, 2),
    };
    const rng = new Rng(4);
    const targets = Float32Array.from({ length: data.train.rows * 2 }, () => rng.normal() * 3);
    const table = { ...data.train, targets };
    compare(engineStats(net, table, 4000, 0, kernels), unitStats(net, table), TOL[kernels]);
    const bare = { rows: data.train.rows, cols: data.train.cols, features: data.train.features };
    const m = engineStats(network(), bare, 4000, 0, kernels);
    expect(m.taylor).toBeUndefined();
    expect(relErr(m.std, unitStats(network(), bare).std)).toBeLessThan(TOL[kernels]);
  });

  it('leads to the same removals as the reference on a small network', () => {
    const net = network();
    const ref = projectToBudget(net, unitStats(net, data.train), 150);
    const got = projectToBudget(net, engineStats(net, data.train, 4000, 0, kernels), 150);
    expect(got.removed).toEqual(ref.removed);
    expect(got.network.inputIndices).toEqual(ref.network.inputIndices);
    expect(got.after).toBe(ref.after);
  });
});

describe.each(['fused', 'fused-js'] as const)('a budget run on the %s engine (statistics on its kernels)', (engine) => {
  const planted1 = planted(1500, 500, 7);
  const cfg = resolveTrainConfig({ hidden: [16, 16], epochs: 6, lr: 5e-3, seed: 1, engine });

  it('meets its budget exactly and fits tightly', async () => {
    const r = await trainToBudget(planted1, cfg, { targetRatio: 0.1, finetuneEpochs: 2 });
    expect(r.result.engine).toBe(engine === 'fused' && wasmPassAvailable() ? 'fused-wasm' : 'fused-js');
    expect(r.targetParams).toBe(Math.floor(0.1 * stackSize([20, 16, 16, 2])));
    expect(r.params).toBeLessThanOrEqual(r.targetParams);
    expect(r.params).toBe(compactSize(r.result.network));
    expect(r.params).toBeGreaterThan(r.targetParams - (20 + 1 + 16));
    widthsOf(r.result.network).forEach((w) => expect(w).toBeGreaterThanOrEqual(1));
    // the last projection finds the network at the budget and removes nothing
    expect(r.projections[r.projections.length - 1].removed.every((n) => n === 0)).toBe(true);
    expect(r.result.history[r.result.history.length - 1].testAccuracy).toBeGreaterThan(0.85);
  });
});
