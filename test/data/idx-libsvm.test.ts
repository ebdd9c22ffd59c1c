/** IDX (MNIST format) and libsvm readers, MNIST folders, and format detection. */
import * as fs from 'fs';
import * as path from 'path';
import * as zlib from 'zlib';
import { encodeIdx, parseIdx } from '../../src/data/idx';
import { loadDataset } from '../../src/data/load';
import { detectFormat, readTable } from '../../src/data/read-table';
import { makeTempDir, removeDir, writeText } from './helpers';

let dir: string;
beforeAll(() => (dir = makeTempDir()));
afterAll(() => removeDir(dir));

/** Writes n images of 2x3 pixels (pixel value = image*10 + k) and labels, optionally gzipped. */
function writeIdxPair(folder: string, prefix: string, labels: number[], gzip = false): void {
  const n = labels.length;
  const pixels = Uint8Array.from({ length: n * 6 }, (_, i) => (Math.floor(i / 6) * 10 + (i % 6)) % 256);
  const pack = (b: Buffer) => (gzip ? zlib.gzipSync(b) : b);
  const ext = gzip ? '.gz' : '';
  fs.writeFileSync(path.join(folder, `${prefix}-images-idx3-ubyte${ext}`), pack(encodeIdx([n, 2, 3], pixels)));
  fs.writeFileSync(path.join(folder, `${prefix}-labels-idx1-ubyte${ext}`), pack(encodeIdx([n], Uint8Array.from(labels))));
}

describe('IDX', () => {
  it('round trips through encodeIdx / parseIdx', () => {
    const data = Uint8Array.from([1, 2, 3, 4, 5, 6]);
    const back = parseIdx(encodeIdx([2, 3], data), 'mem');
    expect(back.dims).toEqual([2, 3]);
    expect(Array.from(back.data)).toEqual([1, 2, 3, 4, 5, 6]);
  });

  it('reads an images file with its labels file, flattened and scaled to [0,1]', async () => {
    writeIdxPair(dir, 'small', [3, 1, 3, 7]);
    for (const name of ['small-images-idx3-ubyte', 'small-labels-idx1-ubyte']) {
      const t = await readTable(path.join(dir, name));
      expect(t.format).toBe('idx');
      expect([t.rows, t.cols]).toEqual([4, 6]);
      expect(t.features[6 + 5]).toBeCloseTo(15 / 255, 6);
      expect(t.classLabels).toEqual(['1', '3', '7']);
      expect(Array.from(t.labels)).toEqual([1, 0, 1, 2]);
    }
  });

  it('reads an MNIST-named folder (gzipped files) as its own split', async () => {
    const folder = path.join(dir, 'mnistlike');
    fs.mkdirSync(folder);
    writeIdxPair(folder, 'train', [0, 1, 2, 1, 0], true);
    writeIdxPair(folder, 't10k', [2, 0, 3], true);
    const ds = await loadDataset({ data: folder });
    expect(ds.tabular).toBe(false);
    expect([ds.train.rows, ds.test.rows, ds.train.cols]).toEqual([5, 3, 6]);
    // Classes are the union over both files (3 only occurs in the test file).
    expect(ds.classLabels).toEqual(['0', '1', '2', '3']);
    expect(Array.from(ds.train.labels)).toEqual([0, 1, 2, 1, 0]);
    expect(Array.from(ds.test.labels)).toEqual([2, 0, 3]);
    expect(ds.ref.kind).toBe('file');
    expect(ds.ref.files).toHaveLength(4);
  });
});

describe('libsvm', () => {
  it('reads sparse rows, 1-based indices, width from the largest index', async () => {
    const file = writeText(dir, 'a.svm', '# comment\n+1 1:0.5 3:2\n-1 qid:3 2:-1 # trailing\n\n+1 4:1e-2\n');
    const t = await readTable(file);
    expect(t.format).toBe('libsvm');
    expect([t.rows, t.cols]).toEqual([3, 4]);
    expect(Array.from(t.features)).toEqual([0.5, 0, 2, 0, 0, -1, 0, 0, 0, 0, 0, Math.fround(0.01)]);
    expect(t.classLabels).toEqual(['-1', '+1']);
    expect(Array.from(t.labels)).toEqual([1, 0, 1]);
  });

  it('is sniffed from content and pads train/test to the same width', async () => {
    const train = writeText(dir, 'train.txt', '1 1:1 2:1\n2 2:3\n1 1:4\n');
    const test = writeText(dir, 'test.txt.gz', '2 5:1\n3 1:2\n');
    const ds = await loadDataset({ train, test });
    expect(ds.train.cols).toBe(5);
    expect(ds.test.cols).toBe(5);
    expect(ds.classLabels).toEqual(['1', '2', '3']);
    expect(Array.from(ds.test.labels)).toEqual([1, 2]);
    expect(ds.tabular).toBe(true);
  });
});

describe('format detection', () => {
  it('uses the name, then IDX magic, then libsvm lines, else delimited text', () => {
    const text = Buffer.from('1 2 3\n');
    expect(detectFormat('x.libsvm', text)).toBe('libsvm');
    expect(detectFormat('x.svm.gz', text)).toBe('libsvm');
    expect(detectFormat('foo-ubyte', text)).toBe('idx');
    expect(detectFormat('foo.bin', encodeIdx([1], Uint8Array.from([1])))).toBe('idx');
    expect(detectFormat('foo.txt', Buffer.from('1 3:4 7:1\n0 2:1\n'))).toBe('libsvm');
    expect(detectFormat('foo.txt', text)).toBe('csv');
  });

  it('an explicit format wins', async () => {
    const file = writeText(dir, 'forced.libsvm', '1,2,0\n3,4,1\n');
    const t = await readTable(file, { format: 'csv' });
    expect([t.rows, t.cols]).toEqual([2, 2]);
  });
});
