/**
 * Label smoothing (TrainConfig.labelSmoothing, train --label-smoothing): the reported loss against
 * a hand computation of the cross-entropy with smoothed labels, the fused engines (uniform soft
 * targets) against the tfjs engine (tf.losses.softmaxCrossEntropy's own smoothing), its effect on
 * the weights, the stored default, and the refusals (out of range, regression, with distillation).
 */
import { DEFAULT_VAL_FRACTION, withValidation } from '../../src/data/split';
import { GsError } from '../../src/errors';
import { initNetwork } from '../../src/network/create';
import { logits } from '../../src/network/forward';
import { trainToBudget } from '../../src/pipeline/budget';
import { resolveTrainConfig } from '../../src/train/config';
import { smoothedTargets } from '../../src/train/soft-targets';
import { trainNetwork } from '../../src/train/train';
import { blobs, maxWeightDiff } from './helpers';

/** Mean over rows of -sum_j t_j log softmax(z)_j with t = (1 - eps) onehot(y) + eps / C. */
function smoothedCrossEntropy(z: Float32Array, y: Int32Array, C: number, eps: number): number {
  let total = 0;
  for (let r = 0; r < y.length; r++) {
    const row = Array.from(z.subarray(r * C, r * C + C));
    const m = Math.max(...row);
    const logSum = m + Math.log(row.reduce((s, v) => s + Math.exp(v - m), 0));
    for (let j = 0; j < C; j++) total -= ((j === y[r] ? 1 - eps : 0) + eps / C) * (row[j] - logSum);
  }
  return total / y.length;
}

describe('label smoothing', () => {
  const data = blobs(120, 40, 5, 4, 11);
  // one batch holding every row: the first epoch's loss is the loss of the initial network
  const base = { hidden: [7], epochs: 2, batchSize: 128, seed: 5, optimizer: 'sgd', lr: 0.05 };

  it.each(['fused-js', 'fused'] as const)('%s: an epoch reports the cross-entropy against the smoothed labels', async (engine) => {
    const eps = 0.3;
    // a confident network first (where smoothing matters), then one epoch of one batch holding every
    // row from it: that epoch's loss is the loss of the starting network
    const start = (await trainNetwork(data, resolveTrainConfig({ ...base, epochs: 30, batchSize: 16, optimizer: 'adam', lr: 0.02 })))
      .network;
    const r = await trainNetwork(data, resolveTrainConfig({ ...base, epochs: 1, engine, labelSmoothing: eps }), { init: start });
    // over the rows trained on: the training split without its validation rows (default --val-fraction)
    const { train } = withValidation(data, DEFAULT_VAL_FRACTION);
    const z = logits(start, train.features, train.rows);
    const want = smoothedCrossEntropy(z, train.labels, 4, eps);
    expect(r.history[0].dataLoss).toBeCloseTo(want, 4);
    // and it is not the plain cross-entropy
    expect(Math.abs(want - smoothedCrossEntropy(z, train.labels, 4, 0))).toBeGreaterThan(0.05);
  });

  it('the fused engines and the tfjs engine train the same weights with smoothing', async () => {
    const cfg = { ...base, epochs: 3, batchSize: 16, optimizer: 'adam', lr: 0.01, labelSmoothing: 0.2 };
    const js = await trainNetwork(data, resolveTrainConfig({ ...cfg, engine: 'fused-js' }));
    const simd = await trainNetwork(data, resolveTrainConfig({ ...cfg, engine: 'fused' }));
    const tfjs = await trainNetwork(data, resolveTrainConfig({ ...cfg, engine: 'tfjs', backend: 'cpu' }));
    expect(maxWeightDiff(js.network.layers, tfjs.network.layers)).toBeLessThan(1e-4);
    expect(maxWeightDiff(js.network.layers, simd.network.layers)).toBeLessThan(1e-4);
    tfjs.history.forEach((h, i) => expect(h.dataLoss).toBeCloseTo(js.history[i].dataLoss, 4));
    // smoothing changed the training: the same run without it ends elsewhere
    const plain = await trainNetwork(data, resolveTrainConfig({ ...cfg, labelSmoothing: 0, engine: 'fused-js' }));
    expect(maxWeightDiff(js.network.layers, plain.network.layers)).toBeGreaterThan(1e-3);
  });

  it('smoothed targets are uniform rows weighted 1 - epsilon on the labels', () => {
    const s = smoothedTargets(3, 4, 0.1);
    expect(Array.from(s.probs)).toEqual(new Array(12).fill(0.25));
    expect(s).toMatchObject({ temperature: 1, alpha: 0.9 });
  });

  it('0 is stored as absent; values outside [0, 1) are refused', () => {
    expect('labelSmoothing' in resolveTrainConfig({ labelSmoothing: 0 })).toBe(false);
    expect(resolveTrainConfig({ labelSmoothing: 0.1 }).labelSmoothing).toBe(0.1);
    for (const bad of [1, -0.1, Number.NaN]) expect(() => resolveTrainConfig({ labelSmoothing: bad })).toThrow(/--label-smoothing/);
  });

  it('is refused for regression and together with distillation', async () => {
    const reg = {
      ...data,
      task: 'regression' as const,
      train: { ...data.train, targets: new Float32Array(120) },
      test: { ...data.test, targets: new Float32Array(40) },
    };
    await expect(trainNetwork(reg, resolveTrainConfig({ ...base, hidden: [3], labelSmoothing: 0.1 }))).rejects.toThrow(/classification/);
    const teacher = initNetwork({ inputWidth: 5, hidden: [4], classes: 4 }, 1, {
      classLabels: data.classLabels,
      featureNames: data.featureNames,
    });
    const cfg = resolveTrainConfig({ ...base, labelSmoothing: 0.1 });
    await expect(trainToBudget(data, cfg, { targetRatio: 0.5, finetuneEpochs: 1, distill: { teacher } })).rejects.toThrow(GsError);
    await expect(trainToBudget(data, cfg, { targetRatio: 0.5, finetuneEpochs: 1, distill: { teacher } })).rejects.toThrow(/--distill/);
  });
});
