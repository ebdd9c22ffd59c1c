/**
 * The convolutional layer types against independent computations (direct loops written here), their
 * counts against arch.ts's, their penalty groups, and what pruning asks of them (constants through
 * channelwise layers, checked by forwarding a constant input).
 */
import { archCounts, parseArch } from '../../../src/network/arch';
import { initArchNetwork } from '../../../src/network/create-arch';
import { multiplyAdds, parameterCount } from '../../../src/network/create';
import { batchNormLayer } from '../../../src/network/layers/batchnorm';
import { convLayer, type ConvLayer } from '../../../src/network/layers/conv';
import { flattenLayer } from '../../../src/network/layers/flatten';
import { gapLayer } from '../../../src/network/layers/gap';
import { blockStart } from '../../../src/network/layers/group-view';
import { poolLayer, type PoolLayer } from '../../../src/network/layers/pool';
import { layerShapes, layerType, type Layer } from '../../../src/network/layers/table';
import { Rng } from '../../../src/util/rng';

const rng = new Rng(21);
const rand = (n: number) => Float64Array.from({ length: n }, () => rng.normal());
const rand32 = (n: number) => Float32Array.from({ length: n }, () => rng.normal());

function run(l: Layer, x: Float64Array, rows: number, inShape: number[], hidden = true): Float64Array {
  return layerType(l).forward(l, x, rows, hidden, inShape);
}

/** Direct 2-D convolution (a 1-D one is H = 1), zero padding, relu. */
function naiveConv(c: ConvLayer, x: Float64Array, rows: number, H: number, W: number): { y: number[]; oh: number; ow: number } {
  const two = c.kernel.length === 2;
  const [kh, kw] = two ? c.kernel : [1, c.kernel[0]];
  const [sh, sw] = two ? c.strides : [1, c.strides[0]];
  const [dh, dw] = two ? c.dilations : [1, c.dilations[0]];
  const [pt, pl, pb, pr] = two ? c.pads : [0, c.pads[0], 0, c.pads[1]];
  const oh = Math.floor((H + pt + pb - dh * (kh - 1) - 1) / sh) + 1;
  const ow = Math.floor((W + pl + pr - dw * (kw - 1) - 1) / sw) + 1;
  const y: number[] = [];
  for (let r = 0; r < rows; r++)
    for (let o = 0; o < c.cout; o++)
      for (let i = 0; i < oh; i++)
        for (let j = 0; j < ow; j++) {
          let s = c.bias[o];
          for (let ci = 0; ci < c.cin; ci++)
            for (let a = 0; a < kh; a++)
              for (let b = 0; b < kw; b++) {
                const yy = i * sh - pt + a * dh;
                const xx = j * sw - pl + b * dw;
                if (yy < 0 || yy >= H || xx < 0 || xx >= W) continue;
                s += c.weight[((o * c.cin + ci) * kh + a) * kw + b] * x[((r * c.cin + ci) * H + yy) * W + xx];
              }
          y.push(Math.max(0, s));
        }
  return { y, oh, ow };
}

function expectClose(a: ArrayLike<number>, b: ArrayLike<number>, digits = 9): void {
  expect(a.length).toBe(b.length);
  for (let i = 0; i < a.length; i++) expect(a[i]).toBeCloseTo(b[i], digits);
}

test('conv 2-D (padding, stride, dilation) and 1-D match direct loops, then relu', () => {
  const c = convLayer(3, 4, [3, 2], rand32(4 * 3 * 6), rand32(4), { pads: [1, 0, 2, 1], strides: [2, 1], dilations: [1, 2] });
  const x = rand(2 * 3 * 7 * 6);
  const ref = naiveConv(c, x, 2, 7, 6);
  expect(layerType(c).outShape(c, [3, 7, 6])).toEqual([4, ref.oh, ref.ow]);
  expectClose(run(c, x, 2, [3, 7, 6]), ref.y);
  const c1 = convLayer(2, 3, [3], rand32(3 * 2 * 3), rand32(3), { pads: [1], strides: [2] });
  const x1 = rand(3 * 2 * 11);
  const r1 = naiveConv(c1, x1, 3, 1, 11);
  expect(layerType(c1).outShape(c1, [2, 11])).toEqual([3, r1.ow]);
  expectClose(run(c1, x1, 3, [2, 11]), r1.y);
  // the output layer is linear: no relu
  expect(run(c1, x1, 3, [2, 11], false).some((v) => v < 0)).toBe(true);
});

test('pooling (max, avg with and without count_include_pad), global average pooling, flatten', () => {
  const x = rand(2 * 2 * 5 * 5);
  const at = (r: number, c: number, i: number, j: number) => x[((r * 2 + c) * 5 + i) * 5 + j];
  for (const [kind, cip] of [
    ['max', false],
    ['avg', false],
    ['avg', true],
  ] as const) {
    const p = poolLayer(kind, 2, [3, 3], { strides: [2, 2], pads: [1, 1], countIncludePad: cip });
    expect(layerType(p).outShape(p, [2, 5, 5])).toEqual([2, 3, 3]);
    const want: number[] = [];
    for (let r = 0; r < 2; r++)
      for (let c = 0; c < 2; c++)
        for (let i = 0; i < 3; i++)
          for (let j = 0; j < 3; j++) {
            const vals: number[] = [];
            for (let a = 0; a < 3; a++)
              for (let b = 0; b < 3; b++) {
                const yy = 2 * i - 1 + a;
                const xx = 2 * j - 1 + b;
                if (yy >= 0 && yy < 5 && xx >= 0 && xx < 5) vals.push(at(r, c, yy, xx));
              }
            const sum = vals.reduce((s, v) => s + v, 0);
            want.push(kind === 'max' ? Math.max(...vals) : sum / (cip ? 9 : vals.length));
          }
    expectClose(run(p, x, 2, [2, 5, 5]), want);
  }
  const g = gapLayer(2);
  expect(layerType(g).outShape(g, [2, 5, 5])).toEqual([2, 1, 1]);
  const means = [0, 1, 2, 3].map((p) => x.slice(p * 25, (p + 1) * 25).reduce((s, v) => s + v, 0) / 25);
  expectClose(run(g, x, 2, [2, 5, 5]), means);
  const f = flattenLayer([2, 5, 5]);
  expect(layerType(f).outShape(f, [2, 5, 5])).toEqual([50]);
  expectClose(run(f, x, 2, [2, 5, 5]), x);
});

test('batch norm in evaluation mode, its activation when hidden', () => {
  const bn = batchNormLayer(3);
  for (const k of ['gamma', 'beta', 'runningMean'] as const) bn[k].set(rand32(3));
  bn.runningVar.set([0.5, 2, 1.5]);
  const x = rand(2 * 3 * 4);
  const want = Array.from(x, (v, i) => {
    const c = Math.floor(i / 4) % 3;
    return bn.gamma[c] * ((v - bn.runningMean[c]) / Math.sqrt(bn.runningVar[c] + 1e-5)) + bn.beta[c];
  });
  expectClose(run(bn, x, 2, [3, 4], false), want);
  expectClose(
    run(bn, x, 2, [3, 4]),
    want.map((v) => Math.max(0, v)),
  );
});

test('counts agree with arch.ts: lenet5 and fashion with batch norm, 2-D and 1-D', () => {
  for (const [spec, shape] of [
    ['lenet5', [1, 28, 28]],
    ['c16k3p1-bn-m2-c32k3p1-bn-m2-f128', [1, 28, 28]],
    ['c8k5s2-bn-a2-c4k3-g', [3, 32, 32]],
    ['c4k3-m2-f8', [2, 20]],
  ] as const) {
    const net = initArchNetwork(spec, [...shape], 10, 1);
    const arch = parseArch(spec, shape);
    expect({ params: parameterCount(net), macs: multiplyAdds(net) }).toEqual(archCounts(arch, 10));
    const shapes = layerShapes(net.layers, net.inputShape!);
    expect(shapes.slice(1, -1)).toEqual(arch.layers.map((l) => l.outShape));
    net.layers.slice(0, -1).forEach((l, k) => {
      expect(layerType(l).params(l)).toBe(arch.layers[k].params);
      expect(layerType(l).macs(l, shapes[k])).toBe(arch.layers[k].macs);
    });
  }
});

test("a convolution's penalty group is its input channel's slice of every filter", () => {
  const c = convLayer(3, 4, [2, 2], rand32(4 * 3 * 4), rand32(4));
  const parts = layerType(c).groups(c)!;
  const v = parts.groups;
  expect(v.count).toBe(3);
  for (let g = 0; g < 3; g++) {
    const got: number[] = [];
    for (let b = 0; b < v.blocks; b++) for (let j = 0; j < v.blockLen; j++) got.push(blockStart(v, g, b) + j);
    const want: number[] = [];
    for (let o = 0; o < 4; o++) for (let k = 0; k < 4; k++) want.push((o * 3 + g) * 4 + k);
    expect(got).toEqual(want);
  }
  expect(parts.b).toBe(c.bias);
});

test('constants through channelwise layers are what their forward pass gives', () => {
  const constant = (p: Layer, shape: number[], v: number) => run(p, new Float64Array(shape.reduce((a, b) => a * b, 1)).fill(v), 1, shape);
  const cases: Array<[PoolLayer, boolean]> = [
    [poolLayer('max', 1, [3, 3], { strides: [2, 2], pads: [1, 1] }), true],
    [poolLayer('avg', 1, [3, 3], { strides: [2, 2], pads: [1, 1] }), true],
    [poolLayer('avg', 1, [3, 3], { strides: [2, 2], pads: [1, 1], countIncludePad: true }), false],
    [poolLayer('avg', 1, [2, 2], { countIncludePad: true }), true],
  ];
  for (const [p, exact] of cases) {
    const c = layerType(p).constantThrough!(p, 0, 0.7);
    expect(c).toBe(exact ? 0.7 : null);
    if (exact) constant(p, [1, 5, 5], 0.7).forEach((y) => expect(y).toBeCloseTo(0.7, 12));
  }
  const bn = batchNormLayer(2);
  bn.gamma.set([0, 1.5]);
  bn.beta.set([0.3, -2]);
  const t = layerType(bn);
  expect(t.constantThrough!(bn, 0, null)).toBeCloseTo(0.3, 7);
  expect(t.constantThrough!(bn, 1, null)).toBeNull();
  const y = run(bn, Float64Array.from([0.4, 0.4, 2, 2]), 1, [2, 2]);
  expect(t.constantThrough!(bn, 1, 2)).toBeCloseTo(y[2], 12);
  expect(t.constantThrough!(bn, 0, 5)).toBeCloseTo(y[0], 12);
});

test('conv: a constant input folds into the bias exactly without padding, and is refused with it', () => {
  const c = convLayer(2, 3, [3, 3], rand32(3 * 2 * 9), rand32(3), { activation: null });
  const x = rand(2 * 6 * 6);
  x.fill(0.8, 36, 72); // input channel 1 constant
  const y = run(c, x, 1, [2, 6, 6]);
  const bias = Float64Array.from(c.bias);
  expect(layerType(c).foldInput!(c, 1, 0.8, bias)).toBe(true);
  const kept = layerType(c).keep(c, [0], [0, 1, 2], bias);
  // the kept layer's bias is float32 again
  expectClose(run(kept, x.slice(0, 36), 1, [1, 6, 6]), y, 6);
  const padded = convLayer(2, 3, [3, 3], c.weight.slice(), c.bias.slice(), { pads: [1, 1] });
  const b2 = Float64Array.from(padded.bias);
  expect(layerType(padded).foldInput!(padded, 1, 0.8, b2)).toBe(false);
  expect(Array.from(b2)).toEqual(Array.from(padded.bias));
});
