/** addPenaltyGradient against central finite differences of lambda * R away from kinks. */
import { addPenaltyGradient, layerRegularizer } from '../../src/penalty';
import type { PenaltyKind } from '../../src/penalty';
import { rng } from './helpers';

const inSize = 3;
const outSize = 4;

/** Weights with |w| in [0.2, 1.2] (far from the kinks at 0), random signs. */
function awayFromKinks(seed: number, n: number): Float32Array {
  const r = rng(seed);
  return Float32Array.from({ length: n }, () => (r() < 0.5 ? -1 : 1) * (0.2 + r()));
}

describe('addPenaltyGradient', () => {
  for (const kind of ['l2', 'l1', 'gl', 'sgl'] as PenaltyKind[]) {
    test(`${kind} matches finite differences and adds to the buffers`, () => {
      const lambda = 0.7;
      const kernel = awayFromKinks(1, inSize * outSize);
      const bias = awayFromKinks(2, outSize);
      const gK = new Float32Array(kernel.length).fill(0.25); // existing content must be kept
      const gB = new Float32Array(outSize).fill(-0.5);
      addPenaltyGradient(kernel, bias, inSize, outSize, kind, lambda, gK, gB);
      const value = () => lambda * layerRegularizer(kernel, bias, inSize, outSize, kind);
      const fd = (a: Float32Array, i: number) => {
        const w = a[i];
        a[i] = Math.fround(w + 1e-3);
        const up = a[i];
        const fUp = value();
        a[i] = Math.fround(w - 1e-3);
        const down = a[i];
        const fDown = value();
        a[i] = w;
        return (fUp - fDown) / (up - down); // the float32 perturbation actually applied
      };
      for (let i = 0; i < kernel.length; i++) expect(gK[i] - 0.25).toBeCloseTo(fd(kernel, i), 4);
      for (let j = 0; j < outSize; j++) expect(gB[j] + 0.5).toBeCloseTo(fd(bias, j), 4);
    });
  }

  test('at kinks: sign(0) = 0 and a zero row gets no group term; none adds nothing', () => {
    const kernel = new Float32Array([0, 0, 3, -4]);
    const bias = new Float32Array([0, 2]);
    const gK = new Float32Array(4);
    const gB = new Float32Array(2);
    addPenaltyGradient(kernel, bias, 2, 2, 'sgl', 1, gK, gB);
    // row 1: l1 sign [1, -1] + sqrt(2) * [3, -4] / 5
    expect(Array.from(gK.subarray(0, 2))).toEqual([0, 0]);
    expect(gK[2]).toBeCloseTo(1 + (Math.SQRT2 * 3) / 5, 6);
    expect(gK[3]).toBeCloseTo(-1 - (Math.SQRT2 * 4) / 5, 6);
    expect(Array.from(gB)).toEqual([0, 2]);
    addPenaltyGradient(kernel, bias, 2, 2, 'none', 1, gK, gB);
    expect(Array.from(gB)).toEqual([0, 2]);
  });
});
