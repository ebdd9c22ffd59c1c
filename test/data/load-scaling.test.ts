/** loadDataset splits and subsampling, train/test label union, DataRef round trip, scaling. */
import * as path from 'path';
import { loadDataset, specFromRef } from '../../src/data/load';
import { applyScaling, fitScaling } from '../../src/data/scaling';
import { splitIndices } from '../../src/data/split';
import { makeTempDir, removeDir, writeText } from './helpers';

let dir: string;
beforeAll(() => (dir = makeTempDir()));
afterAll(() => removeDir(dir));

function rowsText(n: number, labels: string[]): string {
  return Array.from({ length: n }, (_, i) => `${i},${i * 2},${labels[i % labels.length]}`).join('\n') + '\n';
}

describe('splits', () => {
  it('matches the paper split sizes with round(rows * 0.3)', () => {
    const s = splitIndices(58509, 0.3, 0);
    expect([s.train.length, s.test.length]).toEqual([40956, 17553]);
  });

  it('splits one file with a seeded shuffle: same seed, same split; disjoint parts', async () => {
    const file = writeText(dir, 'd.csv', rowsText(100, ['a', 'b', 'c']));
    const a = await loadDataset({ data: file, splitSeed: 5 });
    const b = await loadDataset({ data: file, splitSeed: 5 });
    const c = await loadDataset({ data: file, splitSeed: 6, testFraction: 0.25 });
    expect([a.train.rows, a.test.rows]).toEqual([70, 30]);
    expect([c.train.rows, c.test.rows]).toEqual([75, 25]);
    expect(Array.from(a.test.features)).toEqual(Array.from(b.test.features));
    expect(Array.from(a.test.features)).not.toEqual(Array.from(c.test.features.slice(0, 60)));
    const ids = (f: Float32Array) => Array.from(f.filter((_, i) => i % 2 === 0));
    const all = [...ids(a.train.features), ...ids(a.test.features)].sort((x, y) => x - y);
    expect(all).toEqual(Array.from({ length: 100 }, (_, i) => i));
    expect(a.ref).toEqual({ kind: 'file', path: path.resolve(file), testFraction: 0.3, splitSeed: 5, files: [path.resolve(file)] });
    expect(a.name).toBe('d.csv');
  });

  it('subsamples to maxTrainRows / maxTestRows and records them', async () => {
    const file = writeText(dir, 's.csv', rowsText(200, ['0', '1']));
    const ds = await loadDataset({ data: file, maxTrainRows: 20, maxTestRows: 7, labelColumn: 'last' });
    expect([ds.train.rows, ds.test.rows]).toEqual([20, 7]);
    const again = await loadDataset(specFromRef(ds.ref));
    expect(Array.from(again.train.features)).toEqual(Array.from(ds.train.features));
    expect(again.ref).toEqual(ds.ref);
  });

  it('train + test files: classes are the union, sorted', async () => {
    const train = writeText(dir, 'tr.csv', rowsText(10, ['dog', 'cat']));
    const test = writeText(dir, 'te.csv', rowsText(4, ['emu', 'cat']));
    const ds = await loadDataset({ train, test });
    expect(ds.classLabels).toEqual(['cat', 'dog', 'emu']);
    expect(Array.from(ds.train.labels.slice(0, 2))).toEqual([1, 0]);
    expect(Array.from(ds.test.labels.slice(0, 2))).toEqual([2, 0]);
    expect(ds.ref).toEqual({ kind: 'files', train, test, files: [train, test] });
    expect(specFromRef(ds.ref)).toEqual({ train, test });
  });
});

describe('scaling', () => {
  it('fits mean/std per column, constant columns get std 1, apply makes a new array', () => {
    const features = Float32Array.from([1, 5, 0.1, 3, 5, 0.1, 5, 5, 0.1]);
    const s = fitScaling({ rows: 3, cols: 3, features });
    expect(Array.from(s.mean)).toEqual([3, 5, Math.fround(0.1)]);
    expect(s.std[0]).toBeCloseTo(Math.sqrt(8 / 3), 6);
    expect([s.std[1], s.std[2]]).toEqual([1, 1]);
    const out = applyScaling(features, 3, s);
    expect(out).not.toBe(features);
    expect(out[0]).toBeCloseTo(-2 / Math.sqrt(8 / 3), 5);
    expect([out[1], out[2], out[4], out[5]]).toEqual([0, 0, 0, 0]);
    expect(features[0]).toBe(1);
  });
});
