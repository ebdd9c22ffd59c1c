/** Per-channel scaling: one mean and deviation per channel over all its positions, laid out per column. */
import { fitChannelScaling } from '../../src/data/scaling';

test('two channels of three positions get their own mean and deviation on every column', () => {
  // rows [c0: 1 2 3 | c1: 10 10 10], [c0: 3 4 5 | c1: 10 10 10]
  const features = Float32Array.from([1, 2, 3, 10, 10, 10, 3, 4, 5, 10, 10, 10]);
  const s = fitChannelScaling({ rows: 2, cols: 6, features }, 2);
  expect(Array.from(s.mean)).toEqual([3, 3, 3, 10, 10, 10]);
  const sd = Math.fround(Math.sqrt((4 + 1 + 0 + 0 + 1 + 4) / 6));
  expect(Array.from(s.std)).toEqual([sd, sd, sd, 1, 1, 1]); // a constant channel keeps 1
  expect(() => fitChannelScaling({ rows: 1, cols: 5, features: new Float32Array(5) }, 2)).toThrow(/not 2 channels/);
});
