/** trainNetwork with a validation split: never trains on a validation or test row, scores the validation rows every epoch. */
import * as engines from '../../src/train/engines';
import { resolveTrainConfig } from '../../src/train/config';
import { DEFAULT_CONFIG } from '../../src/train/defaults';
import { trainNetwork } from '../../src/train/train';
import { summarizeTraining } from '../../src/pipeline/summary';
import { withValidation } from '../../src/data/split';
import type { TrainingData } from '../../src/train/types';
import { idData } from '../data/helpers';

afterEach(() => jest.restoreAllMocks());

function trainedIds(spy: jest.SpiedFunction<typeof engines.createEngine>): Set<number> {
  const out = new Set<number>();
  for (const call of spy.mock.calls) {
    const d: TrainingData = call[1];
    for (let r = 0; r < d.rows; r++) out.add(d.x[r * d.cols]);
  }
  return out;
}

test('the default configuration holds out a tenth of the training split; 0 is kept explicit', () => {
  expect(DEFAULT_CONFIG.valFraction).toBe(0.1);
  expect(resolveTrainConfig({}).valFraction).toBe(0.1);
  expect(resolveTrainConfig({ valFraction: 0 }).valFraction).toBe(0);
  expect(() => resolveTrainConfig({ valFraction: 1 })).toThrow(/^--val-fraction 1: expected a number in \[0, 1\)/);
  expect(() => resolveTrainConfig({ valFraction: -0.2 })).toThrow(/^--val-fraction -0.2:/);
});

test('trains on the rows left after the validation split, and records valAccuracy per epoch and in the summary', async () => {
  const spy = jest.spyOn(engines, 'createEngine');
  const data = idData(200, 60);
  const cfg = resolveTrainConfig({ hidden: [4], epochs: 2, engine: 'fused-js', seed: 3 });
  const r = await trainNetwork(data, cfg, { standardize: false });
  const trained = trainedIds(spy);
  const val = withValidation(data, 0.1).val;
  expect(val?.rows).toBe(20);
  expect(trained.size).toBe(180);
  for (let i = 0; i < (val?.rows ?? 0); i++) expect(trained.has(val?.features[i * 2] ?? -1)).toBe(false);
  for (const id of trained) expect(id).toBeLessThan(100000); // no test row
  for (const rec of r.history) expect(rec.valAccuracy).toEqual(expect.any(Number));
  const s = summarizeTraining(r, 2);
  expect(s.valAccuracy).toBe(r.history[r.history.length - 1].valAccuracy);
  // another training seed: the same validation rows (they follow the data's split seed only)
  spy.mockClear();
  await trainNetwork(data, { ...cfg, seed: 9 }, { standardize: false });
  expect(trainedIds(spy)).toEqual(trained);
});

test('--val-fraction 0 trains on the whole training split and records no validation score', async () => {
  const spy = jest.spyOn(engines, 'createEngine');
  const r = await trainNetwork(idData(100, 30), resolveTrainConfig({ hidden: [4], epochs: 1, engine: 'fused-js', valFraction: 0 }), {
    standardize: false,
  });
  expect(trainedIds(spy).size).toBe(100);
  expect(r.history[0].valAccuracy).toBeUndefined();
  expect(summarizeTraining(r, 2).valAccuracy).toBeUndefined();
});
