/** The group-design experiment: planted designs, group lasso recovery, and group lasso against lasso. */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { main } from '../../src/cli/main';
import { runGroupDesign } from '../../src/experiment/group-design';
import { lambdaMax, proxGradientSolver, relativeError } from '../../src/experiment/prox-gradient';
import { coverRatio, groupsForCoverRatio, plantGroupSparse, sampleRegression } from '../../src/experiment/synthetic-regression';
import { Rng } from '../../src/util/rng';
import { parseAs } from '../helpers/json';

const touchedGroups = (w: Float64Array, g: number) =>
  Array.from({ length: w.length / g }, (_, i) => i).filter((i) => w.subarray(i * g, i * g + g).some((v) => v !== 0));

describe('planted group-sparse weights', () => {
  it.each([1, 1.5, 2, 5, 10])('cover ratio %p: k nonzeros in the right number of groups, none empty', (ratio) => {
    const m = groupsForCoverRatio(200, 10, 20, ratio);
    const d = { p: 200, groupSize: 10, k: 20, groupsTouched: m };
    expect(coverRatio(d)).toBeCloseTo(ratio, 10);
    const w = plantGroupSparse(d, new Rng(3));
    expect(w.reduce((n, v) => n + (v !== 0 ? 1 : 0), 0)).toBe(20);
    expect(touchedGroups(w, 10)).toHaveLength(m);
  });

  it('rejects impossible cover ratios', () => {
    expect(() => groupsForCoverRatio(200, 10, 20, 0.5)).toThrow(/impossible/);
    expect(() => groupsForCoverRatio(200, 10, 20, 20)).toThrow(/impossible/);
  });
});

describe('group lasso by proximal gradient', () => {
  it('recovers the support of a planted strongly group-sparse w*', () => {
    for (const seed of [1, 2, 3]) {
      const rng = new Rng(seed);
      const w = plantGroupSparse({ p: 100, groupSize: 10, k: 20, groupsTouched: 2 }, rng);
      const train = sampleRegression(w, 80, 0.1, rng);
      const solver = proxGradientSolver(train, 100, 10, 'group-lasso');
      const wHat = solver.solve(0.1 * lambdaMax(train, 100, 10, 'group-lasso'));
      expect(touchedGroups(wHat, 10)).toEqual(touchedGroups(w, 10));
      for (let i = 0; i < 100; i++) expect(wHat[i] !== 0).toBe(w[i] !== 0); // full groups: the support itself
      expect(relativeError(wHat, w)).toBeLessThan(0.2);
    }
  });

  it('gives w = 0 at lambda_max, for lasso too', () => {
    const rng = new Rng(9);
    const w = plantGroupSparse({ p: 40, groupSize: 5, k: 5, groupsTouched: 1 }, rng);
    const train = sampleRegression(w, 30, 0.1, rng);
    for (const method of ['group-lasso', 'lasso'] as const) {
      const wHat = proxGradientSolver(train, 40, 5, method).solve(1.0001 * lambdaMax(train, 40, 5, method));
      expect(wHat.every((v) => v === 0)).toBe(true);
    }
  });
});

describe('group lasso against lasso', () => {
  const result = runGroupDesign({
    p: 100,
    groupSize: 10,
    k: 10,
    samples: 50,
    validationSamples: 50,
    coverRatios: [1, 10],
    seeds: 3,
    firstSeed: 1,
  });

  it('group lasso recovers better at cover ratio 1 (strong group sparsity)', () => {
    const row = result.rows[0];
    expect(row.coverRatio).toBe(1);
    expect(row['group-lasso'].meanError).toBeLessThan(row.lasso.meanError);
    expect(row.better).toBe('group-lasso');
  });

  it('lasso recovers better when every touched group holds one nonzero', () => {
    const row = result.rows[1];
    expect(row.groupsTouched).toBe(10);
    expect(row.lasso.meanError).toBeLessThan(row['group-lasso'].meanError);
  });
});

describe('gs-compress experiment group-design', () => {
  it('writes the table, JSON and SVG and prints the table', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'gs-exp-'));
    let out = '';
    const so = jest.spyOn(process.stdout, 'write').mockImplementation((s) => ((out += String(s)), true));
    const se = jest.spyOn(process.stderr, 'write').mockImplementation(() => true);
    try {
      const args = [
        'experiment',
        'group-design',
        '--out',
        dir,
        '--seeds',
        '1',
        '--features',
        '40',
        '--group-size',
        '5',
        '--support',
        '5',
        '--samples',
        '30',
        '--ratios',
        '1,5',
      ];
      expect(await main(args)).toBe(0);
    } finally {
      so.mockRestore();
      se.mockRestore();
    }
    expect(out).toMatch(/group lasso error/);
    expect(
      fs
        .readFileSync(path.join(dir, 'group-design.md'), 'utf8')
        .split('\n')
        .filter((l) => /^\| [0-9]/.test(l)),
    ).toHaveLength(2);
    expect(parseAs<{ rows: unknown[] }>(fs.readFileSync(path.join(dir, 'group-design.json'), 'utf8')).rows).toHaveLength(2);
    const svg = fs.readFileSync(path.join(dir, 'group-design.svg'), 'utf8');
    expect(svg.startsWith('<svg')).toBe(true);
    expect(svg).toContain('cover ratio');
    expect(fs.readdirSync(dir).sort()).toEqual(['group-design.json', 'group-design.md', 'group-design.svg']);
    fs.rmSync(dir, { recursive: true, force: true });
  });
});
