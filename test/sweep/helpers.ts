/** Shared helpers for the sweep tests: tiny synthetic data, grids over it, records and the CLI in a child process. */
import { spawn, type ChildProcess } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { pathToFileURL } from 'url';
import { runCli } from '../helpers/cli';
export { runCli };
import { completeGrid, mergeGridInputs } from '../../src/sweep/grid';
import type { GridInput, GridSpec, RunRecord } from '../../src/sweep/types';

export function makeTempDir(prefix = 'gs-sweep-'): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), prefix));
}

/** 300 rows, 6 features, 3 classes c0..c2 that depend on the first three features. */
export function writeTinyCsv(dir: string, rows = 300): string {
  let s = 12345;
  const rand = () => ((s = (s * 1103515245 + 12345) % 2147483648) / 2147483648) * 2 - 1;
  const lines: string[] = [];
  for (let r = 0; r < rows; r++) {
    const x = Array.from({ length: 6 }, rand);
    const y = x[0] + x[1] > 0.3 ? 0 : x[2] > x[0] ? 1 : 2;
    lines.push(`${x.map((v) => v.toFixed(4)).join(',')},c${y}`);
  }
  const file = path.join(dir, 'tiny.csv');
  fs.writeFileSync(file, `${lines.join('\n')}\n`);
  return file;
}

/** A small grid over the tiny data (2 optimizers x 2 lr x (gl, sgl) x 1 lambda = 8 by default). */
export function tinyGrid(csv: string, extra: GridInput = {}): GridSpec {
  return completeGrid(
    mergeGridInputs(
      {
        data: { data: csv },
        hidden: [[8]],
        optimizer: ['adam', 'rmsprop'],
        lr: [5e-3, 1e-3],
        penalty: ['gl', 'sgl'],
        lambda: [1e-3],
        epochs: [1],
      },
      extra,
    ),
  );
}

export function storeLines(file: string): string[] {
  return fs.existsSync(file)
    ? fs
        .readFileSync(file, 'utf8')
        .split('\n')
        .filter((l) => l !== '')
    : [];
}

/** A hand-made record with the given accuracy and nonzero parameter count. */
export function fakeRecord(id: string, testAccuracy: number, nonzeroParams: number, diverged = false): RunRecord {
  return {
    id,
    config: { train: {} as RunRecord['config']['train'], data: {} },
    runDir: `runs/${id}`,
    summary: {
      testAccuracy,
      trainAccuracy: testAccuracy,
      nonzeroParams,
      totalParams: 1000,
      prunedParams: nonzeroParams,
      aliveUnits: [],
      aliveNeurons: 0,
      aliveInputs: 0,
      inputs: 0,
      seconds: 0,
      wallSeconds: 0,
      engine: 'fused-js',
      diverged,
    },
    history: [],
    finishedAt: '',
  };
}

/** The CLI from source in a child process of its own process group (so kill -9 can reach its workers too). */
export function spawnCli(args: string[], cwd: string, env?: NodeJS.ProcessEnv): ChildProcess {
  const loader = pathToFileURL(require.resolve('tsx')).href;
  return spawn(process.execPath, ['--import', loader, path.join(__dirname, 'fixtures', 'cli.ts'), ...args], {
    cwd,
    env: env ?? process.env,
    detached: true,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
}

export function waitExit(child: ChildProcess): Promise<{ code: number | null; signal: NodeJS.Signals | null; out: string; err: string }> {
  let out = '';
  let err = '';
  child.stdout?.on('data', (d) => (out += String(d)));
  child.stderr?.on('data', (d) => (err += String(d)));
  return new Promise((resolve) => child.on('close', (code, signal) => resolve({ code, signal, out, err })));
}
