/**
 * Killing a sweep: a worker killed mid-run is replaced and its config retried; a sweep process
 * killed with SIGKILL (with its workers) resumes and ends with every config exactly once.
 */
import * as fs from 'fs';
import * as path from 'path';
import { expandGrid } from '../../src/sweep/grid';
import { runSweep, type SweepResult } from '../../src/sweep/run-sweep';
import { STORE_FILE } from '../../src/sweep/store';
import type { RunRecord } from '../../src/sweep/types';
import { parseAs } from '../helpers/json';
import { makeTempDir, spawnCli, storeLines, tinyGrid, waitExit, writeTinyCsv } from './helpers';

const dir = makeTempDir();
const csv = writeTinyCsv(dir);
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

function expectEachOnce(out: string, ids: string[]): void {
  const got = storeLines(path.join(out, STORE_FILE)).map((l) => parseAs<RunRecord>(l).id);
  expect([...got].sort()).toEqual([...ids].sort());
  for (const id of ids) expect(fs.existsSync(path.join(out, 'runs', id, 'weights.bin'))).toBe(true);
}

test('a worker killed mid-run is replaced and its configuration redone', async () => {
  const out = path.join(dir, 'worker-kill');
  const grid = tinyGrid(csv, { epochs: [3], hidden: [[16, 16]] });
  const pids: number[] = [];
  let killed = 0;
  const result = await runSweep(
    { grid, out, workers: 2 },
    {
      onWorkerStart: (pid) => pids.push(pid),
      onRunDone: (_r, p) => {
        if (killed === 0 && p.pid) {
          killed = p.pid;
          process.kill(killed, 'SIGKILL'); // it has just been handed its next configuration
        }
      },
    },
  );
  expect(killed).toBeGreaterThan(0);
  expect(pids.length).toBeGreaterThanOrEqual(3); // the killed worker was replaced
  expect(result.failed).toEqual([]);
  expect(result.ran).toBe(8);
  expectEachOnce(
    out,
    expandGrid(grid).map((p) => p.id),
  );
});

test('a sweep killed with kill -9 mid-way resumes without losing or repeating work', async () => {
  const out = path.join(dir, 'sweep-kill');
  const store = path.join(out, STORE_FILE);
  const flags = [
    'sweep',
    '--data',
    csv,
    '--hidden',
    '16,16;8',
    '--optimizer',
    'adam,rmsprop,sgd',
    '--lr',
    '5e-3,1e-3',
    '--penalty',
    'gl,sgl',
    '--lambda',
    '1e-3',
    '--epochs',
    '4',
    '--workers',
    '2',
    '--out',
    out,
  ];
  const child = spawnCli(flags, dir);
  const exited = waitExit(child);
  let linesAtKill = -1;
  await new Promise<void>((resolve) => {
    const timer = setInterval(() => {
      const n = storeLines(store).length;
      if (n >= 1 || child.exitCode !== null) {
        clearInterval(timer);
        linesAtKill = n;
        try {
          process.kill(-(child.pid as number), 'SIGKILL'); // the sweep and its workers, like a crash
        } catch {
          // already gone
        }
        resolve();
      }
    }, 5);
  });
  const first = await exited;
  expect(first.signal).toBe('SIGKILL');
  expect(linesAtKill).toBeGreaterThanOrEqual(1);
  const total = 2 * 3 * 2 * 2;
  const before = storeLines(store).length;
  expect(before).toBeLessThan(total);
  const again = await waitExit(spawnCli([...flags, '--json'], dir));
  expect(again.code).toBe(0);
  const j = parseAs<SweepResult>(again.out);
  expect(j).toMatchObject({ total, failed: [] });
  expect(j.skipped).toBe(before);
  expect(j.ran).toBe(total - before);
  const grid = tinyGrid(csv, {
    hidden: [[16, 16], [8]],
    optimizer: ['adam', 'rmsprop', 'sgd'],
    lr: [5e-3, 1e-3],
    penalty: ['gl', 'sgl'],
    lambda: [1e-3],
    epochs: [4],
  });
  expectEachOnce(
    out,
    expandGrid(grid).map((p) => p.id),
  );
});
