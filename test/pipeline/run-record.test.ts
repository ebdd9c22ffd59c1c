/**
 * The typed, versioned run record: every gs-run.json committed to this repository (written by
 * earlier versions) reads as the current version; a version-1 size-path stop's field names are
 * migrated; a record from a newer gs-compress is refused with a message; new runs are written in
 * the current version.
 */
import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { initNetwork } from '../../src/network/create';
import { loadRun, RUN_FILE, RUN_RECORD_VERSION, saveRun } from '../../src/network/run-io';
import { migrateRunInfo, readRunRecord } from '../../src/pipeline/run-record';
import { runDirRecord } from '../../src/sweep/run-dir-record';
import { migrateRecord } from '../../src/sweep/store';
import { summaryScore } from '../../src/network/tasks';

const root = path.resolve(__dirname, '../..');
const committed = execFileSync('git', ['ls-files', '*gs-run.json'], { cwd: root, encoding: 'utf8' })
  .split('\n')
  .filter((f) => f.length > 0)
  .map((f) => path.dirname(path.join(root, f)));
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'gs-run-record-'));
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

test('every committed run (models/, reports/) reads as the current version, typed', () => {
  expect(committed.length).toBeGreaterThan(10);
  for (const d of committed) {
    const { record, storedVersion, network } = readRunRecord(d);
    expect(storedVersion).toBeLessThanOrEqual(RUN_RECORD_VERSION);
    expect(record.version).toBe(RUN_RECORD_VERSION);
    expect(Array.isArray(record.history)).toBe(true);
    expect(typeof record.engine).toBe('string');
    expect(record.summary?.seconds).toEqual(expect.any(Number));
    expect(record.summary?.wallSeconds).toBeGreaterThanOrEqual(record.summary!.seconds!);
    expect(network.layers.length).toBeGreaterThan(0);
    // and as store records for reports and sweeps
    expect(runDirRecord(d).summary.seconds).toBe(record.summary?.seconds);
  }
});

test("version 1 -> 2: a size-path stop's trainSeconds becomes seconds, wallSeconds defaults to it", () => {
  const v1 = {
    format: 'gs-compress-run' as const,
    version: 1 as const,
    generatedBy: 'gs-compress 0.1.0',
    createdAt: '2026-11-30T00:00:00Z',
    summary: { testAccuracy: 0.9, trainSeconds: 12.5, compactParams: 700 },
  };
  const r = migrateRunInfo(v1);
  expect(r.version).toBe(RUN_RECORD_VERSION);
  expect(r.summary).toEqual({ testAccuracy: 0.9, seconds: 12.5, wallSeconds: 12.5, compactParams: 700 });
  expect(r.history).toEqual([]);
  expect(r.config).toEqual({});
  expect(r.engine).toBe('');
  // a current record passes through unchanged
  const v2 = { ...v1, version: 2 as const, summary: { testAccuracy: 0.9, seconds: 3, wallSeconds: 4 } };
  expect(migrateRunInfo(v2).summary).toEqual(v2.summary);
});

test('new runs are written in the current version; a newer version is refused with a message', () => {
  const net = initNetwork({ inputWidth: 3, hidden: [2], classes: 2 }, 1);
  const d = path.join(dir, 'run');
  saveRun(d, net, { generatedBy: 'test', createdAt: new Date().toISOString(), summary: { seconds: 1, wallSeconds: 1 } });
  expect(loadRun(d).info.version).toBe(RUN_RECORD_VERSION);
  const file = path.join(d, RUN_FILE);
  const json = JSON.parse(fs.readFileSync(file, 'utf8')) as { version: number };
  fs.writeFileSync(file, JSON.stringify({ ...json, version: RUN_RECORD_VERSION + 1 }));
  expect(() => loadRun(d)).toThrow(new RegExp(`version ${RUN_RECORD_VERSION + 1} was written by a newer gs-compress`));
});

test("version 2 -> 3: a regressor's R^2 leaves the accuracy fields for its own names; a classifier's stays", () => {
  const base = { format: 'gs-compress-run' as const, version: 2 as const, generatedBy: 'g', createdAt: 'c' };
  const reg = migrateRunInfo({
    ...base,
    summary: { task: 'regression', testAccuracy: 0.91, trainAccuracy: 0.95, valAccuracy: 0.9, testR2: 0.91, testRmse: 0.3 },
  });
  expect(reg.summary).toEqual({ task: 'regression', testR2: 0.91, trainR2: 0.95, valR2: 0.9, testRmse: 0.3 });
  expect(summaryScore(reg.summary!, 'val')).toBe(0.9);
  const cls = migrateRunInfo({ ...base, summary: { testAccuracy: 0.97, valAccuracy: 0.96 } });
  expect(cls.summary).toEqual({ testAccuracy: 0.97, valAccuracy: 0.96 });
  expect(summaryScore(cls.summary!, 'test')).toBe(0.97);
  // a sweep store's record of a regressor is migrated the same way on reading
  const rec = migrateRecord({ id: 'x', runDir: 'runs/x', config: {}, summary: reg.summary, history: [], finishedAt: '' } as never, dir);
  expect(rec.summary).toEqual(reg.summary);
  const old = migrateRecord(
    {
      id: 'y',
      runDir: 'runs/y',
      config: {},
      summary: { task: 'regression', testAccuracy: 0.8, testR2: 0.8 },
      history: [],
      finishedAt: '',
    } as never,
    dir,
  );
  expect(old.summary).toEqual({ task: 'regression', testR2: 0.8 });
});
