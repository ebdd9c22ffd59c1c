/**
 * Ctrl-C and piped progress, in a child process as a user runs it: `compress` piped to a log prints
 * progress lines while it trains (not only at the end), and SIGINT stops it with exit code 130, one
 * line saying what was and was not saved, and nothing at the export's name (no temporary file either).
 */
import { spawn } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { pathToFileURL } from 'url';
import { predictLabels } from '../../src/network/forward';
import { randomRows } from '../../src/pipeline/import-check';
import { loadInit } from '../../src/pipeline/init-from';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'gs-interrupt-'));
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));
const MODEL = path.join(__dirname, '..', 'fixtures', 'import', 'torch-relu.onnx');
const CLI = path.join(__dirname, '..', 'sweep', 'fixtures', 'cli.ts');

/** Rows labelled by the model itself, as a CSV with a header. */
async function writePlanted(file: string): Promise<void> {
  const src = await loadInit(MODEL);
  const x = randomRows(src.network, 600, 1);
  const y = predictLabels(src.network, x, 600);
  const lines = ['f0,f1,f2,f3,f4,f5,y'];
  for (let r = 0; r < 600; r++) lines.push(`${Array.from(x.subarray(r * 6, r * 6 + 6), (v) => v.toFixed(5)).join(',')},${y[r]}`);
  fs.writeFileSync(file, `${lines.join('\n')}\n`);
}

test('compress piped: progress lines while it trains; SIGINT: exit 130, one line, nothing written', async () => {
  await writePlanted(path.join(dir, 'planted.csv'));
  const args = ['compress', MODEL, '--data', 'planted.csv', '--target-ratio', '0.5', '--epochs', '100000', '--export', 'out/sub/m.onnx'];
  const child = spawn(process.execPath, ['--import', pathToFileURL(require.resolve('tsx')).href, CLI, ...args], {
    cwd: dir,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  let err = '';
  let signalled = false;
  child.stdout.on('data', (d) => (out += String(d)));
  // without progress lines in the log, Ctrl-C comes after a while anyway (and the test fails on them)
  const late = setTimeout(() => child.kill('SIGINT'), 15_000);
  const safety = setTimeout(() => child.kill('SIGKILL'), 60_000);
  child.stderr.on('data', (d) => {
    err += String(d);
    // progress reaches the log while training runs; then Ctrl-C
    if (!signalled && /budget epoch \d+:/.test(err)) {
      signalled = true;
      child.kill('SIGINT');
    }
  });
  const code = await new Promise<number | null>((resolve) => child.on('close', (c) => resolve(c)));
  clearTimeout(late);
  clearTimeout(safety);
  expect(signalled).toBe(true);
  expect(code).toBe(130);
  expect(out).toBe('');
  const lines = err.trimEnd().split('\n');
  expect(lines.filter((l) => l.startsWith('interrupted'))).toEqual([
    `interrupted: nothing written to ${path.join('out', 'sub', 'm.onnx')}`,
  ]);
  expect(lines[lines.length - 1]).toMatch(/^interrupted: /);
  expect(err).toMatch(/importing .*torch-relu\.onnx/);
  expect(err.includes('\u001b') || err.includes('\r')).toBe(false); // plain lines, no bar
  expect(fs.readdirSync(dir)).toEqual(['planted.csv']);
});
