/**
 * NumPy arrays as data: .npy headers in every byte order and memory order the format has (written
 * here byte by byte), .npz archives (stored and deflated) with keras.datasets' names or x/y, channels
 * last images turned channels first, uint8 pixels scaled like IDX, one-hot labels; and the refusals:
 * object and string arrays, a truncated file, labels that are not integers or do not match the
 * features, names that say nothing.
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { zipSync } from 'fflate';
import { loadDataset } from '../../src/data';
import { parseNpy } from '../../src/data/npy';
import { f4, i8, npy, u1 } from './array-files';

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'gs-npy-'));
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

describe('parseNpy', () => {
  test('little- and big-endian floats give the same values; Fortran order is read in C order', () => {
    const v = [0.5, -1.25, 3, 7, 8.5, -2];
    expect(Array.from(parseNpy(npy('<f4', [2, 3], f4(v)), 'le').values)).toEqual(v);
    const be = parseNpy(npy('>f4', [2, 3], f4(v, true)), 'be');
    expect(Array.from(be.values)).toEqual(v);
    expect(be.shape).toEqual([2, 3]);
    // the same 2 x 3 matrix stored column by column
    const fortran = [v[0], v[3], v[1], v[4], v[2], v[5]];
    expect(Array.from(parseNpy(npy('<f4', [2, 3], f4(fortran), true), 'f').values)).toEqual(v);
    expect(Array.from(parseNpy(npy('<i8', [3], i8([3, -4, 9])), 'i').values)).toEqual([3, -4, 9]);
  });

  test('object, string and complex arrays and a truncated file are refused naming the file', () => {
    expect(() => parseNpy(npy('|O', [2], new Uint8Array(16)), 'obj.npy')).toThrow(
      /obj\.npy: an array of Python objects \(dtype \|O\); expected numbers/,
    );
    expect(() => parseNpy(npy('<U3', [2], new Uint8Array(24)), 's.npy')).toThrow(/s\.npy: an array of strings/);
    expect(() => parseNpy(npy('<c8', [2], new Uint8Array(16)), 'c.npy')).toThrow(/c\.npy: an array of complex numbers/);
    const whole = npy('<f4', [4, 4], f4(new Array<number>(16).fill(1)));
    expect(() => parseNpy(whole.subarray(0, whole.length - 9), 't.npy')).toThrow(/t\.npy: .*(truncated|not a readable)/);
    expect(() => parseNpy(Buffer.from('hello world, not numpy'), 'x.npy')).toThrow(/x\.npy: not a NumPy \.npy array/);
  });
});

describe('loading arrays', () => {
  const N = 40;
  // 40 images 4 x 4 (channels last, 3 channels) whose class is the channel that is brightest
  const hwc: number[] = [];
  const y: number[] = [];
  for (let r = 0; r < N; r++) {
    const k = r % 3;
    y.push(k);
    for (let p = 0; p < 16; p++) for (let c = 0; c < 3; c++) hwc.push(c === k ? 200 : 10 + p);
  }

  test('a .npz with x_train / y_train / x_test / y_test: the split as given, channels last turned first, pixels / 255', async () => {
    const file = path.join(tmp, 'keras.npz');
    const half = N / 2;
    fs.writeFileSync(
      file,
      zipSync({
        'x_train.npy': npy('|u1', [half, 4, 4, 3], u1(hwc.slice(0, half * 48))),
        'y_train.npy': npy('<i8', [half], i8(y.slice(0, half))),
        'x_test.npy': npy('|u1', [half, 4, 4, 3], u1(hwc.slice(half * 48))),
        'y_test.npy': npy('<i8', [half], i8(y.slice(half))),
      }),
    );
    const warnings: string[] = [];
    const ds = await loadDataset({ data: file }, { onWarning: (w) => warnings.push(w) });
    expect(ds.inputShape).toEqual([3, 4, 4]);
    expect([ds.train.rows, ds.test.rows]).toEqual([20, 20]);
    expect(ds.classLabels).toEqual(['0', '1', '2']);
    // row 0 is class 0: channel 0 is 200/255 everywhere, channel 1 holds 10 + p
    expect(ds.train.features[0]).toBeCloseTo(200 / 255, 6);
    expect(ds.train.features[16 + 5]).toBeCloseTo(15 / 255, 6);
    expect(warnings.join('\n')).toMatch(/x_train is channels last \(20x4x4x3\); read as 20 x 3 x 4 x 4, channels first/);
  });

  test('a deflated .npz of x and y (one-hot labels) is split by the seeded shuffle', async () => {
    const file = path.join(tmp, 'xy.npz');
    const onehot = y.flatMap((k) => [0, 1, 2].map((j) => (j === k ? 1 : 0)));
    const x = Array.from({ length: N * 5 }, (_, i) => (i % 7) / 7);
    fs.writeFileSync(file, zipSync({ 'x.npy': npy('<f4', [N, 5], f4(x)), 'y.npy': npy('<f4', [N, 3], f4(onehot)) }, { level: 6 }));
    const ds = await loadDataset({ data: file, testFraction: 0.25 });
    expect(ds.train.rows + ds.test.rows).toBe(N);
    expect(ds.test.rows).toBe(10);
    expect(ds.inputShape).toBeUndefined();
    expect(ds.train.cols).toBe(5);
  });

  test('a folder of x.npy and y.npy (N x H x W) gives one-channel images', async () => {
    const dir = path.join(tmp, 'folder');
    fs.mkdirSync(dir);
    fs.writeFileSync(path.join(dir, 'x.npy'), npy('<f4', [N, 2, 3], f4(Array.from({ length: N * 6 }, (_, i) => i % 5))));
    fs.writeFileSync(path.join(dir, 'y.npy'), npy('<i8', [N], i8(y.map((k) => k * 10))));
    const ds = await loadDataset({ data: dir });
    expect(ds.inputShape).toEqual([1, 2, 3]);
    expect(ds.classLabels).toEqual(['0', '10', '20']);
  });

  test.each([
    [
      'labels that are not integers',
      { 'x.npy': npy('<f4', [2, 2], f4([1, 2, 3, 4])), 'y.npy': npy('<f4', [2], f4([0.5, 1])) },
      /y holds 0\.5 at row 0, not an integer class id/,
    ],
    [
      'as many labels as examples',
      { 'x.npy': npy('<f4', [2, 2], f4([1, 2, 3, 4])), 'y.npy': npy('<i8', [3], i8([0, 1, 1])) },
      /x has 2 examples but y has 3 labels/,
    ],
    [
      'names it knows',
      { 'a.npy': npy('<f4', [2, 2], f4([1, 2, 3, 4])), 'b.npy': npy('<i8', [2], i8([0, 1])) },
      /holds arrays a, b; expected x_train, y_train, x_test, y_test/,
    ],
    [
      'a 5-D array',
      { 'x.npy': npy('<f4', [1, 1, 1, 1, 2], f4([1, 2])), 'y.npy': npy('<i8', [1], i8([0])) },
      /x has shape 1x1x1x1x2; expected N x F/,
    ],
    ['numbers', { 'x.npy': npy('|O', [2], new Uint8Array(16)), 'y.npy': npy('<i8', [2], i8([0, 1])) }, /an array of Python objects/],
  ])('refuses arrays without %s', async (name, entries, message) => {
    const file = path.join(tmp, `${name.replace(/\W+/g, '-')}.npz`);
    fs.writeFileSync(file, zipSync(entries));
    await expect(loadDataset({ data: file })).rejects.toThrow(message);
  });

  test('a truncated .npz is refused naming the file', async () => {
    const file = path.join(tmp, 'cut.npz');
    const whole = zipSync({ 'x.npy': npy('<f4', [2, 2], f4([1, 2, 3, 4])), 'y.npy': npy('<i8', [2], i8([0, 1])) });
    fs.writeFileSync(file, whole.subarray(0, whole.length - 30));
    await expect(loadDataset({ data: file })).rejects.toThrow(/cut\.npz: not a readable \.npz archive/);
  });
});
