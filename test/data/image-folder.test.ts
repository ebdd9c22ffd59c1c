/**
 * Image folders as data: PNG and JPEG files written here (pngjs, jpeg-js) in class folders, with a
 * train/ and test/ split or without; grey images give one channel, a grey image among colour ones is
 * repeated over three, images of another size are resized to the first one's, values are pixels /
 * 255; channels, size and pixel scale asked for (luma, bilinear values checked); compress reads a
 * folder at the model's input. Refused: a corrupt PNG or JPEG (named), an empty class folder, a
 * folder without class folders, train/ and test/ with different classes.
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { loadDataset } from '../../src/data';
import { runCli } from '../helpers/cli';
import { jpg, png } from './array-files';

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'gs-images-'));
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

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
  [
    'a corrupt JPEG, naming it',
    (d: string) => fs.writeFileSync(path.join(d, 'b', 'cut.jpg'), fs.readFileSync(path.join(d, 'b', 'ok.jpg')).subarray(0, 40)),
    /b\/cut\.jpg: not a readable JPEG image/,
  ],
  [
    'different classes in train/ and test/',
    (d: string) => {
      for (const part of ['train', 'test']) png(path.join(d, part, part === 'train' ? 'a' : 'c', '0.png'), 4, 4, () => [1, 1, 1]);
      png(path.join(d, 'train', 'b', '0.png'), 4, 4, () => [1, 1, 1]);
    },
    /train\/ and test\/ hold different class folders \(train: a,b; test: c\)/,
  ],
])('refuses %s', async (_, spoil, message) => {
  const dir = fs.mkdtempSync(path.join(tmp, 'bad-'));
  png(path.join(dir, 'a', '0.png'), 4, 4, () => [1, 1, 1]);
  png(path.join(dir, 'b', '0.png'), 4, 4, () => [9, 9, 9]);
  jpg(path.join(dir, 'b', 'ok.jpg'), 4, 4, () => [9, 9, 9]);
  spoil(dir);
  await expect(loadDataset({ data: dir })).rejects.toThrow(message);
});

test('a folder of images without class folders, and a folder of nothing, are refused saying what is expected', async () => {
  const flat = path.join(tmp, 'flat');
  for (let i = 0; i < 2; i++) png(path.join(flat, `${i}.png`), 4, 4, () => [1, 1, 1]);
  await expect(loadDataset({ data: flat })).rejects.toThrow(
    /flat: holds 2 images but no class folders; expected class folders of images \(DIR\/<class>\/\*\.png\|jpg\|jpeg/,
  );
  const nothing = path.join(tmp, 'nothing');
  fs.mkdirSync(nothing);
  fs.writeFileSync(path.join(nothing, 'readme.txt'), 'hi');
  await expect(loadDataset({ data: nothing })).rejects.toThrow(/nothing: not a data folder; expected class folders of images/);
});

test('channels asked for: grey images read as three equal channels, colour as luma; files that are not images are counted', async () => {
  const dir = path.join(tmp, 'channels');
  for (let i = 0; i < 4; i++) png(path.join(dir, 'grey', `${i}.png`), 3, 3, () => [60, 60, 60]);
  for (let i = 0; i < 4; i++) png(path.join(dir, 'red', `${i}.png`), 3, 3, () => [200, 0, 0]);
  fs.writeFileSync(path.join(dir, 'red', 'labels.csv'), 'x');
  const warnings: string[] = [];
  const rgb = await loadDataset({ data: dir, channels: 3, testFraction: 0.25 }, { onWarning: (w) => warnings.push(w) });
  expect(rgb.inputShape).toEqual([3, 3, 3]);
  const t = rgb.train;
  for (let r = 0; r < t.rows; r++) {
    const planes = [0, 1, 2].map((c) => t.features[r * 27 + c * 9 + 4] * 255);
    expect(planes.map(Math.round)).toEqual(rgb.classLabels[t.labels[r]] === 'grey' ? [60, 60, 60] : [200, 0, 0]);
  }
  expect(warnings.join('\n')).toMatch(/skipped files in class folders that are not \.png, \.jpg or \.jpeg images \(1\)/);
  const grey = await loadDataset({ data: dir, channels: 1, pixelScale: 1, testFraction: 0.25 }, { onWarning: () => undefined });
  expect(grey.inputShape).toEqual([1, 3, 3]);
  for (let r = 0; r < grey.train.rows; r++)
    expect(grey.train.features[r * 9]).toBeCloseTo(grey.classLabels[grey.train.labels[r]] === 'grey' ? 60 : 0.299 * 200, 4);
});

test('an image size asked for: bilinear with half-pixel centres (a 2 x 2 image at 4 x 4), pixels times the scale', async () => {
  const dir = path.join(tmp, 'upscale');
  // pixel (x, y) = 100 y + 40 x
  for (const k of ['a', 'b'])
    for (let i = 0; i < 2; i++) png(path.join(dir, 'train', k, `${i}.png`), 2, 2, (x, y) => [0, 0, 0].map(() => 100 * y + 40 * x));
  for (const k of ['a', 'b']) png(path.join(dir, 'test', k, '0.png'), 2, 2, (x, y) => [0, 0, 0].map(() => 100 * y + 40 * x));
  const ds = await loadDataset({ data: dir, imageSize: [4, 4], pixelScale: 1 }, { onWarning: () => undefined });
  expect(ds.inputShape).toEqual([1, 4, 4]);
  // target column x samples source (x + 0.5) / 2 - 0.5, clamped to [0, 1]: 0, 0.25, 0.75, 1
  const at = [0, 0.25, 0.75, 1];
  const want = at.flatMap((fy) => at.map((fx) => 100 * fy + 40 * fx));
  Array.from(ds.train.features.subarray(0, 16)).forEach((v, i) => expect(v).toBeCloseTo(want[i], 4));
});
