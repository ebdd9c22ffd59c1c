/** Bad input: every malformed-file case names the file, the line and what was expected. */
import * as fs from 'fs';
import * as path from 'path';
import { loadDataset } from '../../src/data/load';
import { readTable } from '../../src/data/read-table';
import { gsError, makeTempDir, removeDir, writeText } from './helpers';

let dir: string;
beforeAll(() => (dir = makeTempDir()));
afterAll(() => removeDir(dir));

async function badInput(name: string, text: string, options: Parameters<typeof readTable>[1] = {}) {
  const file = writeText(dir, name, text);
  const e = await gsError(() => readTable(file, options));
  expect(e.code).toBe('BAD_INPUT');
  expect(e.message).toContain(path.resolve(file));
  return e.message;
}

describe('delimited text', () => {
  it('ragged rows', async () => {
    const m = await badInput('ragged.csv', '1,2,0\n3,4,1\n\n5,1\n');
    expect(m).toContain('line 4');
    expect(m).toContain('expected 3 columns, found 2');
  });
  it('non-numeric cells, quoting the cell and the column', async () => {
    const m = await badInput('text.csv', 'a,b,y\n1,2,0\n3,abc,1\n');
    expect(m).toContain('line 3');
    expect(m).toContain('"abc"');
    expect(m).toContain('column 2 ("b")');
  });
  it('NaN and Inf', async () => {
    expect(await badInput('nan.csv', '1,2,0\nNaN,4,1\n')).toMatch(/line 2: .*"NaN".*NaN/);
    expect(await badInput('inf.csv', '1,2,0\n3,-Infinity,1\n')).toMatch(/line 2: .*infinite/);
    expect(await badInput('big.csv', '1,2,0\n3,1e39,1\n')).toMatch(/line 2: .*too large/);
  });
  it('empty cells', async () => {
    expect(await badInput('emptycell.csv', '1,2,0\n3,,1\n')).toMatch(/line 2: empty cell in column 2/);
  });
  it('an empty file and a header without rows', async () => {
    expect(await badInput('empty.csv', '\n  \n')).toMatch(/line 1: the file is empty/);
    expect(await badInput('headonly.csv', 'a,b,c\n')).toMatch(/line 1: no data rows after the header/);
  });
  it('a missing label column', async () => {
    expect(await badInput('lc.csv', 'a,b,c\n1,2,0\n', { labelColumn: 'label' })).toMatch(
      /line 1: label column "label" is not in the header; expected one of: a, b, c/,
    );
    expect(await badInput('lc2.csv', '1,2,0\n', { labelColumn: '5' })).toMatch(/line 1: label column index 5 is out of range/);
    expect(await badInput('lc3.csv', '1,2,0\n', { labelColumn: 'label', header: false })).toMatch(/line 1: .*no header row/);
  });
});

describe('other formats', () => {
  it('libsvm: bad token and bad value', async () => {
    expect(await badInput('a.libsvm', '1 1:0.5 2:1\n2 3-1\n')).toMatch(/line 2: expected index:value, found "3-1"/);
    expect(await badInput('b.svm', '1 1:0.5\n2 0:1\n')).toMatch(/line 2: feature index "0" is not valid/);
    expect(await badInput('c.svm', '1 1:0.5\n2 2:x\n')).toMatch(/line 2: non-numeric cell "x" in column index 2/);
  });
  it('IDX: truncated data', async () => {
    const file = path.join(dir, 'x-images-idx3-ubyte');
    fs.writeFileSync(file, Buffer.from([0, 0, 8, 3, 0, 0, 0, 2, 0, 0, 0, 2, 0, 0, 0, 2, 1, 2]));
    fs.writeFileSync(path.join(dir, 'x-labels-idx1-ubyte'), Buffer.from([0, 0, 8, 1, 0, 0, 0, 2, 0, 1]));
    const e = await gsError(() => readTable(file));
    expect(e.code).toBe('BAD_INPUT');
    expect(e.message).toContain(file);
    expect(e.message).toContain('truncated; expected 8 data bytes');
  });
});

describe('loading', () => {
  it('a single class in the training data', async () => {
    const file = writeText(dir, 'one.csv', Array.from({ length: 20 }, (_, i) => `${i},7`).join('\n'));
    const e = await gsError(() => loadDataset({ data: file }));
    expect(e.code).toBe('BAD_INPUT');
    expect(e.message).toContain(path.resolve(file));
    expect(e.message).toContain('only class "7"; expected at least 2 classes');
  });
  it('different feature counts in train and test', async () => {
    const train = writeText(dir, 'tr.csv', '1,2,0\n3,4,1\n');
    const test = writeText(dir, 'te.csv', '1,2,3,0\n3,4,5,1\n');
    const e = await gsError(() => loadDataset({ train, test }));
    expect(e.code).toBe('BAD_INPUT');
    expect(e.message).toContain(test);
    expect(e.message).toContain('expected 2 feature columns like the training file');
  });
  it('missing files give NOT_FOUND with the path', async () => {
    const missing = path.join(dir, 'nope.csv');
    for (const spec of [{ data: missing }, { train: missing, test: missing }]) {
      const e = await gsError(() => loadDataset(spec));
      expect(e.code).toBe('NOT_FOUND');
      expect(e.message).toContain(missing);
    }
  });
  it('bad options give BAD_OPTION', async () => {
    const file = writeText(dir, 'ok.csv', '1,2,0\n3,4,1\n5,6,0\n7,8,1\n');
    for (const spec of [{ data: file, testFraction: 1.5 }, { train: file }, {}, { data: file, maxTrainRows: 0 }]) {
      expect((await gsError(() => loadDataset(spec))).code).toBe('BAD_OPTION');
    }
  });
});
