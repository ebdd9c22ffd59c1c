/**
 * No user error ends in a stack trace: every command, given a missing or bad argument and an
 * output it cannot write, exits 1 (a GsError) or 2 (a usage error) with a one-line message, and
 * refuses an unwritable output before it trains. Outputs are not replaced silently.
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { COMMAND_NAMES } from '../../src/cli/commands';
import { runCli } from '../helpers/cli';
import { Rng } from '../../src/util/rng';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'gs-clierr-'));
const p = (...f: string[]) => path.join(dir, ...f);
afterAll(() => {
  fs.chmodSync(p('ro'), 0o755);
  fs.rmSync(dir, { recursive: true, force: true });
});

type Result = Awaited<ReturnType<typeof runCli>>;

/** Exit code 1 or 2, one `error: ` line (and yargs' hint), no stack trace, nothing on stdout. */
function expectOneLineError(r: Result, pattern?: RegExp): void {
  expect(r.err).not.toMatch(/^\s+at /m);
  expect(r.err).not.toMatch(/internal error/);
  expect([1, 2]).toContain(r.code);
  const lines = r.err.trimEnd().split('\n');
  const errors = lines.filter((l) => l.startsWith('error: '));
  expect(errors).toHaveLength(1);
  expect(lines.filter((l) => !l.startsWith('error: ') && l !== 'Run with --help to see the options.')).toEqual([]);
  if (pattern) expect(errors[0]).toMatch(pattern);
  expect(r.out).toBe('');
}

const tiny = ['--epochs', '1', '--hidden', '4', '--batch-size', '16'];

/** Whether chmod 555 stops this process from writing (not as root). */
let readOnlyBlocks = false;

beforeAll(async () => {
  const rng = new Rng(3);
  const lines = ['a,b,c,label'];
  for (let i = 0; i < 60; i++) {
    const k = rng.int(2);
    lines.push(`${(rng.normal() + 3 * k).toFixed(3)},${rng.normal().toFixed(3)},${(rng.normal() - k).toFixed(3)},${k ? 'yes' : 'no'}`);
  }
  fs.writeFileSync(p('data.csv'), `${lines.join('\n')}\n`);
  fs.writeFileSync(p('file'), 'a regular file\n');
  fs.mkdirSync(p('ro'));
  fs.chmodSync(p('ro'), 0o555);
  try {
    fs.writeFileSync(p('ro', 'probe'), '');
    fs.rmSync(p('ro', 'probe'));
  } catch {
    readOnlyBlocks = true;
  }
  const r = await runCli(['train', '--data', p('data.csv'), ...tiny, '--out', p('run')]);
  expect(r.code).toBe(0);
});

const data = () => ['--data', p('data.csv')];
/** A quick compress of the imported run's model to half its parameters, exporting to `file`. */
const compressTo = (file: string) => [
  'compress',
  p('run', 'model.json'),
  ...data(),
  '--target-ratio',
  '0.5',
  '--epochs',
  '1',
  '--finetune-epochs',
  '0',
  '--labels-from-model',
  '--export',
  file,
];

/** Per command: command lines with a missing or bad required argument (or a bad value). */
const BAD_ARGS: Record<string, () => string[][]> = {
  quickstart: () => [
    ['quickstart', '--epochs', 'abc'],
    ['quickstart', '--train-rows', 'many'],
  ],
  train: () => [
    ['train', '--epochs', '1'],
    ['train', ...data(), '--epochs', 'abc'],
    ['train', ...data(), '--lr=fast'],
  ],
  prune: () => [['prune'], ['prune', p('run'), '--threshold', 'x']],
  verify: () => [['verify']],
  inspect: () => [['inspect']],
  data: () => [['data'], ['data', 'info']],
  sweep: () => [
    ['sweep', ...data()],
    ['sweep', 'show'],
    ['sweep', 'merge', p('m')],
  ],
  report: () => [['report'], ['report', p('run'), '--tolerance', 'abc']],
  experiment: () => [['experiment'], ['experiment', 'group-design', '--seeds', 'x']],
  'serve-example': () => [['serve-example', '--port', 'abc']],
  import: () => [['import'], ['import', p('run', 'model.json')], ['import', p('run', 'model.json'), '--out', p('i'), '--rows', '1.5']],
  compress: () => [
    ['compress', p('run', 'model.json'), '--export', p('c.onnx'), '--target-ratio', '0.5'],
    ['compress', p('run', 'model.json'), ...data(), '--target-ratio', '0.5'],
    ['compress', p('run', 'model.json'), ...data(), '--export', p('c.onnx'), '--target-ratio', 'half'],
  ],
};

/** Per command: its command line writing to `out` (a path that cannot be written), or null for a command that writes nothing. */
const WRITES: Record<string, ((out: string) => string[][]) | null> = {
  quickstart: (out) => [['quickstart', '--out', out, '--epochs', '1', '--train-rows', '100']],
  train: (out) => [['train', ...data(), ...tiny, '--out', out]],
  prune: (out) => [
    ['prune', p('run'), '--export', path.join(out, 'm.onnx')],
    ['prune', p('run'), '--export-tfjs', out],
  ],
  verify: null,
  inspect: null,
  data: (out) => [['data', 'fetch', 'sdd', '--data-dir', out, '--force']], // refused before the download
  sweep: (out) => [
    ['sweep', ...data(), ...tiny, '--workers', '0', '--out', out],
    ['sweep', 'merge', out, p('run')],
  ],
  report: (out) => [['report', p('run'), '--out', path.join(out, 'report.html')]],
  experiment: (out) => [['experiment', 'group-design', '--seeds', '1', '--out', out]],
  'serve-example': null,
  import: (out) => [['import', p('run', 'model.json'), '--out', out]],
  compress: (out) => [compressTo(path.join(out, 'slim.onnx'))],
};

describe('every command', () => {
  it('is listed here', () => {
    expect(Object.keys(BAD_ARGS).sort()).toEqual([...COMMAND_NAMES].sort());
    expect(Object.keys(WRITES).sort()).toEqual([...COMMAND_NAMES].sort());
  });

  it.each([...COMMAND_NAMES])('%s: a missing or bad argument is one line, no stack trace', async (name) => {
    for (const args of BAD_ARGS[name]()) {
      const r = await runCli(args);
      expectOneLineError(r);
    }
  });

  it.each([...COMMAND_NAMES])('%s: an output under a regular file is refused before any work, in one line', async (name) => {
    const lines = WRITES[name];
    if (!lines) return;
    const out = p('file', 'sub', name);
    for (const args of lines(out)) {
      const r = await runCli(args);
      expect(r.code).toBe(1);
      expectOneLineError(r, new RegExp(`${p('file').replace(/[.\\/]/g, '\\$&')} is a file, not a folder`));
    }
  });

  it('a read-only folder stops writes unless this runs as root', () => {
    if (process.getuid?.() !== 0) expect(readOnlyBlocks).toBe(true);
  });

  it.each([...COMMAND_NAMES])('%s: an output in a read-only folder is refused before any work, in one line', async (name) => {
    const lines = WRITES[name];
    if (!lines || !readOnlyBlocks) return; // as root, chmod does not stop writes: the test above covers it
    for (const args of lines(p('ro', name))) {
      const r = await runCli(args);
      expect(r.code).toBe(1);
      expectOneLineError(r, /permission denied/);
    }
  });
});

describe('gs-compress foo', () => {
  it('names the unknown command and lists the commands', async () => {
    const r = await runCli(['foo']);
    expect(r.code).toBe(2);
    expectOneLineError(r, /^error: unknown command 'foo'; the commands: quickstart, train, prune/);
    for (const c of COMMAND_NAMES) expect(r.err).toContain(c);
    const typo = await runCli(['trian', '--data', p('data.csv')]);
    expectOneLineError(typo, /unknown command 'trian' \(did you mean train\?\)/);
  });
});

describe('numeric options', () => {
  it('--epochs abc names the option and the value', async () => {
    const r = await runCli(['train', ...data(), '--epochs', 'abc']);
    expect(r.code).toBe(1);
    expectOneLineError(r, /^error: --epochs "abc": expected a number$/);
  });

  it('--test-fraction=half (the = form, a dashed name) is refused the same way', async () => {
    const r = await runCli(['train', ...data(), '--epochs', '1', '--test-fraction=half']);
    expectOneLineError(r, /^error: --test-fraction "half": expected a number$/);
  });
});

describe('train --out', () => {
  it('onto an existing file: refused before training (EEXIST)', async () => {
    const r = await runCli(['train', ...data(), ...tiny, '--out', p('data.csv')]);
    expect(r.code).toBe(1);
    expectOneLineError(r, /--out .*data\.csv: is a file, not a folder/);
  });

  it('onto an existing run: refused without --force, the run untouched; replaced with --force, and said', async () => {
    const before = fs.readFileSync(p('run', 'gs-run.json'), 'utf8');
    const r = await runCli(['train', ...data(), ...tiny, '--seed', '7', '--out', p('run')]);
    expect(r.code).toBe(1);
    expectOneLineError(r, /holds a run already; .*--force/);
    expect(fs.readFileSync(p('run', 'gs-run.json'), 'utf8')).toBe(before);

    fs.cpSync(p('run'), p('run2'), { recursive: true });
    const f = await runCli(['train', ...data(), ...tiny, '--seed', '7', '--out', p('run2'), '--force']);
    expect(f.code).toBe(0);
    expect(f.err).toContain(`replaced ${p('run2')}`);
    expect(fs.readFileSync(p('run2', 'gs-run.json'), 'utf8')).not.toBe(before);
  });

  it('into a folder that is not empty: refused without --force', async () => {
    fs.mkdirSync(p('notes'));
    fs.writeFileSync(p('notes', 'todo.txt'), 'mine\n');
    const r = await runCli(['train', ...data(), ...tiny, '--out', p('notes')]);
    expect(r.code).toBe(1);
    expectOneLineError(r, /not empty; .*--force/);
    expect(fs.readdirSync(p('notes'))).toEqual(['todo.txt']);
  });

  it('into an empty folder or a new path: written', async () => {
    fs.mkdirSync(p('empty'));
    expect((await runCli(['train', ...data(), ...tiny, '--out', p('empty')])).code).toBe(0);
    expect(fs.existsSync(p('empty', 'gs-run.json'))).toBe(true);
  });
});

describe('--export', () => {
  it('naming a folder: refused before pruning (EISDIR)', async () => {
    fs.mkdirSync(p('adir'));
    const r = await runCli(['prune', p('run'), '--export', p('adir')]);
    expect(r.code).toBe(1);
    expectOneLineError(r, /--export .*adir: is a folder; give a file name/);
  });

  it('onto an existing file: replaced, and said on stderr', async () => {
    const first = await runCli(['prune', p('run'), '--export', p('m.onnx')]);
    expect(first.code).toBe(0);
    expect(first.err).not.toContain('replaced');
    const again = await runCli(['prune', p('run'), '--export', p('m.onnx'), '--json']);
    expect(again.code).toBe(0);
    expect(again.err).toBe(`replaced ${p('m.onnx')}\n`);
  });

  it('compress --export into folders that do not exist yet: made, as prune makes them', async () => {
    const out = p('no', 'such', 'dir', 'x.onnx');
    const r = await runCli([...compressTo(out), '--json']);
    expect(r.err).not.toMatch(/error/);
    expect(r.code).toBe(0);
    expect(fs.statSync(out).size).toBeGreaterThan(100);
  });
});
