/** Output paths checked before the work, and file-system errors as one-line GsErrors naming the path. */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { GsError } from '../../src/errors';
import { writeFileAtomic } from '../../src/util/fs-atomic';
import { outputError, prepareOutputDir, prepareOutputFile } from '../../src/util/output-path';
import { thrown } from '../helpers/json';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'gs-outpath-'));
const p = (...f: string[]) => path.join(dir, ...f);
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

beforeAll(() => {
  fs.writeFileSync(p('file'), 'x');
  fs.mkdirSync(p('folder'));
  fs.mkdirSync(p('run'));
  fs.writeFileSync(p('run', 'gs-run.json'), '{}');
  fs.mkdirSync(p('full'));
  fs.writeFileSync(p('full', 'a.txt'), 'a');
  fs.mkdirSync(p('empty'));
});

/** A GsError of code CANNOT_WRITE with a one-line message. */
function expectOutputError(e: Error & { code?: string }, pattern: RegExp): void {
  expect(e).toBeInstanceOf(GsError);
  expect(e.code).toBe('CANNOT_WRITE');
  expect(e.message).not.toContain('\n');
  expect(e.message).toMatch(pattern);
}

describe('prepareOutputFile', () => {
  it('makes missing parent folders and says whether the file exists', () => {
    const o = prepareOutputFile(p('a', 'b', 'm.onnx'));
    expect(o).toEqual({ path: p('a', 'b', 'm.onnx'), existed: false });
    expect(fs.statSync(p('a', 'b')).isDirectory()).toBe(true);
    expect(fs.readdirSync(p('a', 'b'))).toEqual([]); // the probe is gone, nothing is written
    expect(prepareOutputFile(p('file')).existed).toBe(true);
  });

  it('refuses a folder (EISDIR) and a path under a file (ENOTDIR), naming the option and the file', () => {
    expectOutputError(
      thrown(() => prepareOutputFile(p('folder'), { option: '--export' })),
      /^--export .*folder: is a folder; give a file name$/,
    );
    expectOutputError(
      thrown(() => prepareOutputFile(p('file', 'sub', 'm.onnx'), { option: '--export' })),
      new RegExp(`^--export .*m\\.onnx: ${p('file').replace(/[.\\/]/g, '\\$&')} is a file, not a folder$`),
    );
  });
});

describe('prepareOutputDir', () => {
  it('accepts a new path (not made: the writer makes it) and an empty folder', () => {
    expect(prepareOutputDir(p('new', 'run'))).toEqual({ path: p('new', 'run'), existed: false });
    expect(fs.existsSync(p('new', 'run'))).toBe(false);
    expect(fs.existsSync(p('new'))).toBe(true);
    expect(prepareOutputDir(p('empty')).existed).toBe(true);
  });

  it('refuses a run or a non-empty folder without force; accepts them with force or allowExisting', () => {
    expectOutputError(
      thrown(() => prepareOutputDir(p('run'), { option: '--out' })),
      /^--out .*run: holds a run already; .*--force/,
    );
    expectOutputError(
      thrown(() => prepareOutputDir(p('full'), { option: '--out' })),
      /not empty; .*--force/,
    );
    expect(prepareOutputDir(p('run'), { force: true }).existed).toBe(true);
    expect(prepareOutputDir(p('full'), { allowExisting: true }).existed).toBe(true);
    expect(fs.readdirSync(p('full'))).toEqual(['a.txt']);
  });

  it('refuses a file (EEXIST) and a path under a file (ENOTDIR)', () => {
    expectOutputError(
      thrown(() => prepareOutputDir(p('file'), { option: '--out' })),
      /^--out .*file: is a file, not a folder$/,
    );
    expectOutputError(
      thrown(() => prepareOutputDir(p('file', 'x', 'y'))),
      /file is a file, not a folder$/,
    );
  });

  it('refuses a read-only folder (where chmod stops this user: not root)', () => {
    fs.mkdirSync(p('ro'));
    fs.chmodSync(p('ro'), 0o555);
    try {
      let blocks = false;
      try {
        fs.writeFileSync(p('ro', 'probe'), '');
        fs.rmSync(p('ro', 'probe'));
      } catch {
        blocks = true;
      }
      if (!blocks) return; // root
      expectOutputError(
        thrown(() => prepareOutputDir(p('ro', 'run'), { option: '--out' })),
        /permission denied \(cannot write in .*ro\)$/,
      );
      expectOutputError(
        thrown(() => prepareOutputFile(p('ro', 'm.onnx'))),
        /permission denied/,
      );
      expectOutputError(
        thrown(() => writeFileAtomic(p('ro', 'x.json'), '{}')),
        /x\.json: permission denied \(cannot write in .*ro\)$/,
      );
    } finally {
      fs.chmodSync(p('ro'), 0o755);
    }
  });
});

describe('outputError', () => {
  const fsError = (code: string, at: string) => Object.assign(new Error(`${code}: boom, '${at}'`), { code, path: at });

  it('maps each fs error to one line naming the path', () => {
    const cases: [string, RegExp][] = [
      ['EISDIR', /^--export t: is a folder; give a file name$/],
      ['EACCES', /^--export t: permission denied/],
      ['EPERM', /^--export t: permission denied/],
      ['EROFS', /^--export t: read-only file system$/],
      ['ENOENT', /^--export t: a folder on the way does not exist/],
      ['ENOSPC', /^--export t: no space left on the device$/],
    ];
    for (const [code, pattern] of cases) {
      expectOutputError(outputError(fsError(code, 't'), 't', '--export') as Error, pattern);
    }
    expectOutputError(outputError(fsError('ENOTDIR', p('file', 'x')), p('file', 'x')) as Error, /file is a file, not a folder$/);
    expectOutputError(outputError(fsError('EEXIST', p('file')), p('file')) as Error, /file is a file, not a folder$/);
  });

  it('leaves other errors and GsErrors as they are', () => {
    const other = new Error('something else');
    expect(outputError(other, 't')).toBe(other);
    const gs = new GsError('BAD_INPUT', 'mine');
    expect(outputError(gs, 't')).toBe(gs);
  });
});

describe('writeFileAtomic', () => {
  it('turns a folder in the way into a one-line error naming the file', () => {
    expectOutputError(
      thrown(() => writeFileAtomic(p('folder'), 'x')),
      /folder: is a folder; give a file name$/,
    );
    expectOutputError(
      thrown(() => writeFileAtomic(p('file', 'sub', 'x.json'), 'x')),
      /file is a file, not a folder$/,
    );
    expect(fs.readdirSync(p('folder'))).toEqual([]);
  });
});
