/**
 * The command line end to end through main([...]): train on a small CSV, prune + export +
 * verify, inspect; --json output; error messages and exit codes for bad input; --help.
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { loadRun } from '../../src/network/run-io';
import { Rng } from '../../src/util/rng';
import type { OnnxInfo } from '../../src/onnx/read';
import type { CompressResult } from '../../src/pipeline/compress';
import type { TrainJson } from '../../src/cli/commands/train';
import { parseAs } from '../helpers/json';
import { runCliWithHelp } from '../helpers/cli';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'gs-cli-'));
const p = (f: string) => path.join(dir, f);
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

const LABELS = ['cat', 'dog', 'fish'];
const COLS = 5;

/** 300 rows of three gaussian blobs in 5 columns (shifted and scaled), string labels last. */
function writeCsv(file: string, rows: number, seed: number): void {
  const rng = new Rng(seed);
  const centres = LABELS.map(() => Array.from({ length: COLS }, () => rng.normal() * 3));
  const lines = [`${Array.from({ length: COLS }, (_, c) => `f${c}`).join(',')},animal`];
  for (let r = 0; r < rows; r++) {
    const k = rng.int(LABELS.length);
    const x = centres[k].map((m, c) => ((m + rng.normal()) * (1 + c) + 10 * c).toFixed(5));
    lines.push(`${x.join(',')},${LABELS[k]}`);
  }
  fs.writeFileSync(file, `${lines.join('\n')}\n`);
}

const run = runCliWithHelp;
type Run = Awaited<ReturnType<typeof run>>;

/** A one-line `error: ...` message on stderr (yargs may add a hint line) and no stack trace. */
function expectCleanError(r: Run, pattern: RegExp): void {
  expect(r.code).not.toBe(0);
  const lines = r.err.trimEnd().split('\n');
  const errors = lines.filter((l) => l.startsWith('error: '));
  expect(errors).toHaveLength(1);
  expect(errors[0]).toMatch(pattern);
  expect(lines.every((l) => l.startsWith('error: ') || l === 'Run with --help to see the options.')).toBe(true);
  expect(r.err).not.toMatch(/\n\s+at /);
  expect(r.out).toBe('');
}

const small = ['--hidden', '8', '--epochs', '3', '--batch-size', '16', '--lr', '0.01'];

beforeAll(() => {
  writeCsv(p('data.csv'), 300, 1);
  fs.writeFileSync(p('ragged.csv'), 'a,b,c,label\n1,2,3,x\n4,5,6,y\n7,8,x\n1,2,3,y\n');
});

describe('train --out, prune --export, inspect', () => {
  let trained: Run;
  beforeAll(async () => {
    trained = await run(['train', '--data', p('data.csv'), ...small, '--penalty', 'gl', '--lambda', '1e-3', '--out', p('run')]);
  });

  it('train writes a loadable run and prints a summary', () => {
    expect(trained.err).not.toMatch(/^error/m);
    expect(trained.code).toBe(0);
    expect(trained.out).toContain('engine fused-wasm; test accuracy');
    expect(trained.out).toContain(`saved run to ${p('run')}`);
    for (const f of ['model.json', 'weights.bin', 'gs-run.json']) expect(fs.existsSync(path.join(p('run'), f))).toBe(true);
    const { network, info } = loadRun(p('run'));
    expect(network.classLabels).toEqual(LABELS);
    expect(network.inputWidth).toBe(COLS);
    expect(network.layers.map((l) => l.outSize)).toEqual([8, 3]);
    expect(network.scaling).not.toBeNull();
    expect(info.history).toHaveLength(3);
    expect(info.config).toMatchObject({ hidden: [8], penalty: 'gl', lambda: 1e-3, epochs: 3 });
    expect((info.summary as { testAccuracy: number }).testAccuracy).toBeGreaterThan(0.8);
  });

  it('prune RUN --export writes an ONNX model that verifies, and inspect --json reads it', async () => {
    const r = await run(['prune', p('run'), '--export', p('m.onnx')]);
    expect(r.err).toBe('');
    expect(r.code).toBe(0);
    expect(fs.existsSync(p('m.onnx'))).toBe(true);
    expect(fs.statSync(p('m.onnx')).size).toBeGreaterThan(100);
    expect(r.out).toContain(`wrote ${p('m.onnx')}`);
    expect(r.out).toMatch(/verified on \d+ rows with onnxruntime/);
    expect(r.out).toMatch(/^\s+OK$/m);

    const i = await run(['inspect', p('m.onnx'), '--json']);
    expect(i.code).toBe(0);
    const info = parseAs<OnnxInfo>(i.out);
    expect(info.interface?.classLabels).toEqual(LABELS);
    expect(info.interface?.inputWidth).toBe(COLS);
    expect(info.parameterCount).toBeGreaterThan(0);
  });

  it('prune --json prints one JSON object with the report and the verification', async () => {
    const r = await run(['prune', p('run'), '--export', p('m2.onnx'), '--json']);
    expect(r.code).toBe(0);
    const lines = r.out.trimEnd().split('\n');
    expect(lines).toHaveLength(1);
    const j = parseAs<CompressResult>(lines[0]);
    expect(j.verification?.ok).toBe(true);
    expect(j.report.lossy).toBe(false);
    expect(j.report.parameters.before).toBe(5 * 8 + 8 + 8 * 3 + 3);
    expect(j.accuracyAfter).toBe(j.accuracyBefore);
  });
});

describe('train --json', () => {
  it('prints exactly one JSON object on stdout and nothing else', async () => {
    const r = await run(['train', '--data', p('data.csv'), ...small, '--json']);
    expect(r.code).toBe(0);
    expect(r.out.endsWith('\n')).toBe(true);
    const lines = r.out.trimEnd().split('\n');
    expect(lines).toHaveLength(1);
    const j = parseAs<TrainJson>(lines[0]);
    expect(j.config).toMatchObject({ hidden: [8], epochs: 3, batchSize: 16, lr: 0.01, penalty: 'none' });
    expect(j.engine).toBe('fused-wasm');
    expect(j.out).toBeNull();
    expect(j.history.map((h) => h.epoch)).toEqual([1, 2, 3]);
    expect(j.summary.testAccuracy).toBe(j.history[2].testAccuracy);
    expect(j.summary.totalParams).toBe(5 * 8 + 8 + 8 * 3 + 3);
    expect(j.data.kind).toBe('file');
    expect(r.err).not.toMatch(/error/);
  });

  it('--engine fused-js and --prox-step lr reach the run and its record', async () => {
    const r = await run([
      'train',
      '--data',
      p('data.csv'),
      ...small,
      '--engine',
      'fused-js',
      '--penalty',
      'gl',
      '--lambda',
      '0.01',
      '--prox-step',
      'lr',
      '--json',
    ]);
    expect(r.code).toBe(0);
    const j = parseAs<TrainJson>(r.out);
    expect(j.engine).toBe('fused-js');
    expect(j.config).toMatchObject({ engine: 'fused-js', proxStep: 'lr', solver: 'prox', penalty: 'gl' });
    const bad = await run(['train', '--data', p('data.csv'), ...small, '--prox-step', 'huge']);
    expect(bad.code).toBe(2);
    expect(bad.err).toMatch(/prox-step/);
  });
});

describe('bad input exits non-zero with a one-line message', () => {
  it('a ragged CSV names the file and the line', async () => {
    const r = await run(['train', '--data', p('ragged.csv'), ...small]);
    expect(r.code).toBe(1);
    expectCleanError(r, new RegExp(`${p('ragged.csv').replace(/[.\\/]/g, '\\$&')}, line 4: expected 4 columns, found 3`));
  });

  it('a missing file names it', async () => {
    const r = await run(['train', '--data', p('nope.csv'), ...small]);
    expect(r.code).toBe(1);
    expectCleanError(r, /nope\.csv/);
  });

  it('--penalty gl without --lambda asks for --lambda', async () => {
    const r = await run(['train', '--data', p('data.csv'), ...small, '--penalty', 'gl', '--out', p('nolambda')]);
    expect(r.code).toBe(1);
    expectCleanError(r, /--penalty gl needs --lambda > 0/);
    expect(fs.existsSync(p('nolambda'))).toBe(false);
  });

  it('an unknown option is reported as such', async () => {
    const r = await run(['train', '--data', p('nope2.csv'), ...small, '--lamda', '1e-3']);
    expect(r.code).not.toBe(0);
    expect(r.err).toMatch(/^error: Unknown argument: lamda$/m);
    expect(r.err).not.toMatch(/\n\s+at /);
  });

  it('an unknown option stops the command: nothing is trained or written', async () => {
    // a valid data file: if the command ran anyway it would train and save the run
    const r = await run(['train', '--data', p('data.csv'), ...small, '--out', p('typo-run'), '--lamda', '1e-3']);
    expect(fs.existsSync(p('typo-run'))).toBe(false);
    expect(r.code).toBe(2);
    expectCleanError(r, /Unknown argument: lamda/);
  });

  it('a bad option value', async () => {
    const r = await run(['train', '--data', p('data.csv'), '--epochs', '1', '--hidden', '3,x']);
    expect(r.code).toBe(1);
    expectCleanError(r, /--hidden "3,x"/);
  });

  it('prune of a directory that is not a run', async () => {
    const r = await run(['prune', dir, '--export', p('x.onnx')]);
    expect(r.code).toBe(1);
    expectCleanError(r, /gs-run\.json not found/);
    expect(fs.existsSync(p('x.onnx'))).toBe(false);
  });
});

describe('train --help', () => {
  it('lists every option', async () => {
    const r = await run(['train', '--help']);
    expect(r.code).toBe(0);
    const help = r.log + r.out;
    for (const opt of [
      '--penalty',
      '--lambda',
      '--solver',
      '--optimizer',
      '--hidden',
      '--engine',
      '--backend',
      '--out',
      '--json',
      '--lr',
      '--epochs',
      '--batch-size',
      '--seed',
      '--data',
      '--standardize',
    ]) {
      expect(help).toMatch(new RegExp(`^\\s+${opt}\\s`, 'm'));
    }
    // the choices are spelled out
    expect(help).toContain('"gl"');
    expect(help).toContain('"subgradient"');
    expect(help).toContain('"rmsprop"');
  });
});
