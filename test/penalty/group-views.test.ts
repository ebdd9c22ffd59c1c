/**
 * Groups as views: a penalty over strided groups (a convolution's input channel: its slice of every
 * filter) equals the same penalty over those groups gathered into contiguous rows, for the value,
 * the gradient and the proximal step (uniform and per-coordinate), for every penalty of the table.
 */
import { PENALTIES, PENALTY_KINDS, addPartsGradient, isProximal, proxParts, type PenaltyParts } from '../../src/penalty';
import { rowGroups, type GroupView } from '../../src/network/layers/group-view';
import { Rng } from '../../src/util/rng';

const O = 3; // filters
const C = 4; // input channels: the groups
const KK = 5; // kernel positions per (filter, channel)
/** OIHW weights grouped by input channel c: filter o's slice for c is a block of KK values. */
const view: GroupView = { offset: 0, count: C, groupStride: KK, blocks: O, blockStride: C * KK, blockLen: KK };
/** Element index in OIHW of group c's element e (e = o*KK + k). */
const at = (c: number, e: number) => Math.floor(e / KK) * C * KK + c * KK + (e % KK);

function random(n: number, rng: Rng, zeroGroup = -1): Float32Array {
  const x = Float32Array.from({ length: n }, () => rng.normal());
  if (zeroGroup >= 0) for (let e = 0; e < O * KK; e++) x[at(zeroGroup, e)] = 0;
  for (let e = 0; e < O * KK; e++) x[at(0, e)] *= 0.01; // a weak channel, for the prox to remove
  return x;
}
/** The strided groups gathered as rows of a [C, O*KK] matrix. */
function gather(w: Float32Array): Float32Array {
  const out = new Float32Array(w.length);
  for (let c = 0; c < C; c++) for (let e = 0; e < O * KK; e++) out[c * O * KK + e] = w[at(c, e)];
  return out;
}
const rows = (w: Float32Array, b: Float32Array): PenaltyParts => ({ w: gather(w), groups: rowGroups(C, O * KK), b });

describe.each(PENALTY_KINDS)('penalty %s over strided groups', (kind) => {
  const def = PENALTIES[kind];
  const rng = new Rng(11);
  const w = random(O * C * KK, rng, 2);
  const b = random(O, rng);

  test('value equals the gathered groups', () => {
    expect(def.value({ w, groups: view, b })).toBeCloseTo(def.value(rows(w, b)), 10);
  });

  test('gradient equals the gathered groups', () => {
    const g = { w: new Float32Array(w.length), b: new Float32Array(b.length) };
    addPartsGradient({ w, groups: view, b }, kind, 0.3, g);
    const gr = { w: new Float32Array(w.length), b: new Float32Array(b.length) };
    addPartsGradient(rows(w, b), kind, 0.3, gr);
    expect(Array.from(gather(g.w))).toEqual(Array.from(gr.w));
    expect(Array.from(g.b)).toEqual(Array.from(gr.b));
  });

  if (isProximal(kind)) {
    test.each([
      ['uniform', false],
      ['per-coordinate', true],
    ])('prox (%s step) equals the gathered groups and zeroes whole channels', (_name, diag) => {
      const hw = diag ? Float32Array.from({ length: w.length }, () => 0.05 + rng.next() * 0.2) : 0.1;
      const hb = diag ? Float32Array.from({ length: b.length }, () => 0.1) : 0.1;
      const lambda = 0.9;
      const x = { w: w.slice(), groups: view, b: b.slice() };
      proxParts(x, kind, lambda, hw, hb);
      const y = rows(w, b.slice());
      proxParts(y, kind, lambda, typeof hw === 'number' ? hw : gather(hw), hb);
      expect(Array.from(gather(x.w))).toEqual(Array.from(y.w));
      expect(Array.from(x.b)).toEqual(Array.from(y.b));
      // the zero channel stays exactly zero, and the weak channel dies whole
      const dead = Array.from({ length: C }, (_, c) => Array.from({ length: O * KK }, (_, e) => x.w[at(c, e)]).every((v) => v === 0));
      expect(dead[2]).toBe(true);
      if (kind !== 'l1') expect(dead[0]).toBe(true);
      expect(dead[1] || dead[3]).toBe(false);
    });
  }
});
