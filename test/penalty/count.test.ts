/** Counting helpers (exact zeros, alive inputs, alive hidden units) on a hand-made net. */
import type { DenseLayer } from '../../src/network/types';
import { parameterCount } from '../../src/network/create';
import { aliveInputs, aliveUnits, zeroCount } from '../../src/penalty';

// 4 inputs -> 3 hidden -> 3 hidden -> 2 outputs.
// layer 0 kernel 4x3 (rows = inputs):      bias [0, 0, 0.5]
//   input 0: [1, 0, 0]
//   input 1: [0, 0, 0]     <- dead input
//   input 2: [0, 0, 2]
//   input 3: [0, 0, 0]     <- dead input
// hidden-1 unit 0: in column [1,0,0,0] nonzero; unit 1: column zero and bias 0 -> no input;
// unit 2: column [0,0,2,0] nonzero.
// layer 1 kernel 3x3 (rows = hidden-1 units):  bias [0, 0.1, 0]
//   unit 0: [1, 0, 0]; unit 1: [1, 1, 0]; unit 2: [0, 0, 0]  <- no outgoing weights
// so hidden-1 alive = {0} (1 has no input, 2 no output) -> 1
// hidden-2 unit 0: column [1,1,0] nonzero; unit 1: column [0,1,0] nonzero; unit 2: column 0, bias 0.
// layer 2 kernel 3x2 (rows = hidden-2 units): bias [0, 0]
//   unit 0: [0, 0] <- no output; unit 1: [1, -1]; unit 2: [2, 0] (output but no input)
// so hidden-2 alive = {1} -> 1
const net: DenseLayer[] = [
  {
    op: 'dense',
    inSize: 4,
    outSize: 3,
    kernel: new Float32Array([1, 0, 0, 0, 0, 0, 0, 0, 2, 0, 0, 0]),
    bias: new Float32Array([0, 0, 0.5]),
  },
  {
    op: 'dense' as const,
    inSize: 3,
    outSize: 3,
    kernel: new Float32Array([1, 0, 0, 1, 1, 0, 0, 0, 0]),
    bias: new Float32Array([0, 0.1, 0]),
  },
  { op: 'dense' as const, inSize: 3, outSize: 2, kernel: new Float32Array([0, 0, 1, -1, 2, 0]), bias: new Float32Array([0, 0]) },
];

describe('counting helpers', () => {
  test('zeroCount and parameterCount', () => {
    // layer 0: kernel 10 zeros of 12, bias 2 of 3; layer 1: kernel 6 of 9, bias 2 of 3;
    // layer 2: kernel 3 of 6, bias 2 of 2 -> 10+2+6+2+3+2 = 25 zeros of 15+12+8 = 35
    expect(zeroCount(net)).toBe(25);
    expect(parameterCount(net)).toBe(35);
  });
  test('aliveInputs counts nonzero rows of the first kernel', () => {
    expect(aliveInputs(net[0])).toBe(2);
  });
  test('aliveUnits needs an outgoing row and an incoming column or bias', () => {
    expect(aliveUnits(net)).toEqual([1, 1]);
    // a bias alone keeps a unit with outgoing weights alive: give hidden-2 unit 2 a bias
    const withBias = net.map((l) => ({ ...l, bias: l.bias.slice() }));
    withBias[1].bias[2] = -0.3;
    expect(aliveUnits(withBias)).toEqual([1, 2]);
    expect(aliveUnits([net[0]])).toEqual([]); // no hidden layers
  });
  test('-0 counts as zero', () => {
    const l: DenseLayer = {
      op: 'dense' as const,
      inSize: 1,
      outSize: 2,
      kernel: new Float32Array([-0, -0]),
      bias: new Float32Array([-0, 1]),
    };
    expect(zeroCount([l])).toBe(3);
    expect(aliveInputs(l)).toBe(0);
  });
});
