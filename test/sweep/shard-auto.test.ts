/**
 * `--shard auto`: the slice from Kubernetes Indexed Job or Slurm job array variables, with clear
 * errors; and three shards run as separate processes, each in its own working folder with its own
 * copy of the data, merged, give the same store as one unsharded sweep.
 */
import * as fs from 'fs';
import * as path from 'path';
import { runSweep } from '../../src/sweep/run-sweep';
import { shardFromEnv, parseShard } from '../../src/sweep/shard';
import { readStore } from '../../src/sweep/store';
import { makeTempDir, runCli, spawnCli, tinyGrid, waitExit, writeTinyCsv } from './helpers';

const dir = makeTempDir('gs-shard-');
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

describe('shardFromEnv', () => {
  test('Kubernetes Indexed Jobs: 0-based JOB_COMPLETION_INDEX, count from --shard-count or GS_SHARD_COUNT', () => {
    expect(shardFromEnv({ env: { JOB_COMPLETION_INDEX: '0' }, count: 4 })).toEqual({ index: 1, count: 4, source: 'kubernetes' });
    expect(shardFromEnv({ env: { JOB_COMPLETION_INDEX: '3', GS_SHARD_COUNT: '4' } })).toEqual({ index: 4, count: 4, source: 'kubernetes' });
    expect(() => shardFromEnv({ env: { JOB_COMPLETION_INDEX: '2' } })).toThrow(
      /JOB_COMPLETION_INDEX=2 .* pass --shard-count N or set GS_SHARD_COUNT/,
    );
    expect(() => shardFromEnv({ env: { JOB_COMPLETION_INDEX: '4', GS_SHARD_COUNT: '4' } })).toThrow(/slice 5 of 4/);
    expect(() => shardFromEnv({ env: { JOB_COMPLETION_INDEX: 'x' }, count: 2 })).toThrow(/JOB_COMPLETION_INDEX="x" is not valid/);
  });

  test('Slurm job arrays: zero-based, one-based (SLURM_ARRAY_TASK_MIN) and stepped arrays', () => {
    expect(shardFromEnv({ env: { SLURM_ARRAY_TASK_ID: '0', SLURM_ARRAY_TASK_COUNT: '3' } })).toEqual({
      index: 1,
      count: 3,
      source: 'slurm',
    });
    const oneBased = { SLURM_ARRAY_TASK_MIN: '1', SLURM_ARRAY_TASK_COUNT: '8' };
    expect(shardFromEnv({ env: { ...oneBased, SLURM_ARRAY_TASK_ID: '1' } }).index).toBe(1);
    expect(shardFromEnv({ env: { ...oneBased, SLURM_ARRAY_TASK_ID: '8' } }).index).toBe(8);
    const stepped = { SLURM_ARRAY_TASK_MIN: '0', SLURM_ARRAY_TASK_STEP: '2', SLURM_ARRAY_TASK_COUNT: '8' };
    expect(shardFromEnv({ env: { ...stepped, SLURM_ARRAY_TASK_ID: '14' } })).toEqual({ index: 8, count: 8, source: 'slurm' });
    expect(() => shardFromEnv({ env: { ...stepped, SLURM_ARRAY_TASK_ID: '3' } })).toThrow(/not in the array/);
    expect(() => shardFromEnv({ env: { SLURM_ARRAY_TASK_ID: '2' } })).toThrow(/SLURM_ARRAY_TASK_COUNT is not/);
  });

  test('outside an array job, auto says what it looked for; --shard-count only goes with auto', () => {
    expect(() => shardFromEnv({ env: {} })).toThrow(
      /not running as an array-job task; expected JOB_COMPLETION_INDEX .* SLURM_ARRAY_TASK_ID/,
    );
    expect(() => parseShard('2/4', { count: 4 })).toThrow(/--shard-count goes with --shard auto/);
    expect(parseShard('auto', { env: { JOB_COMPLETION_INDEX: '1' }, count: 2 })).toMatchObject({ index: 2, count: 2 });
  });

  test('the CLI prints the error and exits non-zero', async () => {
    const old = process.env.JOB_COMPLETION_INDEX;
    process.env.JOB_COMPLETION_INDEX = '1';
    try {
      const csv = writeTinyCsv(makeTempDir('gs-shard-cli-'));
      const r = await runCli(['sweep', '--data', csv, '--shard', 'auto', '--out', path.join(dir, 'never'), '--workers', '0']);
      expect(r.code).not.toBe(0);
      expect(r.err).toMatch(/JOB_COMPLETION_INDEX=1 .*--shard-count N/);
      expect(r.err).not.toMatch(/\n\s+at /); // no stack trace
      expect(fs.existsSync(path.join(dir, 'never'))).toBe(false);
    } finally {
      if (old === undefined) delete process.env.JOB_COMPLETION_INDEX;
      else process.env.JOB_COMPLETION_INDEX = old;
    }
  });
});

test('3 shards as separate processes in separate folders, merged, equal one unsharded sweep', async () => {
  const flags = ['--hidden', '4', '--optimizer', 'adam', '--lr', '1e-2,5e-3,1e-3', '--seed', '0,1', '--penalty', 'gl', '--lambda', '1e-3'];
  const common = [
    'sweep',
    '--data',
    'data/tiny.csv',
    ...flags,
    '--epochs',
    '1',
    '--workers',
    '0',
    '--shard',
    'auto',
    '--out',
    'out',
    '--json',
  ];
  const clean = Object.fromEntries(Object.entries(process.env).filter(([k]) => !/^(SLURM_|JOB_COMPLETION_INDEX|GS_SHARD_COUNT)/.test(k)));
  // Two tasks of a Kubernetes Indexed Job and one of a 1-based Slurm array: each sees only its variables.
  const envs: NodeJS.ProcessEnv[] = [
    { ...clean, JOB_COMPLETION_INDEX: '0', GS_SHARD_COUNT: '3' },
    { ...clean, SLURM_ARRAY_TASK_ID: '2', SLURM_ARRAY_TASK_MIN: '1', SLURM_ARRAY_TASK_MAX: '3', SLURM_ARRAY_TASK_COUNT: '3' },
    { ...clean, JOB_COMPLETION_INDEX: '2', GS_SHARD_COUNT: '3' },
  ];
  const folders = envs.map((_, k) => {
    const f = path.join(dir, `node-${k}`, 'work');
    fs.mkdirSync(path.join(f, 'data'), { recursive: true });
    writeTinyCsv(path.join(f, 'data'), 120);
    return f;
  });
  const runs = await Promise.all(envs.map((env, k) => waitExit(spawnCli(common, folders[k], env))));
  runs.forEach((r) => expect({ code: r.code, err: r.code === 0 ? '' : r.err }).toEqual({ code: 0, err: '' }));
  const shards = runs.map((r) => JSON.parse(r.out) as { total: number; gridSize: number; shard: unknown });
  expect(shards.map((s) => [s.gridSize, s.total])).toEqual([
    [6, 2],
    [6, 2],
    [6, 2],
  ]);
  expect(shards.map((s) => s.shard)).toEqual([
    { index: 1, count: 3, source: 'kubernetes' },
    { index: 2, count: 3, source: 'slurm' },
    { index: 3, count: 3, source: 'kubernetes' },
  ]);

  const merged = path.join(dir, 'merged');
  const m = await runCli(['sweep', 'merge', merged, ...folders.map((f) => path.join(f, 'out')), '--json']);
  expect(m.code).toBe(0);
  expect(JSON.parse(m.out)).toMatchObject({ runs: 6, added: 6, duplicates: 0, missingRuns: [] });

  const alone = path.join(dir, 'alone');
  fs.mkdirSync(alone);
  const csv = writeTinyCsv(alone, 120);
  const grid = tinyGrid(csv, { hidden: [[4]], optimizer: ['adam'], lr: [1e-2, 5e-3, 1e-3], seed: [0, 1], penalty: ['gl'] });
  const one = await runSweep({ grid, out: path.join(alone, 'out'), workers: 0 });
  expect(one.ran).toBe(6);

  const byId = (records: ReturnType<typeof readStore>['records']) => new Map(records.map((r) => [r.id, r]));
  const got = byId(readStore(merged).records);
  const want = byId(one.records);
  expect(readStore(merged).records).toHaveLength(6);
  expect([...got.keys()].sort()).toEqual([...want.keys()].sort());
  for (const [id, r] of want) {
    const g = got.get(id)!;
    expect(g.config.train).toEqual(r.config.train);
    expect(g.config.data.dataHash).toBe(r.config.data.dataHash);
    expect(g.summary.testAccuracy).toBe(r.summary.testAccuracy); // same seed, same engine, same data: same run
    expect(fs.existsSync(path.join(merged, g.runDir, 'gs-run.json'))).toBe(true);
  }
  expect(fs.readFileSync(path.join(merged, 'results.jsonl'), 'utf8')).not.toContain(dir);
}, 120_000);
