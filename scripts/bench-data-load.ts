/**
 * How long `loadDataset` takes on image data in the forms users have: N MNIST digits written as
 * 8-bit grey PNGs and as JPEGs in class folders (DIR/<digit>/*.png), the same digits resized on
 * read (--image-size), and all 60000 training digits as a uint8 .npy with a labels .npy, a stored
 * .npz and a deflated .npz. The files are written to a temporary folder (removed after); each
 * form is loaded --rounds times and the fastest kept (the machine may be shared). Prints a
 * Markdown table; --out FILE writes it too.
 *
 *   npx tsx scripts/bench-data-load.ts [--images N] [--rounds R] [--out FILE]
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { zipSync } from 'fflate';
import jpeg from 'jpeg-js';
import { PNG } from 'pngjs';
import { loadDataset, type DataSpec } from '../src/data';
import { scriptArgs } from './lib/script-args';

const cli = scriptArgs({
  command: 'npx tsx scripts/bench-data-load.ts',
  describe: 'Times loading MNIST digits as PNG and JPEG folders and as .npy / .npz arrays (files written to a temporary folder).',
  options: [
    { name: '--images', value: 'N', describe: 'digits written as image files (default 10000)' },
    { name: '--rounds', value: 'R', describe: 'loads of each form, the fastest kept (default 3)' },
    { name: '--out', value: 'FILE', describe: 'also write the Markdown table to FILE' },
  ],
});
const images = Number(cli.arg('--images') ?? 10000);
const rounds = Number(cli.arg('--rounds') ?? 3);

/** A .npy (format 1.0) of raw little-endian bytes. */
function npy(descr: string, shape: number[], data: Uint8Array): Uint8Array {
  let dict = `{'descr': '${descr}', 'fortran_order': False, 'shape': (${shape.join(', ')}${shape.length === 1 ? ',' : ''}), }`;
  dict += ' '.repeat((64 - ((10 + dict.length + 1) % 64)) % 64) + '\n';
  const out = new Uint8Array(10 + dict.length + data.length);
  out.set([0x93, ...Buffer.from('NUMPY'), 1, 0, dict.length & 255, dict.length >> 8]);
  out.set(Buffer.from(dict, 'latin1'), 10);
  out.set(data, 10 + dict.length);
  return out;
}

async function main(): Promise<void> {
  const mnist = await loadDataset({ data: 'mnist' });
  const t = mnist.train;
  const pixels = Uint8Array.from(t.features, (v) => Math.round(v * 255));
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'gs-data-load-'));
  try {
    const grey = (r: number) => pixels.subarray(r * 784, (r + 1) * 784);
    for (let r = 0; r < images; r++) {
      const cls = mnist.classLabels[t.labels[r]];
      const png = new PNG({ width: 28, height: 28, colorType: 0, inputColorType: 0, inputHasAlpha: false });
      Buffer.from(grey(r)).copy(png.data);
      const pngFile = path.join(tmp, 'png', cls, `${r}.png`);
      fs.mkdirSync(path.dirname(pngFile), { recursive: true });
      fs.writeFileSync(pngFile, PNG.sync.write(png, { colorType: 0, inputColorType: 0, inputHasAlpha: false }));
      const rgba = Buffer.alloc(784 * 4);
      grey(r).forEach((v, i) => rgba.set([v, v, v, 255], i * 4));
      const jpgFile = path.join(tmp, 'jpg', cls, `${r}.jpg`);
      fs.mkdirSync(path.dirname(jpgFile), { recursive: true });
      fs.writeFileSync(jpgFile, jpeg.encode({ data: rgba, width: 28, height: 28 }, 90).data);
    }
    const labels = new Uint8Array(new BigInt64Array(Array.from(t.labels, (l) => BigInt(mnist.classLabels[l]))).buffer);
    const x = npy('|u1', [t.rows, 28, 28], pixels);
    const y = npy('<i8', [t.rows], labels);
    fs.writeFileSync(path.join(tmp, 'x.npy'), x);
    fs.writeFileSync(path.join(tmp, 'y.npy'), y);
    fs.writeFileSync(path.join(tmp, 'stored.npz'), zipSync({ 'x_train.npy': x, 'y_train.npy': y }, { level: 0 }));
    fs.writeFileSync(path.join(tmp, 'deflated.npz'), zipSync({ 'x_train.npy': x, 'y_train.npy': y }, { level: 6 }));
    const forms: [string, DataSpec][] = [
      [`${images} grey PNGs, DIR/<class>/ (28 x 28)`, { data: path.join(tmp, 'png') }],
      [`${images} JPEGs, DIR/<class>/ (28 x 28)`, { data: path.join(tmp, 'jpg') }],
      [`${images} grey PNGs resized to 32 x 32 (--image-size 32)`, { data: path.join(tmp, 'png'), imageSize: [32, 32] }],
      [`${images} grey PNGs as 3 channels (--channels 3)`, { data: path.join(tmp, 'png'), channels: 3 }],
      [`${t.rows} x 28 x 28 uint8 .npy + labels .npy`, { data: path.join(tmp, 'x.npy'), labels: path.join(tmp, 'y.npy') }],
      [`${t.rows} x 28 x 28 uint8 .npz (stored)`, { data: path.join(tmp, 'stored.npz') }],
      [`${t.rows} x 28 x 28 uint8 .npz (deflated)`, { data: path.join(tmp, 'deflated.npz') }],
    ];
    const rows: string[] = [];
    for (const [name, spec] of forms) {
      let best = Infinity;
      let count = 0;
      let shape = '';
      for (let i = 0; i < rounds; i++) {
        const start = process.hrtime.bigint();
        const ds = await loadDataset(spec, { onWarning: () => undefined });
        best = Math.min(best, Number(process.hrtime.bigint() - start) / 1e6);
        count = ds.train.rows + ds.test.rows;
        shape = `${count} x ${ds.inputShape?.join(' x ')}`;
      }
      rows.push(`| ${name} | ${shape} | ${(best / 1000).toFixed(2)} | ${((best * 1000) / count).toFixed(1)} |`);
      process.stderr.write(`${rows[rows.length - 1]}\n`);
    }
    const table = [
      `Loading image data (best of ${rounds}; Node ${process.version}, ${os.cpus()[0]?.model ?? 'cpu'}):`,
      '',
      '| form | rows x example | seconds | µs per image |',
      '|---|---|---:|---:|',
      ...rows,
      '',
    ].join('\n');
    process.stdout.write(table);
    const out = cli.arg('--out');
    if (out) fs.writeFileSync(out, table);
  } finally {
    fs.rmSync(tmp, { recursive: true, force: true });
  }
}

void main();
