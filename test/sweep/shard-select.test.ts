/** Shards partition a grid; best / sparsest-within-tolerance / Pareto selection on a hand-made table. */
import { completeGrid, expandGrid, mergeGridInputs } from '../../src/sweep/grid';
import { presetGrid } from '../../src/sweep/presets';
import { paretoFront, selectBest, sparsestWithin } from '../../src/sweep/select';
import { parseShard, shardOf } from '../../src/sweep/shard';
import { fakeRecord } from './helpers';

test('shard slices partition the grid for several n', () => {
  const points = expandGrid(completeGrid(mergeGridInputs(presetGrid('group'), { data: { data: 'mnist' } })));
  for (const n of [1, 2, 3, 5, 7, 72, 100]) {
    const slices = Array.from({ length: n }, (_, i) => shardOf(points, i + 1, n).map((p) => p.id));
    const all = slices.flat();
    expect(all).toHaveLength(points.length); // pairwise disjoint (no id twice) ...
    expect(new Set(all)).toEqual(new Set(points.map((p) => p.id))); // ... and the union is the grid
    const sizes = slices.map((s) => s.length);
    expect(Math.max(...sizes) - Math.min(...sizes)).toBeLessThanOrEqual(1);
  }
  expect(shardOf(points, 2, 3).map((p) => p.id)).toEqual(shardOf(points, 2, 3).map((p) => p.id)); // deterministic
});

test('--shard parsing', () => {
  expect(parseShard('2/4')).toEqual({ index: 2, count: 4 });
  for (const bad of ['0/4', '5/4', '1/0', '2', 'a/b', '1/2/3']) expect(() => parseShard(bad)).toThrow(/--shard .*expected i\/n/);
});

const table = [
  fakeRecord('a', 0.9, 5000),
  fakeRecord('b', 0.93, 4000),
  fakeRecord('c', 0.928, 1200), // within 0.5 points of b
  fakeRecord('d', 0.926, 900), // within 0.5 points of b, sparsest such
  fakeRecord('e', 0.92, 800), // 1 point below: outside the default tolerance
  fakeRecord('f', 0.5, 100),
  fakeRecord('g', 0.6, 100), // same size as f, more accurate: f is dominated
  fakeRecord('h', 0.99, 10, true), // diverged: never chosen
  fakeRecord('i', 0.926, 900), // same point as d: one of them on the front
];

test('best, sparsest within the tolerance, and the Pareto front', () => {
  expect(selectBest(table)?.id).toBe('b');
  expect(sparsestWithin(table)?.id).toBe('d');
  expect(sparsestWithin(table, 0.01)?.id).toBe('e');
  expect(sparsestWithin(table, 0)?.id).toBe('b');
  expect(sparsestWithin(table, 1)?.id).toBe('g');
  expect(paretoFront(table).map((r) => r.id)).toEqual(['g', 'e', 'd', 'c', 'b']);
  expect(selectBest([])).toBeNull();
  expect(sparsestWithin([fakeRecord('x', NaN, 1)])).toBeNull();
});
