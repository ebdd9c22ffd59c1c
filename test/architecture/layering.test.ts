/**
 * The layering of src/ (README, "Code layout"): which folder may import which, no module
 * importing the CLI, and no import cycle anywhere, type-only imports included. The import graph
 * is read from the sources (./imports.ts), so a breach fails here before review.
 */
import { cycles, importGraph } from './imports';

const LOW = ['util', 'codec'];
/** Folder -> the folders its modules may import (besides their own and the root's errors.ts / version.ts). */
const MAY: Record<string, string[]> = {
  util: [],
  codec: [],
  data: ['util'],
  network: ['data', 'util'],
  penalty: ['network', 'util'],
  prune: ['network', 'util'],
  train: ['network', 'penalty', 'prune', 'data', 'util'],
  import: ['network', 'data', ...LOW],
  onnx: ['network', 'data', ...LOW],
  pipeline: ['data', 'network', 'penalty', 'prune', 'train', 'import', 'onnx', ...LOW],
  sweep: ['pipeline', 'data', 'network', 'penalty', 'prune', 'train', 'import', 'onnx', ...LOW],
  report: ['sweep', 'network', 'util'],
  experiment: ['penalty', 'report', 'util'],
};

const folderOf = (f: string) => (f.includes('/') ? f.split('/')[0] : '(root)');
const graph = importGraph();

test('every folder of src/ has a rule, and its modules import only what it may', () => {
  const breaches: string[] = [];
  for (const [file, deps] of graph) {
    const from = folderOf(file);
    if (from === 'cli' || from === '(root)') continue;
    expect(MAY).toHaveProperty([from]);
    for (const d of deps) {
      const to = folderOf(d);
      if (to === from || (to === '(root)' && d !== 'index.ts')) continue;
      if (!MAY[from].includes(to)) breaches.push(`${file} -> ${d}`);
    }
  }
  expect(breaches).toEqual([]);
});

test('nothing but the CLI imports the CLI, and only the public face imports everything', () => {
  const intoCli = [...graph].flatMap(([f, deps]) =>
    folderOf(f) !== 'cli' ? deps.filter((d) => folderOf(d) === 'cli').map((d) => `${f} -> ${d}`) : [],
  );
  expect(intoCli).toEqual([]);
  for (const leaf of ['errors.ts', 'version.ts']) expect(graph.get(leaf)?.filter((d) => d !== leaf) ?? []).toEqual([]);
});

test('no import cycle, type-only imports included', () => {
  expect(cycles(graph)).toEqual([]);
});

test('the graph reader sees real imports (a test that could not fail would prove nothing)', () => {
  expect(graph.get('onnx/export.ts')).toEqual(expect.arrayContaining(['network/layers/table.ts', 'codec/onnx-proto.ts']));
  expect(
    cycles(
      new Map([
        ['a.ts', ['b.ts']],
        ['b.ts', ['a.ts']],
        ['c.ts', ['a.ts']],
      ]),
    ),
  ).toEqual([['a.ts', 'b.ts']]);
});
