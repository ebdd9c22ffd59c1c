/** Content hashes of data files: the SHA-256 of the bytes, cached by path, size and mtime (sidecar, else a shared cache file). */
import { createHash } from 'crypto';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { hashDataPath, hashFile, setHashCacheFile, sidecarOf } from '../../src/data/content-hash';
import { encodeIdx, MNIST_FILES } from '../../src/data/idx';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'gs-hash-'));
afterAll(() => {
  setHashCacheFile(null);
  fs.rmSync(dir, { recursive: true, force: true });
});

const sha = (b: Buffer | string) => `sha256:${createHash('sha256').update(b).digest('hex')}`;

test('the hash is the SHA-256 of the bytes, also for files larger than one read chunk', () => {
  const big = Buffer.alloc(3 * (1 << 20) + 12345);
  for (let i = 0; i < big.length; i++) big[i] = (i * 7919) & 0xff;
  const file = path.join(dir, 'big.bin');
  fs.writeFileSync(file, big);
  expect(hashFile(file)).toBe(sha(big));
  expect(hashFile(file)).toMatch(/^sha256:[0-9a-f]{64}$/);
});

test('computed once: a sidecar beside the file is reused while size and mtime hold, and ignored when the file changes', () => {
  const file = path.join(dir, 'a.csv');
  fs.writeFileSync(file, '1,2,a\n3,4,b\n');
  const h = hashFile(file);
  const side = JSON.parse(fs.readFileSync(sidecarOf(file), 'utf8')) as Record<string, unknown>;
  expect(side).toMatchObject({ file: 'a.csv', sha256: h.slice(7), size: 12 });
  // A fresh process trusts the sidecar (it does not read the file again): plant a different hash
  // for the same size and mtime and load the module anew (empty in-memory cache).
  const planted = 'f'.repeat(64);
  fs.writeFileSync(sidecarOf(file), JSON.stringify({ ...side, sha256: planted }));
  expect(hashFile(path.join(dir, '.', 'a.csv'))).toBe(h); // this process remembers
  jest.isolateModules(() => {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const fresh = require('../../src/data/content-hash') as typeof import('../../src/data/content-hash');
    expect(fresh.hashFile(file)).toBe(`sha256:${planted}`);
  });
  fs.writeFileSync(file, '1,2,a\n3,4,b\n5,6,a\n');
  expect(hashFile(file)).toBe(sha('1,2,a\n3,4,b\n5,6,a\n'));
});

test('when no sidecar can be written, the hash goes to the shared cache file', () => {
  const sub = fs.mkdtempSync(path.join(dir, 'ro-'));
  const file = path.join(sub, 'b.csv');
  fs.writeFileSync(file, 'x,y\n');
  fs.mkdirSync(sidecarOf(file)); // a folder where the sidecar would go: writing it fails, even as root
  const cache = path.join(dir, 'cache', 'hashes.json');
  setHashCacheFile(cache);
  expect(hashFile(file)).toBe(sha('x,y\n'));
  const shared = JSON.parse(fs.readFileSync(cache, 'utf8')) as Record<string, unknown>;
  expect(shared[path.resolve(file)]).toMatchObject({ sha256: sha('x,y\n').slice(7), size: 4 });
});

test('an MNIST folder hashes by its four files, the same wherever it is, and changes with any of them', () => {
  const write = (d: string, pixel: number) => {
    fs.mkdirSync(d, { recursive: true });
    fs.writeFileSync(path.join(d, MNIST_FILES.trainImages), encodeIdx([1, 2, 2], Uint8Array.from([pixel, 0, 0, 0])));
    fs.writeFileSync(path.join(d, MNIST_FILES.trainLabels), encodeIdx([1], Uint8Array.from([1])));
    fs.writeFileSync(path.join(d, MNIST_FILES.testImages), encodeIdx([1, 2, 2], Uint8Array.from([0, 0, 0, 9])));
    fs.writeFileSync(path.join(d, MNIST_FILES.testLabels), encodeIdx([1], Uint8Array.from([2])));
  };
  write(path.join(dir, 'm1'), 5);
  write(path.join(dir, 'elsewhere', 'm2'), 5);
  write(path.join(dir, 'm3'), 6);
  const h1 = hashDataPath(path.join(dir, 'm1'));
  expect(h1).toMatch(/^sha256:/);
  expect(hashDataPath(path.join(dir, 'elsewhere', 'm2'))).toBe(h1);
  expect(hashDataPath(path.join(dir, 'm3'))).not.toBe(h1);
  expect(hashDataPath(path.join(dir, 'missing'))).toBeNull();
});

test('a folder marked read-only gets no sidecar, even when the process could write there (root)', () => {
  const ro = fs.mkdtempSync(path.join(dir, 'readonly-'));
  const file = path.join(ro, 'c.csv');
  fs.writeFileSync(file, 'r,o\n');
  fs.chmodSync(ro, 0o555);
  setHashCacheFile(path.join(dir, 'cache-ro.json'));
  try {
    expect(hashFile(file)).toBe(sha('r,o\n'));
  } finally {
    fs.chmodSync(ro, 0o755);
  }
  expect(fs.existsSync(sidecarOf(file))).toBe(false);
  expect(Object.keys(JSON.parse(fs.readFileSync(path.join(dir, 'cache-ro.json'), 'utf8')) as object)).toEqual([file]);
});

test('$GS_HASH_CACHE: hashes go to that file only, no sidecar beside the data', () => {
  const file = path.join(dir, 'shared-data.csv');
  fs.writeFileSync(file, '5,6,z\n');
  const cache = path.join(dir, 'env-cache.json');
  process.env.GS_HASH_CACHE = cache;
  try {
    jest.isolateModules(() => {
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      const fresh = require('../../src/data/content-hash') as typeof import('../../src/data/content-hash');
      expect(fresh.hashFile(file)).toBe(sha('5,6,z\n'));
    });
  } finally {
    delete process.env.GS_HASH_CACHE;
  }
  expect(fs.existsSync(sidecarOf(file))).toBe(false);
  expect((JSON.parse(fs.readFileSync(cache, 'utf8')) as Record<string, { sha256: string }>)[file].sha256).toBe(sha('5,6,z\n').slice(7));
});
