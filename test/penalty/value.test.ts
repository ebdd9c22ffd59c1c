/** Penalty values against numbers worked out by hand on a tiny 2-layer net. */
import type { DenseLayer } from '../../src/network/types';
import { layerRegularizer, penaltyValue } from '../../src/penalty';

// layer 0: kernel 2x3 rows [3, 0, 4] and [0, 0, 0]; bias [1, -2, 0]
// layer 1: kernel 3x2 rows [0.6, 0.8], [0, 0], [-3, 4]; bias [0.5, -0.5]
const net: DenseLayer[] = [
  { op: 'dense' as const, inSize: 2, outSize: 3, kernel: new Float32Array([3, 0, 4, 0, 0, 0]), bias: new Float32Array([1, -2, 0]) },
  { op: 'dense' as const, inSize: 3, outSize: 2, kernel: new Float32Array([0.6, 0.8, 0, 0, -3, 4]), bias: new Float32Array([0.5, -0.5]) },
];

describe('penaltyValue on a hand-made net', () => {
  test('l2', () => {
    // layer 0: 9 + 16 + (1 + 4) = 30;  layer 1: 0.36 + 0.64 + 9 + 16 + (0.25 + 0.25) = 26.5;  R = 56.5
    expect(penaltyValue(net, 'l2', 1)).toBeCloseTo(56.5, 5);
    expect(penaltyValue(net, 'l2', 0.1)).toBeCloseTo(5.65, 6);
  });
  test('l1', () => {
    // layer 0: 3 + 4 + (1 + 2) = 10;  layer 1: 0.6 + 0.8 + 3 + 4 + (0.5 + 0.5) = 9.4;  R = 19.4
    expect(penaltyValue(net, 'l1', 1)).toBeCloseTo(19.4, 5);
    expect(penaltyValue(net, 'l1', 0.1)).toBeCloseTo(1.94, 6);
  });
  test('gl', () => {
    // layer 0: sqrt(3) * (||[3,0,4]|| + ||0||) + (1 + 2) = 5 sqrt(3) + 3
    // layer 1: sqrt(2) * (||[0.6,0.8]|| + 0 + ||[-3,4]||) + (0.5 + 0.5) = 6 sqrt(2) + 1
    // R = 4 + 5 sqrt(3) + 6 sqrt(2) = 4 + 8.660254 + 8.485281 = 21.145535
    expect(layerRegularizer(net[0].kernel, net[0].bias, 2, 3, 'gl')).toBeCloseTo(3 + 5 * Math.sqrt(3), 5);
    expect(layerRegularizer(net[1].kernel, net[1].bias, 3, 2, 'gl')).toBeCloseTo(1 + 6 * Math.SQRT2, 5);
    expect(penaltyValue(net, 'gl', 1)).toBeCloseTo(21.145535, 5);
    expect(penaltyValue(net, 'gl', 0.1)).toBeCloseTo(2.1145535, 6);
  });
  test('sgl = gl + l1 (the bias counts twice)', () => {
    // 21.145535 + 19.4 = 40.545535
    expect(penaltyValue(net, 'sgl', 1)).toBeCloseTo(40.545535, 5);
    expect(penaltyValue(net, 'sgl', 0.1)).toBeCloseTo(4.0545535, 6);
  });
  test('none and lambda = 0 give 0', () => {
    expect(penaltyValue(net, 'none', 1)).toBe(0);
    expect(penaltyValue(net, 'gl', 0)).toBe(0);
  });
});
