/** The validation split: seeded by the data's split seed, carved from the training split, disjoint from the rows trained on and from test. */
import { checkValFraction, DEFAULT_VAL_FRACTION, validationIndices, withValidation } from '../../src/data/split';
import type { Table } from '../../src/data/types';
import { idData } from './helpers';

const ids = (t: Table) => Array.from({ length: t.rows }, (_, r) => t.features[r * t.cols]);

test('validationIndices is a seeded, disjoint cover of the training rows', () => {
  const a = validationIndices(200, 0.1, 5);
  expect(a.val).toHaveLength(20);
  expect(a.train).toHaveLength(180);
  expect(validationIndices(200, 0.1, 5)).toEqual(a);
  expect(Array.from(validationIndices(200, 0.1, 6).val)).not.toEqual(Array.from(a.val));
  const all = new Set([...a.val, ...a.train]);
  expect(all.size).toBe(200);
  expect(validationIndices(200, 0, 5).val).toHaveLength(0);
  expect(validationIndices(3, 0.01, 0).val).toHaveLength(1); // at least one row when asked for
  expect(() => validationIndices(1, 0.5, 0)).toThrow(/val-fraction/);
});

test('withValidation carves the training split only: val is disjoint from the rows trained on and from test', () => {
  const data = idData(300, 100, 3);
  const d = withValidation(data, DEFAULT_VAL_FRACTION);
  expect(d.val?.rows).toBe(30);
  expect(d.train.rows).toBe(270);
  expect(d.test).toBe(data.test);
  const train = new Set(ids(d.train));
  const val = ids(d.val as Table);
  const test = new Set(ids(d.test));
  for (const v of val) {
    expect(train.has(v)).toBe(false);
    expect(test.has(v)).toBe(false);
    expect(v).toBeLessThan(300); // from the training split
  }
  expect(new Set([...train, ...val]).size).toBe(300);
  // seeded by the data's split seed: the same rows again; another split seed, other rows
  expect(ids(withValidation(data, 0.1).val as Table)).toEqual(val);
  expect(ids(withValidation(idData(300, 100, 4), 0.1).val as Table)).not.toEqual(val);
  // carved data is not carved twice (every stage of a run sees the same rows)
  expect(withValidation(d, 0.5)).toBe(d);
  // 0: no validation split
  const none = withValidation(data, 0);
  expect(none.val).toBeUndefined();
  expect(none.train.rows).toBe(300);
});

test('the validation fraction is refused below 0 and from 1 on, with a one-line message', () => {
  for (const bad of [-0.1, 1, 1.5, NaN]) {
    expect(() => checkValFraction(bad)).toThrow(/^--val-fraction \S+: expected a number in \[0, 1\)[^\n]*$/);
  }
  expect(() => checkValFraction(0)).not.toThrow();
  expect(() => checkValFraction(0.99)).not.toThrow();
});
