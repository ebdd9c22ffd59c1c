/** The results store: a truncated last line is tolerated and redone; merging stores; `sweep show`. */
import * as fs from 'fs';
import * as path from 'path';
import { expandGrid } from '../../src/sweep/grid';
import { mergeStores } from '../../src/sweep/merge';
import { runSweep } from '../../src/sweep/run-sweep';
import { readStore, STORE_FILE } from '../../src/sweep/store';
import { makeTempDir, runCli, storeLines, tinyGrid, writeTinyCsv } from './helpers';
import type { MergeResult } from '../../src/sweep/merge';
import type { RunRecord } from '../../src/sweep/types';
import { parseAs } from '../helpers/json';

const dir = makeTempDir();
const csv = writeTinyCsv(dir);
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

test('a truncated last line is ignored, the store repaired atomically, and that config redone', async () => {
  const out = path.join(dir, 'trunc');
  const grid = tinyGrid(csv);
  const first = await runSweep({ grid, out, workers: 0 });
  expect(first).toMatchObject({ total: 8, ran: 8, skipped: 0 });
  const file = path.join(out, STORE_FILE);
  const text = fs.readFileSync(file, 'utf8');
  const lines = storeLines(file);
  const lastId = parseAs<RunRecord>(lines[7]).id;
  // cut the last line in half (as a crash during the append would), no trailing newline
  fs.writeFileSync(file, text.slice(0, text.length - Math.floor(lines[7].length / 2) - 1));
  const read = readStore(file);
  expect(read.records).toHaveLength(7);
  expect(read).toMatchObject({ dropped: 1, needsRepair: true });
  const second = await runSweep({ grid, out, workers: 0 });
  expect(second).toMatchObject({ total: 8, ran: 1, skipped: 7 });
  const after = storeLines(file).map((l) => parseAs<RunRecord>(l));
  expect(after).toHaveLength(8);
  expect(after[7].id).toBe(lastId);
  expect(new Set(after.map((r) => r.id))).toEqual(new Set(expandGrid(grid).map((p) => p.id)));
  expect(fs.readFileSync(file, 'utf8').endsWith('\n')).toBe(true);
  // a garbage line in the middle is dropped too
  fs.writeFileSync(file, [...storeLines(file).slice(0, 3), '{"not a record', ...storeLines(file).slice(3)].join('\n') + '\n');
  expect(readStore(file)).toMatchObject({ dropped: 1 });
  expect((await runSweep({ grid, out, workers: 0 })).ran).toBe(0);
  expect(storeLines(file)).toHaveLength(8);
  // records carry the summary and history, and the run directory exists
  const r = after[0];
  expect(r.summary).toMatchObject({ totalParams: 6 * 8 + 8 + 8 * 3 + 3, inputs: 6 });
  expect(r.summary.engine).toContain('fused');
  expect(r.history).toHaveLength(1);
  expect(fs.existsSync(path.join(out, r.runDir, 'gs-run.json'))).toBe(true);
});

test('shards merged with `sweep merge` give the whole grid once, with run folders copied', async () => {
  const grid = tinyGrid(csv, { lr: [1e-2] });
  const a = path.join(dir, 'shard1');
  const b = path.join(dir, 'shard2');
  await runSweep({ grid, out: a, workers: 0, shard: { index: 1, count: 2 } });
  await runSweep({ grid, out: b, workers: 0, shard: { index: 2, count: 2 } });
  await runSweep({ grid, out: b, workers: 0, shard: { index: 1, count: 2 } }); // overlap: b now has everything
  const merged = path.join(dir, 'merged');
  const r = mergeStores(merged, [a, path.join(b, STORE_FILE)]);
  expect(r).toMatchObject({ added: 4, duplicates: 2, missingRuns: [] });
  const ids = readStore(merged).records.map((x) => x.id);
  expect(new Set(ids)).toEqual(new Set(expandGrid(grid).map((p) => p.id)));
  expect(ids).toHaveLength(4);
  for (const id of ids) expect(fs.existsSync(path.join(merged, 'runs', id, 'model.json'))).toBe(true);
  const show = await runCli(['sweep', 'show', merged]);
  expect(show.code).toBe(0);
  expect(show.out).toContain('Best validation score');
  expect(show.out).toContain('Pareto front');
  expect(show.out).toMatch(/next: gs-compress prune \S+runs\/[0-9a-f]{12} --export model\.onnx/);
  const j = parseAs<{ runs: number; sparsest: RunRecord }>(
    (await runCli(['sweep', 'show', path.join(merged, STORE_FILE), '--json', '--tolerance', '1'])).out,
  );
  expect(j.runs).toBe(4);
  expect(j.sparsest.summary.nonzeroParams).toBe(Math.min(...readStore(merged).records.map((x) => x.summary.nonzeroParams)));
  const cli = await runCli(['sweep', 'merge', path.join(dir, 'merged2'), a, b, '--json']);
  expect(parseAs<MergeResult>(cli.out)).toMatchObject({ runs: 4, added: 4, duplicates: 2 });
  expect((await runCli(['sweep', 'show', path.join(dir, 'nowhere')])).code).toBe(1);
});
