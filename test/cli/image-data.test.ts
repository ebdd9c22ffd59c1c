/**
 * Image data from the command line: `train --arch` on an image folder (as the images are, and at
 * --image-size / --channels), on a features .npy with --labels; the run records how its data was
 * read, so `prune --export` verifies on the same data; `data info` shows the image shape; --help
 * states the rules; malformed flag values are one-line errors.
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { loadAnyRun } from '../../src/network/run-io';
import { runCli, runCliWithHelp } from '../helpers/cli';
import { i8, npy, png, put, u1 } from '../data/array-files';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'gs-image-cli-'));
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

/** DIR/<class>/*.png: 10 x 10 colour images, class "rows" bright in a band of rows, "columns" in a band of columns. */
const folder = path.join(dir, 'shapes');
for (const kind of ['rows', 'columns'])
  for (let i = 0; i < 16; i++)
    png(path.join(folder, kind, `${i}.png`), 10, 10, (x, y) => {
      const on = (kind === 'rows' ? y : x) % 5 === i % 5;
      return on ? [230, 120 + i, 40] : [20, 30, 40 + i];
    });

test('train --arch c4k3-m2-f16 --data <image folder> --epochs 1 trains on 3 x 10 x 10 images; prune --export verifies on them', async () => {
  const run = path.join(dir, 'run');
  const r = await runCli(['train', '--arch', 'c4k3-m2-f16', '--data', folder, '--epochs', '1', '--out', run]);
  expect(r.err).not.toMatch(/^error/m);
  expect(r.code).toBe(0);
  expect(r.out).toMatch(/test accuracy 0\.\d{4}|test accuracy 1\.0000/);
  const { network } = loadAnyRun(run);
  expect(network.inputShape).toEqual([3, 10, 10]);
  expect(network.classLabels).toEqual(['columns', 'rows']);
  const p = await runCli(['prune', run, '--export', path.join(run, 'model.onnx')]);
  expect(p.err).not.toMatch(/^error/m);
  expect(p.code).toBe(0);
  expect(p.out).toMatch(/^\s+OK$/m);
});

test('--image-size and --channels bring the images to 1 x 8 x 8; the run records them and prune reads the data the same way', async () => {
  const run = path.join(dir, 'run-grey');
  const r = await runCli([
    'train',
    '--arch',
    'c4k3-m2-f16',
    '--data',
    folder,
    '--image-size',
    '8,8',
    '--channels',
    '1',
    '--epochs',
    '1',
    '--out',
    run,
  ]);
  expect(r.code).toBe(0);
  expect(r.err).toMatch(/32 of 32 images are not 8x8 \(the size asked for\) and were resized to it/);
  expect(r.err).toMatch(/colour images \(32 of 32\) are read as one grey channel/);
  expect(loadAnyRun(run).network.inputShape).toEqual([1, 8, 8]);
  const record = JSON.parse(fs.readFileSync(path.join(run, 'gs-run.json'), 'utf8')) as { config: { dataSpec: Record<string, unknown> } };
  expect(record.config.dataSpec).toMatchObject({ imageSize: [8, 8], channels: 1 });
  const p = await runCli(['prune', run, '--export', path.join(run, 'model.onnx')]);
  expect(p.err).not.toMatch(/^error/m);
  expect(p.out).toMatch(/^\s+OK$/m);
});

test('train on a features .npy with --labels; the run records both files; data info shows the examples', async () => {
  // 40 images 1 x 6 x 6, uint8: class 1 has a bright left half
  const N = 40;
  const pixels = Array.from({ length: N * 36 }, (_, i) => (Math.floor(i / 36) % 2 === 1 && i % 6 < 3 ? 200 : 10 + (i % 7)));
  const x = put(dir, 'arrays/x.npy', npy('|u1', [N, 6, 6], u1(pixels)));
  const y = put(dir, 'arrays/y.npy', npy('<i8', [N], i8(Array.from({ length: N }, (_, r) => r % 2))));
  const run = path.join(dir, 'run-npy');
  const r = await runCli(['train', '--arch', 'c4k3-m2-f16', '--data', x, '--labels', y, '--epochs', '1', '--out', run]);
  expect(r.err).not.toMatch(/^error/m);
  expect(r.code).toBe(0);
  expect(loadAnyRun(run).network.inputShape).toEqual([1, 6, 6]);
  // the labels file is recorded beside the features (relative path and content hash) and found again
  const record = JSON.parse(fs.readFileSync(path.join(run, 'gs-run.json'), 'utf8')) as { config: { dataSpec: Record<string, unknown> } };
  expect(record.config.dataSpec).toMatchObject({ data: '../arrays/x.npy', labels: '../arrays/y.npy' });
  expect(record.config.dataSpec.labelsHash).toMatch(/^sha256:/);
  const p = await runCli(['prune', run, '--export', path.join(run, 'model.onnx')]);
  expect(p.err).not.toMatch(/^error/m);
  expect(p.out).toMatch(/^\s+OK$/m);
  const info = await runCli(['data', 'info', x, '--labels', y, '--json']);
  expect(info.code).toBe(0);
  expect(JSON.parse(info.out)).toMatchObject({ rows: N, features: 36, inputShape: [1, 6, 6], files: [x, y] });
  const text = await runCli(['data', 'info', x, '--labels', y, '--pixel-scale', '1']);
  expect(text.out).toMatch(/examples 1 x 6 x 6, values in \[10, 200\]/);
});

test('--help states the array names, the channel rule and the pixel scale', async () => {
  const h = await runCliWithHelp(['train', '--help']);
  const help = h.log.replace(/\s+/g, ' ');
  expect(help).toMatch(/one features array named x, X, images, features, data or inputs and one labels array named y, Y, labels/);
  expect(help).toMatch(/--arrays/);
  expect(help).toMatch(/a grey image among colour ones is repeated over R, G, B/);
  expect(help).toMatch(/--pixel-scale .*Default 1\/255 for 8-bit pixels/);
});

test.each([
  [['--pixel-scale', 'abc'], /--pixel-scale "abc": expected a positive number or a fraction like 1\/255/],
  [['--image-size', '0,3'], /--image-size "0,3": expected H,W/],
  [['--arrays', 'x'], /--arrays "x": expected FEATURES,LABELS/],
  [['--channels', '2'], /channels/i],
])('%j is a one-line error', async (flags, message) => {
  const r = await runCli(['train', '--data', folder, '--arch', 'c4k3-m2-f16', '--epochs', '1', ...flags]);
  expect(r.code).not.toBe(0);
  expect(r.err).toMatch(message);
  expect(r.err).not.toMatch(/\n\s+at /);
});
