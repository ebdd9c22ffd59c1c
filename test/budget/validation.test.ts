/** The budget trainer's scoring and decisions never see a test row (nor a validation row): spies on what they receive. */
import { withValidation } from '../../src/data/split';
import type { Table } from '../../src/data/types';
import * as engineStatsModule from '../../src/train/budget/engine-stats';
import * as softTargetsModule from '../../src/train/soft-targets';
import * as engines from '../../src/train/engines';
import { initNetwork } from '../../src/network/create';
import { trainToBudget } from '../../src/pipeline/budget';
import { sizePath } from '../../src/pipeline/size-path';
import { idData } from '../data/helpers';

afterEach(() => jest.restoreAllMocks());

const rowIds = (t: Pick<Table, 'rows' | 'cols' | 'features'>) => Array.from({ length: t.rows }, (_, r) => t.features[r * t.cols]);

function spies() {
  const stats = jest.spyOn(engineStatsModule, 'engineStats');
  const soft = jest.spyOn(softTargetsModule, 'softTargets');
  const engine = jest.spyOn(engines, 'createEngine');
  return { stats, soft, engine };
}

function checkNoHeldOutRow(s: ReturnType<typeof spies>, heldOut: Set<number>): number {
  let scored = 0;
  for (const call of s.stats.mock.calls) {
    for (const id of rowIds(call[1])) {
      expect(id).toBeLessThan(100000); // a test row has an id from 100000
      expect(heldOut.has(id)).toBe(false);
      scored++;
    }
  }
  for (const call of s.soft.mock.calls) for (const id of rowIds(call[1] as Table)) expect(heldOut.has(id) || id >= 100000).toBe(false);
  for (const call of s.engine.mock.calls) {
    const d = call[1];
    // rows hold the network's inputs, or every column of the data when it reads kept ones in place
    const w = d.inputColumns?.width ?? d.cols;
    for (let r = 0; r < d.rows; r++) expect(heldOut.has(d.x[r * w]) || d.x[r * w] >= 100000).toBe(false);
  }
  return scored;
}

const cfg = { hidden: [6], epochs: 4, engine: 'fused-js' as const, seed: 2, valFraction: 0.2 };

test('trainToBudget scores units on the rows trained on: no test row, no validation row', async () => {
  const data = idData(150, 50);
  const heldOut = new Set(rowIds(withValidation(data, 0.2).val as Table));
  expect(heldOut.size).toBe(30);
  const s = spies();
  const teacher = initNetwork({ inputWidth: 2, hidden: [6], classes: 2 }, 1, { scaling: null });
  const b = await trainToBudget(
    data,
    cfg,
    { targetRatio: 0.3, finetuneEpochs: 1, distill: { teacher } },
    { train: { standardize: false }, finetune: { standardize: false } },
  );
  expect(b.projections.length).toBeGreaterThan(0);
  expect(checkNoHeldOutRow(s, heldOut)).toBeGreaterThan(0);
  expect(s.soft).toHaveBeenCalled();
  for (const rec of b.result.history) expect(rec.valAccuracy).toEqual(expect.any(Number));
});

test('a size path (every stop a budget run) scores on training rows only', async () => {
  const data = idData(150, 50);
  const heldOut = new Set(rowIds(withValidation(data, 0.2).val as Table));
  const s = spies();
  const stops = await sizePath(data, cfg, { ratios: [0.5, 0.25], finetuneEpochs: 1 }, () => ({
    train: { standardize: false },
    finetune: { standardize: false },
  }));
  expect(stops).toHaveLength(2);
  expect(checkNoHeldOutRow(s, heldOut)).toBeGreaterThan(0);
});
