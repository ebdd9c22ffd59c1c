/** Issue 22 (item 12): separators, RFC 4180 quoting, extreme values, labels that look continuous, negative label columns. */
import * as path from 'path';
import { readDelimited } from '../../src/data/delimited';
import { main } from '../../src/cli/main';
import { loadDataset } from '../../src/data/load';
import { gsError, makeTempDir, removeDir, writeText } from './helpers';

let dir: string;
beforeAll(() => (dir = makeTempDir()));
afterAll(() => removeDir(dir));

/** n rows "i,2i,label(i)" joined with `sep`. */
function rows(n: number, label: (i: number) => string, sep = ','): string {
  return Array.from({ length: n }, (_, i) => [i, i * 2, label(i)].join(sep)).join('\n') + '\n';
}

async function load(file: string, extra: Parameters<typeof loadDataset>[0] = {}) {
  const warnings: string[] = [];
  const ds = await loadDataset({ data: file, ...extra }, { onWarning: (m) => warnings.push(m) });
  return { ds, warnings };
}

describe('separators', () => {
  it('reads semicolon separated text, with a header', async () => {
    const t = await readDelimited(writeText(dir, 'semi.csv', 'a;b;y\n1.5;2;x\n3;4;z\n'));
    expect(t.featureNames).toEqual(['a', 'b']);
    expect(Array.from(t.features)).toEqual([1.5, 2, 3, 4]);
    expect(t.classLabels).toEqual(['x', 'z']);
  });

  it('takes the semicolon over decimal commas, and names the decimal comma it cannot read', async () => {
    const file = writeText(dir, 'decimal.csv', '1,5;2;0\n3,25;4;1\n');
    const e = await gsError(() => readDelimited(file, { header: false }));
    expect(e.message).toContain('line 1: non-numeric cell "1,5" in column 1; expected a number with a decimal point, not a comma');
  });

  it('says which separators it reads and what the line holds instead', async () => {
    const e = await gsError(() => readDelimited(writeText(dir, 'pipe.csv', '1|2|0\n3|4|1\n')));
    expect(e.message).toMatch(/line 1: expected at least 2 columns \(features and a label\), found 1/);
    expect(e.message).toMatch(/commas, semicolons, tabs or spaces.*"\|"/);
  });
});

describe('RFC 4180 quoting', () => {
  it('reads quoted fields holding the separator, a doubled quote and a line break', async () => {
    const text = 'size,"weight, kg",city\n1,2,"New York, NY"\n3,4,"say ""hi"""\n5,6,"two\nlines"\n7,8,"New York, NY"\n';
    const t = await readDelimited(writeText(dir, 'quoted.csv', text));
    expect(t.rows).toBe(4);
    expect(t.featureNames).toEqual(['size', 'weight, kg']);
    expect(Array.from(t.features)).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
    expect(t.classLabels).toEqual(['New York, NY', 'say "hi"', 'two\nlines']);
    expect(Array.from(t.labels)).toEqual([0, 1, 2, 0]);
  });

  it('quoted numbers and a quoted header on semicolon text; regression targets too', async () => {
    const file = writeText(dir, 'quoted-semi.csv', '"a;1";"b";"y"\n"1";2;"0.5"\n3;"4";1.5\n');
    const t = await readDelimited(file, { numericLabel: true });
    expect(t.featureNames).toEqual(['a;1', 'b']);
    expect(Array.from(t.features)).toEqual([1, 2, 3, 4]);
    expect(Array.from(t.targets ?? [])).toEqual([0.5, 1.5]);
  });

  it('names the line of a bad cell after a quoted line break, and an unclosed quote', async () => {
    const e = await gsError(() => readDelimited(writeText(dir, 'ml.csv', '1,2,"a\nb"\n3,x,c\n')));
    expect(e.message).toContain('line 3: non-numeric cell "x" in column 2');
    const u = await gsError(() => readDelimited(writeText(dir, 'open.csv', '1,2,a\n3,4,"b\n')));
    expect(u.message).toContain(path.join(dir, 'open.csv'));
    expect(u.message).toMatch(/quote/i);
    expect(u.message).toContain('expected RFC 4180 quoting');
  });
});

describe('extreme values', () => {
  it('warns naming the file, line, column and value, and that training may diverge', async () => {
    const text = rows(40, (i) => String(i % 2)).replace(/^7,14,/m, '7,1e30,');
    const file = writeText(dir, 'huge.csv', text);
    const { ds, warnings } = await load(file);
    expect(ds.train.rows + ds.test.rows).toBe(40);
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toContain(path.resolve(file));
    expect(warnings[0]).toMatch(/line 8, column 2: 1e30;/);
    expect(warnings[0]).toMatch(/training may diverge/);
  });

  it('says nothing for ordinary values, and warns on stderr by default', async () => {
    expect(
      (
        await load(
          writeText(
            dir,
            'fine.csv',
            rows(40, (i) => String(i % 2)),
          ),
        )
      ).warnings,
    ).toEqual([]);
    const file = writeText(dir, 'huge2.csv', rows(40, (i) => String(i % 2)).replace(/^3,6,/m, '-2e20,6,'));
    let err = '';
    const se = jest.spyOn(process.stderr, 'write').mockImplementation((s) => ((err += String(s)), true));
    try {
      await loadDataset({ data: file });
    } finally {
      se.mockRestore();
    }
    expect(err).toMatch(/^warning: .*huge2\.csv: extreme feature values .*line 4, column 1: -2e20;/m);
  });
});

describe('labels that look like a quantity', () => {
  it('refuses numbers with a fraction as classes, pointing to --task regression', async () => {
    const file = writeText(
      dir,
      'float-labels.csv',
      rows(60, (i) => (i * 0.37).toFixed(2)),
    );
    const e = await gsError(() => loadDataset({ data: file }));
    expect(e.code).toBe('BAD_INPUT');
    expect(e.message).toContain(path.resolve(file));
    expect(e.message).toMatch(/labels look continuous.*pass --task regression/);
    const { ds } = await load(file, { task: 'regression' });
    expect(ds.task).toBe('regression');
  });

  it('warns when the labels are many distinct whole numbers, not for a few', async () => {
    const many = await load(
      writeText(
        dir,
        'ages.csv',
        rows(200, (i) => String(20 + (i % 40))),
      ),
    );
    expect(many.ds.classLabels).toHaveLength(40);
    expect(many.warnings).toHaveLength(1);
    expect(many.warnings[0]).toMatch(/40 distinct numbers \(20 \.\. 59\).*pass --task regression/);
    expect(
      (
        await load(
          writeText(
            dir,
            'digits.csv',
            rows(200, (i) => String(i % 10)),
          ),
        )
      ).warnings,
    ).toEqual([]);
    expect(
      (
        await load(
          writeText(
            dir,
            'whole-floats.csv',
            rows(60, (i) => `${i % 3}.0`),
          ),
        )
      ).ds.classLabels,
    ).toEqual(['0.0', '1.0', '2.0']);
  });
});

describe('negative label column indexes', () => {
  const text = 'f1,label,f2\n1,0,2\n3,1,4\n';
  it('count from the end: -1 is the last column, -2 the one before', async () => {
    const file = writeText(dir, 'neg.csv', text);
    const last = await readDelimited(file, { labelColumn: '-1' });
    expect(last.featureNames).toEqual(['f1', 'label']);
    expect(last.classLabels).toEqual(['2', '4']);
    const mid = await readDelimited(file, { labelColumn: -2 });
    expect(mid.featureNames).toEqual(['f1', 'f2']);
    expect(mid.classLabels).toEqual(['0', '1']);
    const noHeader = await readDelimited(writeText(dir, 'neg2.csv', '1,2,0\n3,4,1\n'), { labelColumn: '-3' });
    expect(Array.from(noHeader.features)).toEqual([2, 0, 4, 1]);
  });

  it('out of range names both ranges', async () => {
    const e = await gsError(() => readDelimited(writeText(dir, 'neg3.csv', '1,2,0\n'), { labelColumn: '-4' }));
    expect(e.message).toMatch(/label column index -4 is out of range; expected 0\.\.2 or -3\.\.-1/);
  });
});

describe('the CLI', () => {
  it('takes --label-column -1 and prints the extreme-value warning on stderr', async () => {
    const file = writeText(dir, 'cli.csv', 'a;b;y\n' + rows(40, (i) => String(i % 2), ';').replace(/^5;10;/m, '5;-3e18;'));
    let out = '';
    let err = '';
    const so = jest.spyOn(process.stdout, 'write').mockImplementation((s) => ((out += String(s)), true));
    const se = jest.spyOn(process.stderr, 'write').mockImplementation((s) => ((err += String(s)), true));
    let code: number;
    try {
      code = await main(['data', 'info', file, '--label-column', '-1']);
    } finally {
      so.mockRestore();
      se.mockRestore();
    }
    expect(code).toBe(0);
    expect(out).toMatch(/features: 2 \(a, b\)/);
    expect(err).toMatch(/^warning: .*cli\.csv: extreme feature values .*line 7, column 2 \("b"\): -3e18;/m);
  });
});
