/**
 * deploy/: the Kubernetes manifests and the Slurm scripts run as written (with `gs-compress` the
 * CLI from source and the paths moved to a temp folder): each task sweeps its slice, the merge
 * joins them into one store with every configuration once. The manifest's counts agree.
 */
import { spawn } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import { pathToFileURL } from 'url';
import { parse } from 'yaml';
import { expandGrid } from '../../src/sweep/grid';
import { readStore } from '../../src/sweep/store';
import { makeTempDir, tinyGrid, writeTinyCsv } from '../sweep/helpers';

const DEPLOY = path.resolve(__dirname, '../../deploy');
const dir = makeTempDir('gs-deploy-');
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

const csv = writeTinyCsv(dir, 120);
const SWEEP = ['--hidden', '4', '--optimizer', 'adam', '--lr', '1e-2,5e-3,1e-3', '--penalty', 'gl', '--lambda', '1e-3', '--epochs', '1'];
const gridIds = () =>
  expandGrid(tinyGrid(csv, { hidden: [[4]], optimizer: ['adam'], lr: [1e-2, 5e-3, 1e-3], penalty: ['gl'] }))
    .map((p) => p.id)
    .sort();

/** A `gs-compress` on PATH that runs the CLI from source. */
const bin = path.join(dir, 'bin');
fs.mkdirSync(bin);
const cliCmd = `${process.execPath} --import ${pathToFileURL(require.resolve('tsx')).href} ${path.resolve(__dirname, '../sweep/fixtures/cli.ts')}`;
fs.writeFileSync(path.join(bin, 'gs-compress'), `#!/bin/sh\nexec ${cliCmd} "$@"\n`, { mode: 0o755 });

const clean = Object.fromEntries(Object.entries(process.env).filter(([k]) => !/^(SLURM_|JOB_COMPLETION_INDEX|GS_)/.test(k)));

function run(cmd: string, args: string[], env: NodeJS.ProcessEnv, cwd = dir): Promise<{ code: number | null; out: string; err: string }> {
  return new Promise((resolve) => {
    const child = spawn(cmd, args, {
      cwd,
      env: { ...clean, PATH: `${bin}:${process.env.PATH}`, ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    let err = '';
    child.stdout.on('data', (d) => (out += String(d)));
    child.stderr.on('data', (d) => (err += String(d)));
    child.on('close', (code) => resolve({ code, out, err }));
  });
}

const ok = (r: { code: number | null; err: string }) =>
  expect({ code: r.code, err: r.code === 0 ? '' : r.err }).toEqual({ code: 0, err: '' });

test('Slurm: a 1-based array of 2 tasks, then the merge script', async () => {
  const results = path.join(dir, 'slurm');
  const env = { GS_SWEEP_ARGS: ['--data', csv, ...SWEEP].join(' '), GS_RESULTS: results, SLURM_CPUS_PER_TASK: '0' };
  const array = { SLURM_ARRAY_TASK_MIN: '1', SLURM_ARRAY_TASK_MAX: '2', SLURM_ARRAY_TASK_COUNT: '2' };
  const tasks = await Promise.all(
    ['1', '2'].map((id) => run('bash', [path.join(DEPLOY, 'slurm', 'sweep-array.sbatch')], { ...env, ...array, SLURM_ARRAY_TASK_ID: id })),
  );
  tasks.forEach(ok);
  expect(readStore(path.join(results, 'shard-1')).records).toHaveLength(2); // slice 1 of 2 of 3 configurations
  expect(readStore(path.join(results, 'shard-2')).records).toHaveLength(1);
  const merge = await run('bash', [path.join(DEPLOY, 'slurm', 'merge.sbatch')], env);
  ok(merge);
  expect(merge.out).toMatch(/3 runs \(3 added, 0 duplicate/);
  expect(
    readStore(path.join(results, 'merged'))
      .records.map((r) => r.id)
      .sort(),
  ).toEqual(gridIds());
}, 120_000);

interface JobManifest {
  spec: {
    completionMode?: string;
    completions?: number;
    parallelism?: number;
    template: {
      spec: {
        containers: {
          command: string[];
          args: string[];
          env?: { name: string; value: string }[];
          resources?: { requests?: { cpu?: string } };
        }[];
      };
    };
  };
}

test('Kubernetes: the Indexed Job counts agree, and its command run per index then the merge job give the whole grid', async () => {
  const job = parse(fs.readFileSync(path.join(DEPLOY, 'kubernetes', 'sweep-job.yaml'), 'utf8')) as JobManifest;
  const merge = parse(fs.readFileSync(path.join(DEPLOY, 'kubernetes', 'merge-job.yaml'), 'utf8')) as JobManifest;
  expect(job.spec.completionMode).toBe('Indexed');
  const c = job.spec.template.spec.containers[0];
  const env = Object.fromEntries((c.env ?? []).map((e) => [e.name, e.value]));
  expect(Number(env.GS_SHARD_COUNT)).toBe(job.spec.completions);
  expect(job.spec.parallelism).toBe(job.spec.completions);
  expect(env.WORKERS).toBe(c.resources?.requests?.cpu);
  expect(c.args[0]).toMatch(/--shard auto/);
  // Run the pod's command for a 2-index job over the tiny grid, /results moved to a temp folder.
  const results = path.join(dir, 'k8s');
  const moved = (s: string) => s.split('/results').join(results);
  const podEnv = { ...env, GS_SHARD_COUNT: '2', WORKERS: '0', SWEEP_ARGS: ['--data', csv, ...SWEEP].join(' '), GS_DATA_DIR: dir };
  const pods = await Promise.all(
    ['0', '1'].map((i) => run(c.command[0], [...c.command.slice(1), moved(c.args[0])], { ...podEnv, JOB_COMPLETION_INDEX: i })),
  );
  pods.forEach(ok);
  const m = merge.spec.template.spec.containers[0];
  const merged = await run(m.command[0], [...m.command.slice(1), moved(m.args[0])], {});
  ok(merged);
  expect(merged.out).toMatch(/3 runs \(3 added/);
  expect(
    readStore(path.join(results, 'merged'))
      .records.map((r) => r.id)
      .sort(),
  ).toEqual(gridIds());
}, 120_000);
