/**
 * NumPy arrays given as files: a features .npy with its labels .npy (--labels), train/test pairs
 * of .npy, .npz and image folders, the dtypes and byte orders read, array names picked (--arrays)
 * or refused as ambiguous, pixel scale and image size/channels on arrays and IDX images, and a
 * recorded reference that loads the same data again; each refusal names the file.
 */
import * as fs from 'fs';
import * as path from 'path';
import { zipSync } from 'fflate';
import { encodeIdx } from '../../src/data/idx';
import { loadDataset, specFromRef } from '../../src/data';
import { parseNpy } from '../../src/data/npy';
import { f4, f8, i2, i4, i8, npy, png, put, u1 } from './array-files';
import { makeTempDir, removeDir } from './helpers';

const tmp = makeTempDir('gs-npy-files-');
afterAll(() => removeDir(tmp));

/** N examples 2 x 3 x 3 whose every value is 100 * label + position, labels 3, 7, 9 in turn. */
const N = 12;
const LABELS = Array.from({ length: N }, (_, r) => [3, 7, 9][r % 3]);
const VALUES = LABELS.flatMap((k) => Array.from({ length: 18 }, (_, i) => 100 * k + i));

describe('a features .npy with a labels .npy', () => {
  const x = put(tmp, 'pair/x.npy', npy('>f8', [N, 2, 3, 3], f8(VALUES, true)));
  const y = put(tmp, 'pair/y.npy', npy('>i4', [N], i4(LABELS, true)));

  test('reads N x C x H x W big-endian float64 features and int32 labels; rows keep their labels through the split', async () => {
    const ds = await loadDataset({ data: x, labels: y, testFraction: 0.25 });
    expect(ds.inputShape).toEqual([2, 3, 3]);
    expect([ds.train.rows, ds.test.rows]).toEqual([9, 3]);
    expect(ds.classLabels).toEqual(['3', '7', '9']);
    for (const t of [ds.train, ds.test])
      for (let r = 0; r < t.rows; r++) {
        expect(Math.floor(t.features[r * 18] / 100)).toBe(Number(ds.classLabels[t.labels[r]]));
        expect(t.features[r * 18 + 17] % 100).toBe(17);
      }
    expect(ds.ref).toMatchObject({ kind: 'file', path: x, labels: y, files: [x, y] });
    expect(ds.tabular).toBe(false);
  });

  test('the recorded reference loads the same data again', async () => {
    const ds = await loadDataset({ data: x, labels: y });
    const again = await loadDataset(specFromRef(ds.ref));
    expect(Array.from(again.train.features)).toEqual(Array.from(ds.train.features));
    expect(Array.from(again.test.labels)).toEqual(Array.from(ds.test.labels));
  });

  test('a train/test pair of .npy files keeps the split given', async () => {
    const xt = put(tmp, 'pair/xt.npy', npy('<f4', [3, 2, 3, 3], f4(VALUES.slice(0, 54))));
    const yt = put(tmp, 'pair/yt.npy', npy('<i8', [3], i8(LABELS.slice(0, 3))));
    const ds = await loadDataset({ train: x, labels: y, test: xt, testLabels: yt });
    expect([ds.train.rows, ds.test.rows]).toEqual([N, 3]);
    expect(Array.from(ds.test.labels)).toEqual([0, 1, 2]);
    expect(ds.ref).toMatchObject({ kind: 'files', train: x, test: xt, labels: y, testLabels: yt });
    expect(ds.inputShape).toEqual([2, 3, 3]);
  });

  test('uint8 features are pixels / 255 unless a pixel scale is asked for; it scales float features too', async () => {
    const xu = put(tmp, 'u1/x.npy', npy('|u1', [4, 2, 2], u1([...Array(16).keys()].map((i) => i * 10))));
    const yu = put(tmp, 'u1/y.npy', npy('<i8', [4], i8([0, 1, 0, 1])));
    const all = async (spec: object) => {
      const ds = await loadDataset({ data: xu, labels: yu, testFraction: 0.5, ...spec });
      return [...ds.train.features, ...ds.test.features].sort((a, b) => a - b);
    };
    expect((await all({}))[15]).toBeCloseTo(150 / 255, 6);
    expect((await all({ pixelScale: 1 }))[15]).toBe(150);
    const xf = put(tmp, 'u1/xf.npy', npy('<f4', [4, 2, 2], f4([...Array(16).keys()])));
    const ds = await loadDataset({ data: xf, labels: yu, pixelScale: 0.5, testFraction: 0.5 });
    expect(Math.max(...ds.train.features, ...ds.test.features)).toBe(7.5);
  });

  test('N x H x W is one channel, N x F flat, and N x C x L a sequence with an input shape C,L', async () => {
    const yl = put(tmp, 'shapes/y.npy', npy('<i8', [4], i8([0, 1, 0, 1])));
    const hw = put(tmp, 'shapes/hw.npy', npy('<f4', [4, 3, 5], f4(new Array<number>(60).fill(0.5))));
    expect((await loadDataset({ data: hw, labels: yl })).inputShape).toEqual([1, 3, 5]);
    const flat = put(tmp, 'shapes/flat.npy', npy('<f4', [4, 15], f4(new Array<number>(60).fill(0.5))));
    expect((await loadDataset({ data: flat, labels: yl })).inputShape).toBeUndefined();
    expect((await loadDataset({ data: hw, labels: yl, inputShape: [3, 5] })).inputShape).toEqual([3, 5]);
  });

  test('image arrays are brought to the channels and size asked for (bilinear, grey repeated), with a warning', async () => {
    // one 4 x 4 grey image per row, pixel (x, y) = 10 (4 y + x) + r
    const v = Array.from({ length: 4 * 16 }, (_, i) => 10 * (i % 16) + Math.floor(i / 16));
    const xg = put(tmp, 'fit/x.npy', npy('|u1', [4, 1, 4, 4], u1(v)));
    const yg = put(tmp, 'fit/y.npy', npy('<i8', [4], i8([0, 1, 0, 1])));
    const warnings: string[] = [];
    const ds = await loadDataset(
      { data: xg, labels: yg, channels: 3, imageSize: [2, 2], pixelScale: 1, testFraction: 0.5 },
      { onWarning: (w) => warnings.push(w) },
    );
    expect(ds.inputShape).toEqual([3, 2, 2]);
    // the first training row: which of the four (its values are 10 p + r)
    const row = ds.train.features[0] - 25;
    expect([0, 1, 2, 3]).toContain(row);
    // halving samples between the four pixels of each 2 x 2 block: their mean
    const block = (bx: number, by: number) => {
      const at = (x: number, y: number) => 10 * (4 * y + x) + row;
      return (at(2 * bx, 2 * by) + at(2 * bx + 1, 2 * by) + at(2 * bx, 2 * by + 1) + at(2 * bx + 1, 2 * by + 1)) / 4;
    };
    const want = [block(0, 0), block(1, 0), block(0, 1), block(1, 1)];
    for (let c = 0; c < 3; c++) expect(Array.from(ds.train.features.subarray(c * 4, c * 4 + 4))).toEqual(want);
    expect(warnings.join('\n')).toMatch(
      /images of 1 x 4 x 4 read as 3 x 2 x 2 \(resized, bilinear\) \(the grey repeated over three channels\)/,
    );
    const flat = put(tmp, 'fit/flat.npy', npy('<f4', [4, 5], f4(new Array<number>(20).fill(1))));
    await expect(loadDataset({ data: flat, labels: yg, imageSize: [2, 2] })).rejects.toThrow(
      /flat\.npy: holds flat rows of 5 features, not images/,
    );
  });
});

describe('dtypes and orders', () => {
  test('int16 either endian, float16, bool, native-order float64 and a 3-D Fortran-order array', () => {
    expect(Array.from(parseNpy(npy('<i2', [3], i2([-5, 0, 300])), 'a').values)).toEqual([-5, 0, 300]);
    expect(Array.from(parseNpy(npy('>i2', [3], i2([-5, 0, 300], true)), 'b').values)).toEqual([-5, 0, 300]);
    expect(Array.from(parseNpy(npy('<f2', [3], u1([0x00, 0x3c, 0x00, 0xc0, 0x00, 0x38])), 'c').values)).toEqual([1, -2, 0.5]);
    expect(Array.from(parseNpy(npy('|b1', [3], u1([1, 0, 1])), 'd').values)).toEqual([1, 0, 1]);
    expect(Array.from(parseNpy(npy('=f8', [2], f8([0.25, -3])), 'e').values)).toEqual([0.25, -3]);
    // element (a, b, c) of a 2 x 3 x 4 array stored at a + 2 b + 6 c, its value 12 a + 4 b + c
    const fortran = Array.from({ length: 24 }, (_, f) => 12 * (f % 2) + 4 * (Math.floor(f / 2) % 3) + Math.floor(f / 6));
    const back = parseNpy(npy('<f4', [2, 3, 4], f4(fortran), true), 'f');
    expect(Array.from(back.values)).toEqual([...Array(24).keys()]);
    expect(back.shape).toEqual([2, 3, 4]);
  });

  test('dates, records and unicode labels are refused naming the file', async () => {
    expect(() => parseNpy(npy('<M8[D]', [2], new Uint8Array(16)), 'when.npy')).toThrow(/when\.npy: an array of dates or time spans/);
    const x = put(tmp, 'dt/x.npy', npy('<f4', [2, 2], f4([1, 2, 3, 4])));
    const y = put(tmp, 'dt/y.npy', npy('<U3', [2], new Uint8Array(24)));
    await expect(loadDataset({ data: x, labels: y })).rejects.toThrow(/dt\/y\.npy: an array of strings \(dtype <U3\); expected numbers/);
    const xc = put(tmp, 'dt/xc.npy', npy('<c8', [2, 2], new Uint8Array(32)));
    const yi = put(tmp, 'dt/yi.npy', npy('<i8', [2], i8([0, 1])));
    await expect(loadDataset({ data: xc, labels: yi })).rejects.toThrow(/dt\/xc\.npy: an array of complex numbers/);
  });
});

describe('refusals name the file', () => {
  const x = put(tmp, 'bad/x.npy', npy('<f4', [4, 4], f4(new Array<number>(16).fill(1))));
  const y = put(tmp, 'bad/y.npy', npy('<i8', [4], i8([0, 1, 0, 1])));

  test.each([
    ['a .npy without labels', () => ({ data: x }), /bad\/x\.npy: a \.npy file holds one array; give its labels \.npy too/],
    [
      'as many labels as examples',
      () => ({ data: x, labels: put(tmp, 'bad/y3.npy', npy('<i8', [3], i8([0, 1, 0]))) }),
      /bad\/x\.npy has 4 examples but .*bad\/y3\.npy has 3 labels/,
    ],
    [
      'integer labels',
      () => ({ data: x, labels: put(tmp, 'bad/yf.npy', npy('<f8', [4], f8([0, 0.5, 1, 1]))) }),
      /bad\/yf\.npy holds 0\.5 at row 1, not an integer class id/,
    ],
    [
      'whole items (cut inside one)',
      () => ({ data: put(tmp, 'bad/cut.npy', npy('<f4', [4, 4], f4(new Array<number>(16).fill(1))).subarray(0, -3)), labels: y }),
      /bad\/cut\.npy: not a readable \.npy array \(.*; truncated file\?\)/,
    ],
    [
      'every item its header declares',
      () => ({ data: put(tmp, 'bad/short.npy', npy('<f4', [4, 4], f4(new Array<number>(16).fill(1))).subarray(0, -8)), labels: y }),
      /bad\/short\.npy: holds 14 of the 16 values its header declares \(truncated file\?\)/,
    ],
    [
      'a labels file only beside a .npy',
      () => ({ data: put(tmp, 'bad/t.csv', Buffer.from('a,b\n1,0\n2,1\n')), labels: y }),
      /bad\/y\.npy: a labels file goes with a features \.npy file/,
    ],
    ['a test features file for test labels', () => ({ data: x, labels: y, testLabels: y }), /need a test features \.npy file/],
    ['array names beside one .npy', () => ({ data: x, labels: y, arrays: ['x', 'y'] }), /pick arrays in a \.npz or a folder/],
  ])('refuses %s', async (_, spec, message) => {
    await expect(loadDataset(spec())).rejects.toThrow(message);
  });
});

describe('.npz and folders', () => {
  const X = f4(Array.from({ length: 8 * 3 }, (_, i) => i));
  const Y = i8([0, 1, 0, 1, 0, 1, 0, 1]);

  test('two candidate names are refused as ambiguous; --arrays picks them, four names give the split', async () => {
    const file = put(
      tmp,
      'names.npz',
      zipSync({ 'x.npy': npy('<f4', [8, 3], X), 'images.npy': npy('<f4', [8, 3], X), 'y.npy': npy('<i8', [8], Y) }),
    );
    await expect(loadDataset({ data: file })).rejects.toThrow(
      /names\.npz: holds 2 arrays that could be the features \(x, images\); name the arrays to use \(--arrays FEATURES,LABELS\)/,
    );
    expect((await loadDataset({ data: file, arrays: ['images', 'y'], testFraction: 0.25 })).test.rows).toBe(2);
    const split = put(
      tmp,
      'split.npz',
      zipSync({
        'a_tr.npy': npy('<f4', [8, 3], X),
        'lbl.npy': npy('<i8', [8], Y),
        'a_te.npy': npy('<f4', [2, 3], f4([1, 2, 3, 4, 5, 6])),
        'lbl_te.npy': npy('<i8', [2], i8([1, 0])),
      }),
    );
    const ds = await loadDataset({ data: split, arrays: ['a_tr', 'lbl', 'a_te', 'lbl_te'] });
    expect([ds.train.rows, ds.test.rows]).toEqual([8, 2]);
    expect(Array.from(ds.test.features)).toEqual([1, 2, 3, 4, 5, 6]);
    await expect(loadDataset({ data: split, arrays: ['a_tr', 'nope'] })).rejects.toThrow(
      /split\.npz: has no array nope; it holds a_tr, lbl, a_te, lbl_te/,
    );
    await expect(loadDataset({ data: split })).rejects.toThrow(/holds arrays a_tr, lbl, a_te, lbl_te; expected .*--arrays/);
  });

  test('a train/test pair of .npz files; a side that holds its own split is refused', async () => {
    const a = put(tmp, 'pair-a.npz', zipSync({ 'x.npy': npy('<f4', [8, 3], X), 'y.npy': npy('<i8', [8], Y) }));
    const b = put(
      tmp,
      'pair-b.npz',
      zipSync({ 'x.npy': npy('<f4', [2, 3], f4([1, 1, 1, 2, 2, 2])), 'y.npy': npy('<i8', [2], i8([1, 0])) }),
    );
    const ds = await loadDataset({ train: a, test: b });
    expect([ds.train.rows, ds.test.rows]).toEqual([8, 2]);
    expect(ds.ref.files).toEqual([a, b]);
    const keras = put(
      tmp,
      'keras.npz',
      zipSync({
        'x_train.npy': npy('<f4', [8, 3], X),
        'y_train.npy': npy('<i8', [8], Y),
        'x_test.npy': npy('<f4', [8, 3], X),
        'y_test.npy': npy('<i8', [8], Y),
      }),
    );
    await expect(loadDataset({ train: keras, test: b })).rejects.toThrow(/keras\.npz: holds its own train\/test split \(test arrays\)/);
  });
});

describe('IDX images and image folders', () => {
  test('MNIST IDX files take a pixel scale and an image size', async () => {
    const dir = path.join(tmp, 'mnist');
    fs.mkdirSync(dir);
    const pixels = (n: number) => Uint8Array.from({ length: n * 16 }, (_, i) => (i % 16) * 10);
    fs.writeFileSync(path.join(dir, 'train-images-idx3-ubyte'), encodeIdx([4, 4, 4], pixels(4)));
    fs.writeFileSync(path.join(dir, 'train-labels-idx1-ubyte'), encodeIdx([4], Uint8Array.from([0, 1, 0, 1])));
    fs.writeFileSync(path.join(dir, 't10k-images-idx3-ubyte'), encodeIdx([2, 4, 4], pixels(2)));
    fs.writeFileSync(path.join(dir, 't10k-labels-idx1-ubyte'), encodeIdx([2], Uint8Array.from([1, 0])));
    const raw = await loadDataset({ data: dir, pixelScale: 1 });
    expect(Array.from(raw.train.features.subarray(0, 4))).toEqual([0, 10, 20, 30]);
    const small = await loadDataset({ data: dir, imageSize: [2, 2] });
    expect(small.inputShape).toEqual([1, 2, 2]);
    expect([small.train.cols, small.test.cols]).toEqual([4, 4]);
    // top-left 2 x 2 block: 0, 10, 40, 50 -> 25
    expect(small.train.features[0]).toBeCloseTo(25 / 255, 6);
  });

  test('a train/test pair of image folders: the test images are brought to the training images', async () => {
    const a = path.join(tmp, 'img-train');
    const b = path.join(tmp, 'img-test');
    for (const k of ['dark', 'light']) {
      for (let i = 0; i < 3; i++) png(path.join(a, k, `${i}.png`), 4, 4, () => (k === 'dark' ? [10, 10, 10] : [240, 240, 240]));
      png(path.join(b, k, '0.png'), 8, 8, () => (k === 'dark' ? [10, 10, 10] : [240, 240, 240]));
    }
    const warnings: string[] = [];
    const ds = await loadDataset({ train: a, test: b }, { onWarning: (w) => warnings.push(w) });
    expect(ds.inputShape).toEqual([1, 4, 4]);
    expect([ds.train.rows, ds.test.rows]).toEqual([6, 2]);
    expect(ds.test.features[0]).toBeCloseTo(10 / 255, 6);
    expect(warnings.join('\n')).toMatch(/img-test: 2 of 2 images are not 4x4 \(the size asked for\)/);
    expect(ds.ref.files).toEqual([a, b]);
  });
});
