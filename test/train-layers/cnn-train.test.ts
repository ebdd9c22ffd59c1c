/**
 * trainNetwork on a CNN (TrainOptions.init from initArchNetwork) trains on the layers engine: a
 * synthetic image task (8x8 images, the class is the quadrant that holds a bright blob) reaches high
 * test accuracy in a few epochs; with group lasso and a large lambda whole convolution channels die
 * (exact zeros in their groups), pruneNetwork removes them with the logits unchanged, and the pruned
 * network exports to ONNX that onnxruntime agrees with. Batch norm's running statistics are trained too.
 */
import { initArchNetwork } from '../../src/network/create-arch';
import { logits } from '../../src/network/forward';
import type { BatchNormLayer } from '../../src/network/layers/batchnorm';
import type { ConvLayer } from '../../src/network/layers/conv';
import type { AnyLayer, Network } from '../../src/network/types';
import { exportOnnx } from '../../src/onnx/export';
import { verifyOnnx } from '../../src/onnx/verify';
import { pruneNetwork } from '../../src/prune';
import { resolveTrainConfig, type TrainConfigInput } from '../../src/train/config';
import { wasmPassAvailable } from '../../src/train/fused/wasm-pass';
import { trainNetwork } from '../../src/train/train';
import { quadrants, SIDE } from './quadrants';
import type { Table } from '../../src/data/types';

const ENGINE = {
  js: 'layers-js',
  wasm: wasmPassAvailable() ? 'layers-wasm' : 'layers-js',
};

describe.each<['js' | 'wasm']>([['js'], ['wasm']])('convolution kernels %s', (kernels) => {
  // --engine fused-js keeps the layers engine on the TypeScript kernels; fused takes WebAssembly when it can
  const cfgOf = (over: TrainConfigInput) =>
    resolveTrainConfig({
      optimizer: 'adam',
      lr: 1e-2,
      epochs: 5,
      batchSize: 16,
      seed: 1,
      valFraction: 0,
      engine: kernels === 'js' ? 'fused-js' : 'fused',
      ...over,
    });

  const DATA = quadrants(320, 120, 4);

  function maxLogitDiff(a: Network<AnyLayer>, b: Network<AnyLayer>, t: Table): number {
    const za = logits(a, t.features, t.rows);
    const zb = logits(b, t.features, t.rows);
    let worst = 0;
    za.forEach((v, i) => (worst = Math.max(worst, Math.abs(v - zb[i]))));
    return worst;
  }

  test('a small CNN learns which quadrant holds the blob', async () => {
    const init = initArchNetwork('c4k3p1-m2-c6k3', [1, SIDE, SIDE], 4, 2, { classLabels: DATA.classLabels });
    const r = await trainNetwork(DATA, cfgOf({}), { init });
    expect(r.engine).toBe(ENGINE[kernels]);
    expect(r.history).toHaveLength(5);
    const last = r.history[r.history.length - 1];
    expect(last.testAccuracy).toBeGreaterThanOrEqual(0.95);
    expect(last.dataLoss).toBeLessThan(r.history[0].dataLoss);
    expect(r.network.layers.map((l) => l.op)).toEqual(init.layers.map((l) => l.op));
    // the result keeps the trained weights (the input network is untouched)
    expect((r.network.layers[0] as ConvLayer).weight).not.toEqual((init.layers[0] as ConvLayer).weight);
    expect(r.network.inputShape).toEqual([1, SIDE, SIDE]);
  });

  test('a residual CNN (identity and projection blocks) learns it too, and exports what it trained', async () => {
    const init = initArchNetwork('c4k3p1-bn-(c4k3p1-bn-c4k3p1-bn)-(c6k3p1s2-bn-c6k3p1-bn)-g', [1, SIDE, SIDE], 4, 2, {
      classLabels: DATA.classLabels,
    });
    const r = await trainNetwork(DATA, cfgOf({ epochs: 6 }), { init });
    expect(r.engine).toBe(ENGINE[kernels]);
    const last = r.history[r.history.length - 1];
    expect(last.testAccuracy).toBeGreaterThanOrEqual(0.9);
    expect(r.network.layers.map((l) => l.op)).toEqual(init.layers.map((l) => l.op));
    const v = await verifyOnnx({
      onnx: exportOnnx(r.network, { producerVersion: 'test' }),
      reference: r.network,
      features: DATA.test.features,
      rows: DATA.test.rows,
    });
    expect(v.maxProbDiff).toBeLessThan(1e-5);
  });

  test('batch norm trains and keeps running statistics that evaluation uses', async () => {
    const init = initArchNetwork('c4k3p1-bn-m2-c6k3-bn', [1, SIDE, SIDE], 4, 3, { classLabels: DATA.classLabels });
    const r = await trainNetwork(DATA, cfgOf({ epochs: 4 }), { init });
    const bn = r.network.layers[1] as BatchNormLayer;
    expect(Array.from(bn.runningMean).some((v) => v !== 0)).toBe(true);
    expect(Array.from(bn.runningVar).some((v) => v !== 1)).toBe(true);
    expect(Array.from(bn.gamma).some((v) => v !== 1)).toBe(true);
    expect(r.history[r.history.length - 1].testAccuracy).toBeGreaterThanOrEqual(0.9);
  });

  test('group lasso with a large lambda kills whole channels; pruning removes them exactly and ONNX agrees', async () => {
    const init = initArchNetwork('c8k3p1-m2-c6k3', [1, SIDE, SIDE], 4, 2, { classLabels: DATA.classLabels });
    const r = await trainNetwork(DATA, cfgOf({ penalty: 'gl', lambda: 6e-3, epochs: 6 }), { init });
    const net = r.network;
    const conv2 = net.layers[2] as ConvLayer;
    // conv2's groups are conv1's channels: a dead one is exact zeros in every filter of conv2
    const k = conv2.kernel.reduce((a, b) => a * b, 1);
    const dead: number[] = [];
    for (let c = 0; c < conv2.cin; c++) {
      let zero = true;
      for (let o = 0; o < conv2.cout && zero; o++)
        for (let j = 0; j < k; j++) if (conv2.weight[(o * conv2.cin + c) * k + j] !== 0) zero = false;
      if (zero) dead.push(c);
    }
    expect(dead.length).toBeGreaterThanOrEqual(2);
    const last = r.history[r.history.length - 1];
    expect(last.zeroParams).toBeGreaterThanOrEqual(dead.length * conv2.cout * k);
    expect(last.penalty).toBeGreaterThan(0);
    expect(last.testAccuracy).toBeGreaterThanOrEqual(0.9);
    // the history counts conv1's live channels as a dense network's live units
    expect(last.aliveUnits[0]).toBe(8 - dead.length);
    const { network: pruned } = pruneNetwork(net);
    const c1 = pruned.layers[0] as ConvLayer;
    expect(c1.cout).toBeLessThanOrEqual(8 - dead.length);
    expect((pruned.layers[2] as ConvLayer).cin).toBe(c1.cout);
    expect(maxLogitDiff(net, pruned, DATA.test)).toBeLessThan(1e-4);
    const bytes = exportOnnx(pruned, { producerVersion: 'test' });
    const v = await verifyOnnx({ onnx: bytes, reference: pruned, features: DATA.test.features, rows: DATA.test.rows });
    expect(v.ok).toBe(true);
  });

  test('label smoothing (soft targets) and a learning-rate schedule train a CNN too', async () => {
    const init = initArchNetwork('c4k3p1-m2-c6k3', [1, SIDE, SIDE], 4, 2, { classLabels: DATA.classLabels });
    const r = await trainNetwork(DATA, cfgOf({ labelSmoothing: 0.1, epochs: 4 }), { init, lrSchedule: 'cosine' });
    const last = r.history[r.history.length - 1];
    // the reported loss is the cross-entropy against the smoothed labels: at least their entropy
    expect(last.dataLoss).toBeGreaterThan(0.1 * Math.log(4));
    expect(last.testAccuracy).toBeGreaterThanOrEqual(0.9);
  });

  test('a layer of an unknown type is refused by name', async () => {
    const init = initArchNetwork('c4k3p1-m2-c6k3', [1, SIDE, SIDE], 4, 2, { classLabels: DATA.classLabels });
    const odd = { ...init, layers: [...init.layers, { op: 'scale' } as unknown as AnyLayer] };
    await expect(trainNetwork(DATA, cfgOf({ epochs: 1 }), { init: odd })).rejects.toThrow(/scale/);
  });
});
