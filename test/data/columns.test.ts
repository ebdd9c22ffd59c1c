/** Picking columns of row-major features (data/columns.ts): runs and scattered columns, all rows or listed rows, into a given array. */
import { copyColumns, selectColumns } from '../../src/data/columns';

// 4 rows x 10 columns, value = 10 * row + column
const X = Float32Array.from({ length: 40 }, (_, i) => i);
const expected = (rows: number[], keep: number[]) => rows.flatMap((r) => keep.map((c) => 10 * r + c));

describe.each([
  ['long runs (block copies)', [1, 2, 3, 4, 5, 6, 7, 8]],
  ['scattered columns', [9, 0, 4, 5, 2]],
])('%s', (_name, keep) => {
  it('selectColumns keeps the columns of every row, in the order given', () => {
    expect(Array.from(selectColumns(X, 4, 10, keep))).toEqual(expected([0, 1, 2, 3], keep));
  });

  it('copyColumns writes the listed rows compactly into a given array and leaves the rest of it', () => {
    const into = new Float32Array(3 * keep.length + 2).fill(-1);
    copyColumns(X, 10, keep, [3, 0, 3], into);
    expect(Array.from(into)).toEqual([...expected([3, 0, 3], keep), -1, -1]);
  });
});

test('an identity selection is the features themselves; a too small target is refused', () => {
  expect(selectColumns(X, 4, 10, [0, 1, 2, 3, 4, 5, 6, 7, 8, 9])).toBe(X);
  expect(() => copyColumns(X, 10, [1, 2], 4, new Float32Array(7))).toThrow(RangeError);
});
