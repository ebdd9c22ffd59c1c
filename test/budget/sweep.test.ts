/** Budgets in sweeps: grid keys and flags expand to one configuration per budget; each run meets its budget and says so. */
import * as fs from 'fs';
import * as path from 'path';
import { loadDataset } from '../../src/data';
import { parameterCount } from '../../src/network/create';
import { loadRun } from '../../src/network/run-io';
import { trainToBudget } from '../../src/pipeline/budget';
import { expandGrid, runSweep } from '../../src/sweep';
import { parseGridObject } from '../../src/sweep/grid-file';
import { makeTempDir, tinyGrid, writeTinyCsv } from '../sweep/helpers';

test('a grid without budgets keeps its ids; target-ratio lists multiply the configurations', () => {
  const dir = makeTempDir();
  try {
    const csv = writeTinyCsv(dir);
    const plain = expandGrid(tinyGrid(csv));
    const budgeted = expandGrid(tinyGrid(csv, { targetRatio: [0.5, 0.2], finetuneEpochs: [1] }));
    expect(budgeted).toHaveLength(2 * plain.length);
    plain.forEach((p) => expect(p.config.budget).toBeUndefined());
    expect(new Set(budgeted.map((p) => p.id)).size).toBe(budgeted.length);
    expect(budgeted.map((p) => p.config.budget?.targetRatio)).toContain(0.2);
    const file = parseGridObject({ 'target-params': [40, 60], 'finetune-epochs': 2, distill: true }, 'g.json');
    expect(file.grid).toMatchObject({ targetParams: [40, 60], finetuneEpochs: [2], distill: true });
    expect(() => parseGridObject({ 'target-ratio': ['x'] }, 'g.json')).toThrow(/target-ratio/);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test('each budget run of a sweep meets its budget and equals the same budget run alone', async () => {
  const dir = makeTempDir();
  try {
    const grid = tinyGrid(writeTinyCsv(dir), {
      optimizer: ['adam'],
      lr: [5e-3],
      penalty: ['none'],
      hidden: [[8, 8]],
      epochs: [3],
      targetParams: [60, 30],
      finetuneEpochs: [1],
    });
    const points = expandGrid(grid);
    expect(points).toHaveLength(2);
    const sweep = await runSweep({ grid, out: path.join(dir, 'sweep'), workers: 0 });
    expect(sweep.ran).toBe(2);
    for (const p of points) {
      const rec = sweep.records.find((r) => r.id === p.id)!;
      expect(rec.summary.targetParams).toBe(p.config.budget?.targetParams);
      expect(rec.summary.prunedParams).toBeLessThanOrEqual(p.config.budget?.targetParams as number);
      const net = loadRun(path.resolve(dir, 'sweep', rec.runDir)).network;
      expect(parameterCount(net)).toBe(rec.summary.prunedParams);
      const alone = await trainToBudget(await loadDataset(p.config.data), p.config.train, {
        targetParams: p.config.budget?.targetParams,
        finetuneEpochs: 1,
      });
      expect(alone.params).toBe(rec.summary.prunedParams);
      expect(rec.summary.testAccuracy).toBe(alone.result.history[alone.result.history.length - 1].testAccuracy);
    }
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
