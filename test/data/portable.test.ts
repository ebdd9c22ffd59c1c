/** Portable data references: relative paths plus content hashes in records, found again after a move, never an absolute path. */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { hashFile } from '../../src/data/content-hash';
import { loadDataset } from '../../src/data/load';
import { dataIdentity, portableRef, portableSpec, rebaseSpec, resolveSpec } from '../../src/data/portable';

const root = fs.mkdtempSync(path.join(os.tmpdir(), 'gs-portable-'));
afterAll(() => fs.rmSync(root, { recursive: true, force: true }));

const CSV = 'a,b,label\n1,2,x\n2,1,y\n3,3,x\n0,1,y\n1,1,x\n2,2,y\n4,1,x\n1,4,y\n';

function project(name: string, content = CSV): { dir: string; csv: string } {
  const dir = path.join(root, name);
  fs.mkdirSync(path.join(dir, 'data'), { recursive: true });
  const csv = path.join(dir, 'data', 'd.csv');
  fs.writeFileSync(csv, content);
  return { dir, csv };
}

test('portableSpec: a file becomes a path relative to the record plus its hash; catalog names stay; data-dir is not recorded', () => {
  const { dir, csv } = project('p1');
  const spec = portableSpec({ data: csv, testFraction: 0.25, dataDir: '/somewhere' }, path.join(dir, 'run'));
  expect(spec).toEqual({ data: '../data/d.csv', dataHash: hashFile(csv), testFraction: 0.25 });
  expect(portableSpec({ data: 'sdd', dataDir: root }, dir)).toEqual({ data: 'sdd' });
  expect(JSON.stringify(portableSpec({ train: csv, test: csv }, dir))).not.toContain(root);
});

test('resolveSpec finds the data of a moved folder; a file with other content is refused, a missing one says where it looked', () => {
  const { dir, csv } = project('p2');
  const recorded = portableSpec({ data: csv }, path.join(dir, 'run'));
  const moved = path.join(root, 'moved-p2');
  fs.renameSync(dir, moved);
  expect(resolveSpec(recorded, path.join(moved, 'run'))).toMatchObject({ data: path.join(moved, 'data', 'd.csv') });
  // The run folder alone moved elsewhere: the file is found by name in $GS_DATA_DIR, checked by hash.
  const lone = path.join(root, 'lone-run');
  fs.mkdirSync(lone);
  const old = process.env.GS_DATA_DIR;
  process.env.GS_DATA_DIR = path.join(moved, 'data');
  try {
    expect(resolveSpec(recorded, lone, { cwd: lone }).data).toBe(path.join(moved, 'data', 'd.csv'));
    fs.writeFileSync(path.join(moved, 'data', 'd.csv'), CSV.replace('4,1,x', '4,1,y'));
    expect(() => resolveSpec(recorded, lone, { cwd: lone })).toThrow(/different content/);
    fs.rmSync(path.join(moved, 'data', 'd.csv'));
    let message = '';
    try {
      resolveSpec(recorded, lone, { cwd: lone });
    } catch (e) {
      message = (e as Error).message;
    }
    expect(message).toMatch(/^the recorded data file \.\.\/data\/d\.csv \(content sha256:[0-9a-f]{64}\) was not found; looked at:\n/);
    for (const place of [path.join(root, 'data', 'd.csv'), path.join(lone, 'd.csv'), path.join(moved, 'data', 'd.csv')]) {
      expect(message).toContain(`\n  ${place}\n`);
    }
  } finally {
    if (old === undefined) delete process.env.GS_DATA_DIR;
    else process.env.GS_DATA_DIR = old;
  }
});

test('dataIdentity: two copies of the same bytes in different places are the same data; other bytes are not', () => {
  const a = project('id-a');
  const b = project('id-b');
  const c = project('id-c', CSV.replace('1,4,y', '1,4,x'));
  const id = (csv: string, base: string) => JSON.stringify(dataIdentity(portableSpec({ data: csv, testFraction: 0.3 }, base)));
  expect(id(a.csv, a.dir)).toBe(id(b.csv, root));
  expect(id(a.csv, a.dir)).not.toBe(id(c.csv, c.dir));
  expect(id(a.csv, a.dir)).not.toContain(root);
  expect(dataIdentity({ data: 'sdd', dataDir: '/x', splitSeed: 1 })).toEqual({ data: 'sdd', splitSeed: 1 });
});

test('portableRef and rebaseSpec keep records free of absolute paths', async () => {
  const { dir, csv } = project('p3');
  const ds = await loadDataset({ data: csv, testFraction: 0.25 });
  expect(ds.ref.files).toEqual([csv]); // in memory: where it was read
  const ref = portableRef(ds.ref, path.join(dir, 'run'));
  expect(ref).toMatchObject({ kind: 'file', path: '../data/d.csv', files: ['../data/d.csv'], hashes: [hashFile(csv)], testFraction: 0.25 });
  expect(JSON.stringify(ref)).not.toContain(root);
  // moved into a sub-folder record: still pointing at the same file
  const moved = portableRef(ref, path.join(dir, 'run', 'deeper'), path.join(dir, 'run'));
  expect(moved.files).toEqual(['../../data/d.csv']);
  expect(rebaseSpec({ data: '../data/d.csv' }, path.join(dir, 'store'), path.join(dir, 'store', 'runs', 'x'))).toEqual({
    data: '../../../data/d.csv',
  });
});
