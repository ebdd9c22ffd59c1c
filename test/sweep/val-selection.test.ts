/** Selection by validation score: where validation and test disagree, the validation score decides; test is the final figure. */
import * as fs from 'fs';
import * as path from 'path';
import { paretoFront, rankRuns, selectBest, selectionMetric, sparsestWithin } from '../../src/sweep/select';
import { STORE_FILE, writeStore } from '../../src/sweep/store';
import type { RunRecord } from '../../src/sweep/types';
import { parseAs } from '../helpers/json';
import { configId } from '../../src/sweep/config-id';
import { expandGrid } from '../../src/sweep/grid';
import { fakeRecord, makeTempDir, runCli, tinyGrid, writeTinyCsv } from './helpers';

/** A record whose validation and test scores are given separately. */
function rec(id: string, val: number | undefined, test: number, nonzero: number): RunRecord {
  const r = fakeRecord(id, test, nonzero);
  if (val !== undefined) r.summary.valAccuracy = val;
  r.config.train = {
    hidden: [4],
    optimizer: 'adam',
    lr: 0.001,
    epochs: 1,
    batchSize: 32,
    seed: 0,
    penalty: 'none',
    lambda: 0,
  } as RunRecord['config']['train'];
  return r;
}

// test prefers 'testbest' by far; validation prefers 'valbest'
const records = [rec('testbest', 0.8, 0.99, 100), rec('valbest', 0.95, 0.85, 200), rec('small', 0.947, 0.7, 50)];

test('the best, the sparsest within a tolerance and the Pareto front are chosen by validation score', () => {
  expect(selectionMetric(records)).toEqual({ key: 'val' });
  expect(selectBest(records)?.id).toBe('valbest');
  expect(sparsestWithin(records, 0.005)?.id).toBe('small'); // 0.947 is within 0.5 points of 0.95 (test 0.7 is not of 0.99)
  expect(sparsestWithin(records, 0.001)?.id).toBe('valbest');
  expect(paretoFront(records).map((r) => r.id)).toEqual(['small', 'valbest']);
  expect(rankRuns(records).map((r) => r.id)).toEqual(['valbest', 'small', 'testbest']);
});

test('records without a validation score (old stores, --val-fraction 0) fall back to test, with a note', () => {
  const old = [rec('old1', undefined, 0.9, 100), rec('old2', undefined, 0.8, 50)];
  const m = selectionMetric(old);
  expect(m.key).toBe('test');
  expect(m.note).toMatch(/the 2 runs record no validation score.*selected by test/);
  expect(selectBest(old)?.id).toBe('old1');
  // one old record among new ones: every run is compared by test, and the note says how many lack validation
  const mixed = [...records, rec('old', undefined, 0.5, 10)];
  expect(selectionMetric(mixed).note).toMatch(/^1 of 4 runs record no validation score/);
  expect(selectBest(mixed)?.id).toBe('testbest');
});

test('sweep show picks by validation and labels validation as what selects and test as the final figure', async () => {
  const dir = makeTempDir();
  try {
    writeStore(path.join(dir, STORE_FILE), records);
    const shown = await runCli(['sweep', 'show', dir, '--tolerance', '0.001']);
    expect(shown.code).toBe(0);
    expect(shown.out).toMatch(/Best validation score:\n.*val acc \(selects\).*test acc \(final\)/);
    const bestBlock = shown.out.split('Best validation score:')[1].split('\n\n')[0];
    expect(bestBlock).toContain('valbest');
    expect(bestBlock).toContain('95.00%');
    expect(bestBlock).toContain('85.00%');
    expect(bestBlock).not.toContain('testbest');
    const j = parseAs<{ selectedBy: string; best: { id: string }; pareto: { id: string }[] }>(
      (await runCli(['sweep', 'show', dir, '--json'])).out,
    );
    expect(j.selectedBy).toBe('validation');
    expect(j.best.id).toBe('valbest');
    // an old store: still shown, selected by test with the note
    writeStore(path.join(dir, STORE_FILE), [rec('old1', undefined, 0.9, 100), rec('old2', undefined, 0.8, 50)]);
    const old = await runCli(['sweep', 'show', dir]);
    expect(old.code).toBe(0);
    expect(old.out).toMatch(/note: the 2 runs record no validation score/);
    expect(old.out).toContain('Best test score');
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test('train and sweep refuse --val-fraction below 0 or from 1 on, with one line', async () => {
  const dir = makeTempDir();
  try {
    const csv = writeTinyCsv(dir, 60);
    for (const args of [
      ['train', '--data', csv, '--epochs', '1', '--val-fraction', '1'],
      ['train', '--data', csv, '--epochs', '1', '--val-fraction', '-0.1'],
      ['sweep', '--data', csv, '--epochs', '1', '--val-fraction', '1.5', '--out', path.join(dir, 's'), '--workers', '0'],
    ]) {
      const r = await runCli(args);
      expect(r.code).not.toBe(0);
      const lines = r.err.trim().split('\n');
      expect(lines).toHaveLength(1);
      expect(lines[0]).toMatch(/--val-fraction \S+: expected a number in \[0, 1\)/);
    }
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test('a configuration with --val-fraction 0 keeps the id it had before validation splits; the default gets a new one', () => {
  const dir = makeTempDir();
  try {
    const csv = writeTinyCsv(dir, 60);
    const none = expandGrid(tinyGrid(csv, { valFraction: 0 }));
    const dflt = expandGrid(tinyGrid(csv));
    expect(none[0].config.train.valFraction).toBe(0);
    expect(dflt[0].config.train.valFraction).toBe(0.1);
    const { valFraction: _drop, ...before } = none[0].config.train; // as a configuration was written before the field existed
    expect(configId({ ...none[0].config, train: before })).toBe(none[0].id);
    expect(dflt[0].id).not.toBe(none[0].id);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
