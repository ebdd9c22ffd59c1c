/**
 * Sweep ids from content: the same grid over copies of the same data in different places gets the
 * same ids; stores from before content hashes (absolute paths, path-based ids) are migrated and
 * resume without retraining; sweep runs record their wall time and no absolute path.
 */
import { createHash } from 'crypto';
import * as fs from 'fs';
import * as path from 'path';
import { hashFile } from '../../src/data/content-hash';
import { canonicalJson } from '../../src/sweep/config-id';
import { expandGrid } from '../../src/sweep/grid';
import { mergeStores } from '../../src/sweep/merge';
import { runSweep } from '../../src/sweep/run-sweep';
import { readStore, STORE_FILE, writeStore } from '../../src/sweep/store';
import type { RunRecord } from '../../src/sweep/types';
import { makeTempDir, tinyGrid, writeTinyCsv } from './helpers';

const dir = makeTempDir();
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

/** A copy of the tiny data in its own folder (as another machine would mount it). */
function copyAt(name: string, rows = 300): string {
  const d = path.join(dir, name);
  fs.mkdirSync(d, { recursive: true });
  return writeTinyCsv(d, rows);
}

const small = (csv: string) => tinyGrid(csv, { optimizer: ['adam'], penalty: ['gl'] }); // 2 configurations

test('the same grid over the same bytes gets the same ids wherever the data lies; other bytes get other ids', () => {
  const a = copyAt('machine-a/data');
  const b = copyAt('machine-b/mnt/deep/data');
  const ids = (csv: string, base?: string) => expandGrid(small(csv), base).map((p) => p.id);
  expect(ids(a)).toHaveLength(2);
  expect(ids(b, path.join(dir, 'elsewhere'))).toEqual(ids(a));
  expect(ids(copyAt('machine-c', 299))).not.toEqual(ids(a));
  const p = expandGrid(small(b), path.join(dir, 'machine-b', 'store'))[0];
  expect(p.config.data).toEqual({ data: '../mnt/deep/data/tiny.csv', dataHash: hashFile(b) });
});

test('a sweep run saves its wall time and refers to its data without absolute paths', async () => {
  const csv = copyAt('walls');
  const out = path.join(dir, 'walls', 'out');
  const r = await runSweep({ grid: small(csv), out, workers: 0 });
  expect(r.ran).toBe(2);
  for (const rec of r.records) {
    const text = fs.readFileSync(path.join(out, rec.runDir, 'gs-run.json'), 'utf8');
    const saved = JSON.parse(text) as { summary: { wallSeconds: number }; config: { dataSpec: unknown }; data: unknown };
    expect(rec.summary.wallSeconds).toBeGreaterThan(0);
    expect(rec.summary.wallSeconds).toBeGreaterThanOrEqual(rec.summary.seconds);
    expect(saved.summary.wallSeconds).toBe(rec.summary.wallSeconds);
    expect(text).not.toContain(dir);
    expect(saved.config.dataSpec).toMatchObject({ data: '../../../tiny.csv' });
    expect(saved.data).toMatchObject({ kind: 'file', files: ['../../../tiny.csv'], hashes: [rec.config.data.dataHash] });
  }
  expect(fs.readFileSync(path.join(out, STORE_FILE), 'utf8')).not.toContain(dir);
});

/** The id a configuration had before content hashes: its data spec with absolute paths, hashed as it was. */
function oldStyle(r: RunRecord, csv: string): RunRecord {
  const config = { ...r.config, data: { data: csv } };
  const id = createHash('sha256').update(canonicalJson(config)).digest('hex').slice(0, 12);
  return { ...r, id, config, runDir: `runs/${id}` };
}

test('a store from before content hashes is migrated on reading: resume trains nothing, merge finds no new configurations', async () => {
  const csv = copyAt('legacy');
  const out = path.join(dir, 'legacy', 'out');
  const grid = small(csv);
  const fresh = await runSweep({ grid, out, workers: 0 });
  const newIds = fresh.records.map((r) => r.id).sort();
  // Turn it into what an older gs-compress wrote: absolute paths, path-based ids, runs/<old id>.
  const legacy = fresh.records.map((r) => oldStyle(r, csv));
  for (let i = 0; i < legacy.length; i++) fs.renameSync(path.join(out, fresh.records[i].runDir), path.join(out, legacy[i].runDir));
  writeStore(path.join(out, STORE_FILE), legacy);
  expect(legacy.map((r) => r.id).sort()).not.toEqual(newIds);

  const read = readStore(out);
  expect(read.migrated).toBe(2);
  expect(read.records.map((r) => r.id).sort()).toEqual(newIds);
  const again = await runSweep({ grid, out, workers: 0 });
  expect(again).toMatchObject({ ran: 0, skipped: 2 });
  const rewritten = readStore(out);
  expect(rewritten.migrated).toBe(0); // written back by the repair
  expect(rewritten.records.map((r) => r.runDir).sort()).toEqual(legacy.map((r) => r.runDir).sort()); // their folders are kept
  expect(fs.readFileSync(path.join(out, STORE_FILE), 'utf8')).not.toContain(dir);

  // Another legacy copy merged with a current store of the same grid: every configuration once.
  const other = path.join(dir, 'legacy', 'other');
  await runSweep({ grid, out: other, workers: 0 });
  const old2 = path.join(dir, 'legacy', 'old2');
  fs.mkdirSync(old2);
  writeStore(
    path.join(old2, STORE_FILE),
    legacy.map((r) => ({ ...r, runDir: path.join(out, r.runDir) })),
  );
  const m = mergeStores(path.join(dir, 'legacy', 'merged'), [other, old2]);
  expect(m).toMatchObject({ added: 2, duplicates: 2 });
  expect(m.records.map((r) => r.id).sort()).toEqual(newIds);
});

test('a legacy record whose data is gone keeps the id its path gives, which is the id it always had', () => {
  const gone = path.join(dir, 'nowhere', 'data.csv');
  const store = path.join(dir, 'gone-store');
  fs.mkdirSync(store);
  const base = expandGrid(small(copyAt('gone')))[0];
  const rec = oldStyle(
    {
      id: base.id,
      config: base.config,
      runDir: 'runs/x',
      summary: { testAccuracy: 0.5, nonzeroParams: 1 } as RunRecord['summary'],
      history: [],
      finishedAt: '',
    },
    gone,
  );
  writeStore(path.join(store, STORE_FILE), [rec]);
  const read = readStore(store);
  expect(read.migrated).toBe(0);
  expect(read.records[0].id).toBe(rec.id);
  expect(expandGrid(small(gone)).map((p) => p.id)).toContain(rec.id);
});
