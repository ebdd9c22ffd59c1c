/**
 * A new layer type is one file plus a test: the per-channel scale of ./scale-layer.ts, registered
 * in the layer table, flows through the reference forward pass, the counts, penalty groups and
 * the proximal step, exact pruning of coupled channel sets, ONNX export and onnxruntime
 * verification, with no change anywhere in src/.
 */
import { denseLayer } from '../../../src/network/layers/dense';
import { registerLayerType } from '../../../src/network/layers/table';
import { multiplyAdds, parameterCount } from '../../../src/network/create';
import { logits } from '../../../src/network/forward';
import type { Layer, Network } from '../../../src/network/types';
import { exportOnnx } from '../../../src/onnx/export';
import { verifyOnnx } from '../../../src/onnx/verify';
import { penaltyValue, proxLayers } from '../../../src/penalty';
import { pruneNetwork } from '../../../src/prune';
import { Rng } from '../../../src/util/rng';
import { SCALE, type ScaleLayer } from './scale-layer';

registerLayerType(SCALE);

const [IN, H, OUT] = [6, 5, 3];
const rng = new Rng(4);
const rand = (n: number) => Float32Array.from({ length: n }, () => rng.normal());

/** dense 6 -> 5 (relu), scale 5, dense 5 -> 3, with three of the five channels dead in three ways. */
function network(): Network {
  const k1 = rand(IN * H);
  for (let i = 0; i < IN; i++) k1[i * H + 4] = 0; // channel 4 reads nothing: constant relu(b_4), folded
  const b1 = Float32Array.from([0.1, 0.2, -0.3, 0.4, 0.7]);
  const scale = Float32Array.from([1.5, 0, -0.5, 2, 0.8]); // channel 1 silenced by its scale
  const k2 = rand(H * OUT);
  k2.fill(0, 3 * OUT, 4 * OUT); // channel 3 read by nothing
  const layers = [
    denseLayer(k1, b1, IN, H),
    { op: 'scale', channels: H, scale } as ScaleLayer as unknown as Layer,
    denseLayer(k2, rand(OUT), H, OUT),
  ];
  return {
    inputWidth: IN,
    inputIndices: Array.from({ length: IN }, (_, i) => i),
    scaling: null,
    layers,
    classLabels: ['a', 'b', 'c'],
    featureNames: Array.from({ length: IN }, (_, i) => `f${i}`),
  };
}

const ROWS = 64;
const x = rand(ROWS * IN);

test('the reference forward pass and the counts take the scale', () => {
  const net = network();
  const [d1, s, d2] = net.layers as unknown as [Layer, ScaleLayer, Layer];
  const z = logits(net, x, ROWS);
  for (let r = 0; r < 3; r++) {
    const h = Array.from({ length: H }, (_, j) => {
      let v = d1.bias[j];
      for (let i = 0; i < IN; i++) v += x[r * IN + i] * d1.kernel[i * H + j];
      return Math.max(0, v) * s.scale[j];
    });
    for (let k = 0; k < OUT; k++) {
      let v = d2.bias[k];
      for (let j = 0; j < H; j++) v += h[j] * d2.kernel[j * OUT + k];
      expect(z[r * OUT + k]).toBeCloseTo(v, 4);
    }
  }
  expect(parameterCount(net)).toBe(IN * H + H + H + H * OUT + OUT);
  expect(multiplyAdds(net)).toBe(IN * H + H + H * OUT);
});

test('the penalty sees each scale as a group, and the prox can silence a channel', () => {
  const net = network();
  const dense = { ...net, layers: [net.layers[0], net.layers[2]] };
  const s = (net.layers[1] as unknown as ScaleLayer).scale;
  const sumAbs = s.reduce((a, v) => a + Math.abs(v), 0);
  expect(penaltyValue(net.layers, 'gl', 1)).toBeCloseTo(penaltyValue(dense.layers, 'gl', 1) + sumAbs, 4);
  proxLayers(net.layers, 'gl', 1, 0.6); // shrinks each scale by 0.6: 0.5 dies, 0.8 -> 0.2
  const after = (net.layers[1] as unknown as ScaleLayer).scale;
  [1.5 - 0.6, 0, 0, 2 - 0.6, 0.8 - 0.6].forEach((v, c) => expect(after[c]).toBeCloseTo(v, 6));
  expect(after[1]).toBe(0);
  expect(after[2]).toBe(0);
});

test('pruning removes the coupled channel sets exactly, the scale entries with them', () => {
  const net = network();
  const { network: pruned, report } = pruneNetwork(net);
  const s = pruned.layers[1] as unknown as ScaleLayer;
  expect(s.channels).toBe(2); // channels 0 and 2 survive
  expect(Array.from(s.scale)).toEqual([1.5, -0.5]);
  expect(pruned.layers[0].outSize).toBe(2);
  expect(pruned.layers[2].inSize).toBe(2);
  expect(report.hiddenLayers).toEqual([expect.objectContaining({ before: 5, after: 2, removedUnused: 1, removedConstant: 2 })]);
  const a = logits(net, x, ROWS);
  const b = logits(pruned, x, ROWS);
  a.forEach((v, i) => expect(b[i]).toBeCloseTo(v, 5));
});

test('the pruned network exports to ONNX and onnxruntime agrees with it', async () => {
  const { network: pruned } = pruneNetwork(network());
  const bytes = exportOnnx(pruned, { producerVersion: 'test' });
  const r = await verifyOnnx({ onnx: bytes, reference: pruned, features: x, rows: ROWS });
  expect(r.ok).toBe(true);
  expect(r.agreement).toBe(1);
  expect(r.maxProbDiff).toBeLessThan(1e-5);
  // and the unpruned network with its scale layer exports as well
  const full = network();
  const all = await verifyOnnx({ onnx: exportOnnx(full, { producerVersion: 'test' }), reference: full, features: x, rows: ROWS });
  expect(all.ok).toBe(true);
});
