/** Delimited text reader: separators, gzip, header detection, label columns, string labels. */
import * as path from 'path';
import { readDelimited } from '../../src/data/delimited';
import { readTable } from '../../src/data/read-table';
import { makeTempDir, removeDir, writeText } from './helpers';

let dir: string;
beforeAll(() => (dir = makeTempDir()));
afterAll(() => removeDir(dir));

describe('separators and gzip', () => {
  const rows = [
    [1.5, -2, 3],
    [0.25, 1e-3, 2],
    [7, 8, 3],
  ];
  const cases: [string, string][] = [
    ['comma', ','],
    ['tab', '\t'],
    ['spaces', '   '],
  ];
  it.each(cases)('reads %s separated text', async (_, sep) => {
    const file = writeText(dir, `sep-${_}.txt`, rows.map((r) => r.join(sep)).join('\n') + '\n');
    const t = await readDelimited(file);
    expect(t.rows).toBe(3);
    expect(t.cols).toBe(2);
    expect(Array.from(t.features)).toEqual([1.5, -2, 0.25, Math.fround(1e-3), 7, 8]);
    expect(t.classLabels).toEqual(['2', '3']);
    expect(Array.from(t.labels)).toEqual([1, 0, 1]);
    expect(t.featureNames).toEqual(['x0', 'x1']);
    expect(t.files).toEqual([path.resolve(file)]);
  });

  it('reads gzip by extension and by magic bytes, skipping blank lines and CRLF', async () => {
    const text = '\n 1 2 0\r\n\n3 4 1\r\n   \n';
    const a = await readDelimited(writeText(dir, 'g.txt.gz', text));
    const b = await readDelimited(writeText(dir, 'g-noext.txt', text, true));
    for (const t of [a, b]) {
      expect(t.rows).toBe(2);
      expect(Array.from(t.features)).toEqual([1, 2, 3, 4]);
      expect(Array.from(t.labels)).toEqual([0, 1]);
    }
  });

  it('parses long and exponent numbers like Number()', async () => {
    const cells = ['3.14159265358979323846', '-1.5E+3', '.5', '1234567890123456789', '6.02e23', '2.5e-30'];
    const file = writeText(dir, 'nums.csv', cells.map((c) => `${c},1`).join('\n') + '\n' + '0,2\n');
    const t = await readDelimited(file);
    expect(Array.from(t.features.slice(0, cells.length))).toEqual(cells.map((c) => Math.fround(Number(c))));
  });
});

describe('header row', () => {
  it('detects a header from non-numeric cells and names the features', async () => {
    const file = writeText(dir, 'h.csv', '"a","b",class\n1,2,x\n3,4,y\n');
    const t = await readDelimited(file);
    expect(t.rows).toBe(2);
    expect(t.featureNames).toEqual(['a', 'b']);
    expect(t.classLabels).toEqual(['x', 'y']);
  });

  it('does not take string labels in the first row for a header', async () => {
    const t = await readDelimited(writeText(dir, 'iris.csv', '5.1,3.5,setosa\n6.2,2.9,versicolor\n'));
    expect(t.rows).toBe(2);
    expect(t.classLabels).toEqual(['setosa', 'versicolor']);
  });

  it('can be forced on (numeric names) and off', async () => {
    const file = writeText(dir, 'numhead.csv', '10,20,30\n1,2,0\n3,4,1\n');
    const on = await readDelimited(file, { header: true });
    expect(on.rows).toBe(2);
    expect(on.featureNames).toEqual(['10', '20']);
    const off = await readDelimited(file, { header: false });
    expect(off.rows).toBe(3);
    expect(off.classLabels).toEqual(['0', '1', '30']);
  });
});

describe('label column', () => {
  const text = 'id,label,f1,f2\n1,b,0.5,1\n2,a,1.5,2\n3,c,2.5,3\n';
  it('by name', async () => {
    const t = await readDelimited(writeText(dir, 'lc.csv', text), { labelColumn: 'label' });
    expect(t.featureNames).toEqual(['id', 'f1', 'f2']);
    expect(t.classLabels).toEqual(['a', 'b', 'c']);
    expect(Array.from(t.labels)).toEqual([1, 0, 2]);
    expect(Array.from(t.features.slice(0, 3))).toEqual([1, 0.5, 1]);
  });
  it('by 0-based index, as a number or a string', async () => {
    const file = writeText(dir, 'lc2.csv', text);
    for (const labelColumn of [1, '1']) {
      const t = await readDelimited(file, { labelColumn });
      expect(t.classLabels).toEqual(['a', 'b', 'c']);
      expect(t.cols).toBe(3);
    }
  });
  it('first', async () => {
    const t = await readTable(writeText(dir, 'first.tsv', '2\t0.1\t0.2\n10\t0.3\t0.4\n1\t0\t0\n'), { labelColumn: 'first' });
    expect(t.classLabels).toEqual(['1', '2', '10']); // numeric order, not "1","10","2"
    expect(Array.from(t.labels)).toEqual([1, 2, 0]);
    expect(Array.from(t.features)).toEqual([0.1, 0.2, 0.3, 0.4, 0, 0].map(Math.fround));
  });
});

describe('large input', () => {
  it('reads 50k rows x 55 columns (gzip)', async () => {
    const lines: string[] = [];
    for (let i = 0; i < 50000; i++) {
      const row = Array.from({ length: 54 }, (_, j) => ((i * 31 + j * 17) % 1000).toString());
      row.push(String((i % 7) + 1));
      lines.push(row.join(','));
    }
    const file = writeText(dir, 'big.data.gz', lines.join('\n') + '\n');
    const t = await readDelimited(file); // speed is measured by scripts, not asserted here
    expect(t.rows).toBe(50000);
    expect(t.cols).toBe(54);
    expect(t.classLabels).toHaveLength(7);
    expect(t.features[49999 * 54 + 53]).toBe((49999 * 31 + 53 * 17) % 1000);
  });
});
