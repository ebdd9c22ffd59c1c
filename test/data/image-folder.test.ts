/**
 * Image folders as data: PNG and JPEG files written here (pngjs, jpeg-js) in class folders, with a
 * train/ and test/ split or without; grey images give one channel, a grey image among colour ones is
 * repeated over three, images of another size are resized to the first one's, values are pixels /
 * 255. Refused: a corrupt image (named), an empty class folder, a folder without class folders.
 * The CLI trains a CNN on such a folder.
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import jpeg from 'jpeg-js';
import { PNG } from 'pngjs';
import { loadDataset } from '../../src/data';
import { loadAnyRun } from '../../src/network/run-io';
import { runCli } from '../helpers/cli';

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'gs-images-'));
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

/** An RGBA image w x h whose pixel (x, y) is f(x, y) = [r, g, b]. */
function rgba(w: number, h: number, f: (x: number, y: number) => number[]): Buffer {
  const data = Buffer.alloc(w * h * 4);
  for (let y = 0; y < h; y++)
    for (let x = 0; x < w; x++) {
      const [r, g, b] = f(x, y);
      data.set([r, g, b, 255], (y * w + x) * 4);
    }
  return data;
}
function png(file: string, w: number, h: number, f: (x: number, y: number) => number[]): void {
  const p = new PNG({ width: w, height: h });
  rgba(w, h, f).copy(p.data);
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, PNG.sync.write(p));
}
function jpg(file: string, w: number, h: number, f: (x: number, y: number) => number[]): void {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, jpeg.encode({ data: rgba(w, h, f), width: w, height: h }, 100).data);
}

/** Grey bars: class "horizontal" varies with y, class "vertical" with x. */
const bar = (kind: string, seed: number) => (x: number, y: number) => {
  const v = (kind === 'horizontal' ? y : x) * 30 + seed;
  return [v, v, v];
};

test('train/ and test/ folders of grey PNGs: one channel, the split and classes as given, pixels / 255', async () => {
  const dir = path.join(tmp, 'grey');
  for (const part of ['train', 'test'])
    for (const kind of ['horizontal', 'vertical'])
      for (let i = 0; i < 3; i++) png(path.join(dir, part, kind, `${i}.png`), 6, 5, bar(kind, i));
  fs.writeFileSync(path.join(dir, 'train', 'vertical', 'notes.txt'), 'not an image');
  const ds = await loadDataset({ data: dir });
  expect(ds.inputShape).toEqual([1, 5, 6]);
  expect(ds.classLabels).toEqual(['horizontal', 'vertical']);
  expect([ds.train.rows, ds.test.rows]).toEqual([6, 6]);
  expect(Array.from(ds.train.labels)).toEqual([0, 0, 0, 1, 1, 1]);
  // first training image: horizontal, seed 0: row y holds 30 y
  expect(ds.train.features[2 * 6 + 4]).toBeCloseTo(60 / 255, 6);
  expect(ds.tabular).toBe(false);
});

test('one folder of classes (JPEG and PNG, colour and grey, two sizes): split by the seeded shuffle, three channels, resized', async () => {
  const dir = path.join(tmp, 'mixed');
  for (let i = 0; i < 6; i++) jpg(path.join(dir, 'red', `r${i}.jpg`), 8, 8, () => [220, 20, 20]);
  for (let i = 0; i < 5; i++) png(path.join(dir, 'blue', `b${i}.png`), 8, 8, () => [20, 20, 220]);
  png(path.join(dir, 'blue', 'big.png'), 16, 16, () => [20, 20, 220]);
  png(path.join(dir, 'red', 'grey.png'), 8, 8, () => [128, 128, 128]);
  const warnings: string[] = [];
  const ds = await loadDataset({ data: dir, testFraction: 0.25 }, { onWarning: (w) => warnings.push(w) });
  expect(ds.inputShape).toEqual([3, 8, 8]);
  expect(ds.train.rows + ds.test.rows).toBe(13);
  expect(ds.classLabels).toEqual(['blue', 'red']);
  expect(warnings.join('\n')).toMatch(/1 of 13 images are not 8x8 \(the first image's size\) and were resized to it/);
  expect(warnings.join('\n')).toMatch(/grey images among colour ones \(1 of 13\) are read as three equal channels/);
  // every blue image (the resized one too) is blue: channel 2 bright, channel 0 dark
  const all = [ds.train, ds.test];
  for (const t of all)
    for (let r = 0; r < t.rows; r++) {
      if (ds.classLabels[t.labels[r]] !== 'blue') continue;
      expect(t.features[r * 192 + 2 * 64 + 10]).toBeCloseTo(220 / 255, 2);
      expect(t.features[r * 192 + 10]).toBeCloseTo(20 / 255, 2);
    }
});

test('an input shape brings every image to its channels and size: colour read as grey (luma), resized', async () => {
  const dir = path.join(tmp, 'shaped');
  for (let i = 0; i < 4; i++) png(path.join(dir, 'red', `r${i}.png`), 6, 6, () => [200, 0, 0]);
  for (let i = 0; i < 4; i++) png(path.join(dir, 'green', `g${i}.png`), 6, 6, () => [0, 200, 0]);
  const warnings: string[] = [];
  const ds = await loadDataset({ data: dir, inputShape: [1, 3, 3], testFraction: 0.25 }, { onWarning: (w) => warnings.push(w) });
  expect(ds.inputShape).toEqual([1, 3, 3]);
  expect(ds.train.cols).toBe(9);
  const t = ds.train;
  for (let r = 0; r < t.rows; r++) {
    const want = ds.classLabels[t.labels[r]] === 'red' ? (0.299 * 200) / 255 : (0.587 * 200) / 255;
    expect(t.features[r * 9 + 4]).toBeCloseTo(want, 5);
  }
  expect(warnings.join('\n')).toMatch(/8 of 8 images are not 3x3 \(the size asked for\) and were resized to it/);
  expect(warnings.join('\n')).toMatch(/colour images \(8 of 8\) are read as one grey channel/);
  await expect(loadDataset({ data: dir, inputShape: [2, 3, 3] })).rejects.toThrow(
    /images are read as 1 \(grey\) or 3 \(RGB\) channels, not 2/,
  );
});

test("compress reads an image folder at the imported model's own input (3 x 12 x 12 from 8 x 8 grey images)", async () => {
  const dir = path.join(tmp, 'for-model');
  for (const kind of ['horizontal', 'vertical']) for (let i = 0; i < 16; i++) png(path.join(dir, kind, `${i}.png`), 8, 8, bar(kind, i));
  const model = path.join(__dirname, '..', 'fixtures', 'import', 'torch-cnn-bn-kept.onnx');
  const out = path.join(tmp, 'slim-images.onnx');
  const r = await runCli([
    'compress',
    model,
    '--data',
    dir,
    '--labels-from-model',
    '--target-macs-ratio',
    '0.5',
    '--epochs',
    '1',
    '--finetune-epochs',
    '0',
    '--export',
    out,
  ]);
  expect(r.err).not.toMatch(/^error/m);
  expect(r.code).toBe(0);
  expect(r.err).toMatch(/32 of 32 images are not 12x12 \(the size asked for\)/);
  expect(fs.existsSync(out)).toBe(true);
});

test.each([
  [
    'a corrupt image, naming it',
    (d: string) => fs.writeFileSync(path.join(d, 'a', 'bad.png'), 'not a png at all'),
    /bad\.png: not a readable PNG image/,
  ],
  [
    'an empty class folder',
    (d: string) => fs.mkdirSync(path.join(d, 'empty')),
    /empty: the class folder holds no \.png, \.jpg or \.jpeg images/,
  ],
])('refuses %s', async (_, spoil, message) => {
  const dir = fs.mkdtempSync(path.join(tmp, 'bad-'));
  png(path.join(dir, 'a', '0.png'), 4, 4, () => [1, 1, 1]);
  png(path.join(dir, 'b', '0.png'), 4, 4, () => [9, 9, 9]);
  spoil(dir);
  await expect(loadDataset({ data: dir })).rejects.toThrow(message);
});

test('gs-compress train --arch trains a CNN on an image folder', async () => {
  const dir = path.join(tmp, 'cli');
  for (const part of ['train', 'test'])
    for (const kind of ['horizontal', 'vertical'])
      for (let i = 0; i < 12; i++) png(path.join(dir, part, kind, `${i}.png`), 8, 8, bar(kind, i));
  const out = path.join(tmp, 'run');
  const r = await runCli(['train', '--data', dir, '--arch', 'c4k3-m2-f8', '--epochs', '2', '--out', out]);
  expect(r.err).not.toMatch(/^error/m);
  expect(r.code).toBe(0);
  const { network } = loadAnyRun(out);
  expect(network.inputShape).toEqual([1, 8, 8]);
  expect(network.classLabels).toEqual(['horizontal', 'vertical']);
});
