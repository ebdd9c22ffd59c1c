/** Grid expansion (preset sizes, penalty none, hidden alternatives, stable ids), list parsing and grid files. */
import * as fs from 'fs';
import * as path from 'path';
import { hashFile } from '../../src/data/content-hash';
import { GsError } from '../../src/errors';
import { configId } from '../../src/sweep/config-id';
import { parseHiddenList, parseNumberList, parseOptimizerList } from '../../src/sweep/flag-lists';
import { completeGrid, expandGrid, mergeGridInputs } from '../../src/sweep/grid';
import { readGridFile } from '../../src/sweep/grid-file';
import { PRESETS, presetGrid } from '../../src/sweep/presets';
import { makeTempDir, runCli, writeTinyCsv } from './helpers';
import type { SweepResult } from '../../src/sweep/run-sweep';
import type { RunRecord } from '../../src/sweep/types';
import { parseAs } from '../helpers/json';

/** What `sweep --json` prints. */
type SweepJson = SweepResult & { best: RunRecord };

const dir = makeTempDir();
const csv = writeTinyCsv(dir);
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

const withData = (name: keyof typeof PRESETS) => completeGrid(mergeGridInputs(presetGrid(name), { data: { data: 'mnist' } }));

test("the presets expand to the paper's grid sizes", () => {
  expect(expandGrid(withData('group'))).toHaveLength(72);
  expect(expandGrid(withData('baseline'))).toHaveLength(80); // 4 x 4 x (none + 4 decays)
  expect(expandGrid(withData('logreg'))).toHaveLength(18);
  const group = expandGrid(withData('group'));
  expect(new Set(group.map((p) => p.id)).size).toBe(72);
  expect(group.every((p) => p.config.train.epochs === 20 && p.config.train.hidden.join() === '32,32')).toBe(true);
  expect(expandGrid(withData('logreg')).every((p) => p.config.train.hidden.length === 0 && p.config.train.epochs === 10)).toBe(true);
});

test('penalty none runs once with lambda 0; hidden alternatives and seeds multiply', () => {
  const grid = completeGrid({
    data: { data: csv },
    penalty: ['none', 'gl'],
    lambda: [1e-3, 1e-4, 1e-5],
    hidden: [[32, 32], [64]],
    seed: [0, 1],
  });
  const points = expandGrid(grid);
  expect(points).toHaveLength(2 * 2 * (1 + 3));
  expect(points.filter((p) => p.config.train.penalty === 'none').every((p) => p.config.train.lambda === 0)).toBe(true);
  // data as records keep it: relative to the store's folder, with its content hash
  expect(expandGrid(grid, path.dirname(csv))[0].config.data).toEqual({ data: 'tiny.csv', dataHash: hashFile(csv) });
});

test('ids are stable, depend on everything trained, and not on the catalog folder', () => {
  const a = expandGrid(completeGrid({ data: { data: csv }, lr: [1e-3] }))[0];
  const again = expandGrid(completeGrid({ data: { data: csv }, lr: [1e-3] }))[0];
  expect(again.id).toBe(a.id);
  expect(a.id).toMatch(/^[0-9a-f]{12}$/);
  const changed = (f: (c: typeof a.config) => void) => {
    const c = parseAs<typeof a.config>(JSON.stringify(a.config));
    f(c);
    return configId(c);
  };
  expect(changed((c) => (c.train.epochs = 21))).not.toBe(a.id);
  expect(changed((c) => (c.data.testFraction = 0.2))).not.toBe(a.id);
  expect(changed((c) => (c.data.dataDir = '/elsewhere'))).toBe(a.id);
  expect(changed((c) => (c.data.data = '/mounted/elsewhere/tiny.csv'))).toBe(a.id); // the content hash names the data
  expect(changed((c) => (c.data.dataHash = `sha256:${'0'.repeat(64)}`))).not.toBe(a.id);
});

test('label smoothing lists multiply the grid; 0 keeps the ids of grids without it; bad values are refused', () => {
  const plain = expandGrid(completeGrid({ data: { data: csv }, seed: [0, 1] }));
  const smooth = expandGrid(completeGrid({ data: { data: csv }, seed: [0, 1], labelSmoothing: [0, 0.1] }));
  expect(smooth).toHaveLength(4);
  expect(smooth.map((p) => p.config.train.labelSmoothing)).toEqual([undefined, 0.1, undefined, 0.1]);
  expect(smooth.filter((p) => p.config.train.labelSmoothing === undefined).map((p) => p.id)).toEqual(plain.map((p) => p.id));
  expect(new Set(smooth.map((p) => p.id)).size).toBe(4);
  expect(() => expandGrid(completeGrid({ data: { data: csv }, labelSmoothing: [1] }))).toThrow(/--label-smoothing 1/);
  expect(() => completeGrid({ data: { data: csv }, labelSmoothing: [0.1], distill: true, targetRatio: [0.5] })).toThrow(
    /cannot be combined/,
  );
  const file = path.join(dir, 'smooth.json');
  fs.writeFileSync(file, JSON.stringify({ 'label-smoothing': [0.05, 0.2] }));
  expect(readGridFile(file).grid.labelSmoothing).toEqual([0.05, 0.2]);
});

test('a penalty with lambda 0 or a bad value is a clear error', () => {
  expect(() => expandGrid(completeGrid({ data: { data: csv }, penalty: ['gl'], lambda: [0] }))).toThrow(/--penalty gl needs --lambda > 0/);
  expect(() => completeGrid({})).toThrow(/no data/);
});

test('list parsing: comma lists, hidden alternatives, choices', () => {
  expect(parseNumberList('5e-3, 1e-3', 'lr')).toEqual([5e-3, 1e-3]);
  expect(() => parseNumberList('1e-3,abc', 'lr')).toThrow(/--lr "1e-3,abc": "abc" is not a number/);
  expect(() => parseNumberList('1.5', 'seed', true)).toThrow(GsError);
  expect(parseHiddenList('32,32;64')).toEqual([[32, 32], [64]]);
  expect(parseHiddenList('')).toEqual([[]]);
  expect(parseHiddenList('none;16')).toEqual([[], [16]]);
  expect(parseHiddenList([32, 32])).toEqual([[32, 32]]);
  expect(parseHiddenList(['32,32', [64]])).toEqual([[32, 32], [64]]);
  expect(parseOptimizerList('adam,rmsprop')).toEqual(['adam', 'rmsprop']);
  expect(() => parseOptimizerList('adam,lbfgs')).toThrow(/"lbfgs" is not one of adam, adamax, rmsprop, sgd/);
});

test('grid files (JSON and YAML): keys like the flags, data paths relative to the file, unknown keys named', () => {
  fs.writeFileSync(
    path.join(dir, 'g.json'),
    JSON.stringify({ preset: 'group', data: 'tiny.csv', 'batch-size': 16, lr: [1e-3], hidden: '8;4,4' }),
  );
  const j = readGridFile(path.join(dir, 'g.json'));
  expect(j.preset).toBe('group');
  expect(j.grid).toMatchObject({ batchSize: [16], lr: [1e-3], hidden: [[8], [4, 4]], data: { data: path.resolve(csv) } });
  fs.writeFileSync(path.join(dir, 'g.yaml'), 'data: tiny.csv\noptimizer: [adam, sgd]\nlambda:\n  - 1e-4\n  - 1e-5\npenalty: gl\n');
  const y = readGridFile(path.join(dir, 'g.yaml'));
  expect(y.grid).toMatchObject({ optimizer: ['adam', 'sgd'], lambda: [1e-4, 1e-5], penalty: ['gl'] });
  fs.writeFileSync(path.join(dir, 'bad.json'), '{"learning-rate": [1]}');
  expect(() => readGridFile(path.join(dir, 'bad.json'))).toThrow(/bad\.json: unknown key "learning-rate"/);
  fs.writeFileSync(path.join(dir, 'broken.json'), '{"lr": [1');
  expect(() => readGridFile(path.join(dir, 'broken.json'))).toThrow(/broken\.json: not valid JSON/);
});

test('the CLI: flags as lists override the preset and the grid file; --json summary', async () => {
  fs.writeFileSync(
    path.join(dir, 'cli.json'),
    JSON.stringify({ data: 'tiny.csv', optimizer: ['adam', 'sgd'], lr: [1e-2, 1e-3], penalty: 'gl', lambda: 1e-3 }),
  );
  const out = path.join(dir, 'cli-out');
  const args = [
    'sweep',
    '--grid',
    path.join(dir, 'cli.json'),
    '--preset',
    'group',
    '--lr',
    '5e-3',
    '--hidden',
    '8;4',
    '--epochs',
    '1',
    '--workers',
    '0',
    '--out',
    out,
    '--json',
  ];
  const r = await runCli(args);
  expect(r.err).toBe('');
  expect(r.code).toBe(0);
  const j = parseAs<SweepJson>(r.out);
  // preset's 4 optimizers x 3 lrs x 2 penalties x 3 lambdas narrowed: optimizer 2 (file), lr 1 (flag), penalty 1 and lambda 1 (file), hidden 2 (flag)
  expect(j).toMatchObject({ gridSize: 4, total: 4, ran: 4, skipped: 0, failed: [] });
  expect(j.best.config).toMatchObject({ lr: 5e-3, penalty: 'gl', lambda: 1e-3, epochs: 1 });
  expect(fs.existsSync(path.join(j.best.runDir, 'gs-run.json'))).toBe(true);
  const bad = await runCli(['sweep', '--data', csv, '--lr', '1e-3,x', '--out', out]);
  expect(bad.code).toBe(1);
  expect(bad.err).toContain('--lr "1e-3,x": "x" is not a number');
});

test('proxStep: lr changes the id and reaches every run; the preconditioned default keeps the old id', () => {
  const base = expandGrid(completeGrid({ data: { data: csv }, penalty: ['gl'], lambda: [1e-4] }))[0];
  const explicit = expandGrid(completeGrid({ data: { data: csv }, penalty: ['gl'], lambda: [1e-4], proxStep: 'preconditioned' }))[0];
  const plain = expandGrid(completeGrid({ data: { data: csv }, penalty: ['gl'], lambda: [1e-4], proxStep: 'lr' }))[0];
  expect(explicit.id).toBe(base.id);
  expect(plain.id).not.toBe(base.id);
  expect(plain.config.train.proxStep).toBe('lr');
  const file = path.join(dir, 'plain.json');
  fs.writeFileSync(file, JSON.stringify({ data: csv, 'prox-step': 'lr' }));
  expect(readGridFile(file).grid.proxStep).toBe('lr');
});
