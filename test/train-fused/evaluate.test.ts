/**
 * The fast evaluator against the reference forward pass: the same predicted class for every row,
 * on networks with pruned input rows, dead hidden units and inputs full of exact zeros, and the
 * same tie-breaking when logits are equal.
 */
import { predictLabels } from '../../src/network/forward';
import type { DenseLayer, Network } from '../../src/network/types';
import { StackEvaluator } from '../../src/train/fused/evaluate';
import { stackAccuracy } from '../../src/train/metrics';
import { randomData, randomLayers } from './helpers';

function asNetwork(layers: DenseLayer[]): Network {
  const w = layers[0].inSize;
  return {
    inputWidth: w,
    inputIndices: Array.from({ length: w }, (_, i) => i),
    scaling: null,
    layers,
    classLabels: Array.from({ length: layers[layers.length - 1].outSize }, (_, i) => String(i)),
    featureNames: Array.from({ length: w }, (_, i) => `x${i}`),
  };
}

describe.each([
  ['two hidden layers, 13 outputs', [20, 17, 9, 13]],
  ['one hidden layer, 8 outputs', [30, 12, 8]],
  ['logistic regression', [7, 3]],
])('StackEvaluator, %s', (_name, sizes) => {
  const layers = randomLayers(sizes, 21, 3);
  // prune some input rows and kill one hidden unit's outgoing weights
  const first = layers[0];
  for (const i of [0, 3]) first.kernel.fill(0, i * first.outSize, (i + 1) * first.outSize);
  if (layers.length > 1) {
    const next = layers[1];
    next.kernel.fill(0, 2 * next.outSize, 3 * next.outSize);
  }
  const data = randomData(400, sizes[0], sizes[sizes.length - 1], 5, 0.3);

  test('predicts what the reference forward pass predicts, row by row', () => {
    const ref = predictLabels(asNetwork(layers), data.x, data.rows);
    const ev = new StackEvaluator(layers);
    const got = Array.from({ length: data.rows }, (_, r) => ev.predictRow(data.x, r * data.cols));
    expect(got).toEqual(Array.from(ref));
    // not a degenerate network that predicts one class
    expect(new Set(got).size).toBeGreaterThan(1);
  });

  test('accuracy over all rows and over a row subset matches counting reference predictions', () => {
    const ref = predictLabels(asNetwork(layers), data.x, data.rows);
    const hits = (rows: number[]) => rows.filter((r) => ref[r] === data.y[r]).length / rows.length;
    const all = Array.from({ length: data.rows }, (_, r) => r);
    const some = all.filter((r) => r % 7 === 3);
    expect(stackAccuracy(layers, data.x, data.y)).toBe(hits(all));
    expect(stackAccuracy(layers, data.x, data.y, Int32Array.from(some))).toBe(hits(some));
    expect(stackAccuracy(layers, data.x, data.y, [])).toBe(0);
  });
});

test('ties go to the first class, as argmax of the reference logits', () => {
  const layers: DenseLayer[] = [
    { op: 'dense' as const, inSize: 2, outSize: 3, kernel: new Float32Array(6), bias: Float32Array.from([0.5, 2, 2]) },
  ];
  const x = Float32Array.from([1, -1, 0, 0]);
  const ev = new StackEvaluator(layers);
  expect(ev.predictRow(x, 0)).toBe(1);
  expect(ev.predictRow(x, 2)).toBe(Array.from(predictLabels(asNetwork(layers), x, 2))[1]);
});
