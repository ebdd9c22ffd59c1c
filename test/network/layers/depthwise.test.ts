/**
 * The depthwise convolution layer type (dkK[pP][sS]): its forward pass against a direct loop (2-D
 * padded and strided, 1-D), counts against the arch grammar, the layers engine's gradients against
 * central differences, a MobileNet-like net (conv, BN, depthwise, BN, ReLU6, pointwise) trained and
 * pruned (a channel whose filter is zero goes with its depthwise filter and the logits stay), and
 * ONNX export (Conv with group = C) that onnxruntime agrees with to 1e-5.
 */
import { parseArch } from '../../../src/network/arch';
import { initArchNetwork } from '../../../src/network/create-arch';
import { logits } from '../../../src/network/forward';
import type { ConvLayer } from '../../../src/network/layers/conv';
import { DEPTHWISE, depthwiseLayer, type DepthwiseLayer } from '../../../src/network/layers/depthwise';
import { layerMacs, layerParams, layerShapes } from '../../../src/network/layers/table';
import type { AnyLayer, Network } from '../../../src/network/types';
import { exportOnnx, readOnnxInfo } from '../../../src/onnx';
import { verifyOnnx } from '../../../src/onnx/verify';
import { trainToBudget } from '../../../src/pipeline/budget';
import { pruneNetwork } from '../../../src/prune';
import { shrinkNetwork } from '../../../src/prune/shrink';
import { toWorkingCopy } from '../../../src/prune/working-copy';
import { levelCosts, sizesOf } from '../../../src/train/budget/level-costs';
import { resolveTrainConfig } from '../../../src/train/config';
import { wasmPassAvailable } from '../../../src/train/fused/wasm-pass';
import { batchGradient, gradientBuffers, trainOp } from '../../../src/train/layers-engine';
import { DEPTHWISE_TRAIN } from '../../../src/train/layers-engine/ops/depthwise';
import { wasmDepthwiseTrainOp } from '../../../src/train/layers-engine/ops/depthwise-wasm';
import { trainNetwork } from '../../../src/train/train';
import { Rng } from '../../../src/util/rng';
import { quadrants, SIDE } from '../../train-layers/quadrants';
import { randomInputs, zeroFilter } from './cnn-fixtures';

/** y[c, i, j] = b[c] + sum_{u,v} w[c, u, v] x[c, i*s + u - p, j*s + v - p] (zero outside), written out. */
function directLoop(l: DepthwiseLayer, x: Float64Array, rows: number, inShape: number[]): number[] {
  const [C, H, W] = inShape.length === 3 ? inShape : [inShape[0], 1, inShape[1]];
  const [kh, kw] = l.kernel.length === 2 ? l.kernel : [1, l.kernel[0]];
  const [sh, sw] = l.strides.length === 2 ? l.strides : [1, l.strides[0]];
  const [ph, pw] = l.kernel.length === 2 ? [l.pads[0], l.pads[1]] : [0, l.pads[0]];
  const [qh, qw] = l.kernel.length === 2 ? [l.pads[2], l.pads[3]] : [0, l.pads[1]];
  const oh = Math.floor((H + ph + qh - kh) / sh) + 1;
  const ow = Math.floor((W + pw + qw - kw) / sw) + 1;
  const out: number[] = [];
  for (let r = 0; r < rows; r++)
    for (let c = 0; c < C; c++)
      for (let i = 0; i < oh; i++)
        for (let j = 0; j < ow; j++) {
          let s = l.bias[c];
          for (let u = 0; u < kh; u++)
            for (let v = 0; v < kw; v++) {
              const y = i * sh + u - ph;
              const xx = j * sw + v - pw;
              if (y < 0 || y >= H || xx < 0 || xx >= W) continue;
              s += l.weight[(c * kh + u) * kw + v] * x[((r * C + c) * H + y) * W + xx];
            }
          out.push(s);
        }
  return out;
}

describe('forward', () => {
  const rng = new Rng(3);
  const cases: { label: string; l: DepthwiseLayer; inShape: number[] }[] = [
    {
      label: '2-D, kernel 3, padding 1, stride 2',
      l: depthwiseLayer(
        3,
        [3, 3],
        Float32Array.from({ length: 27 }, () => rng.normal()),
        Float32Array.from([0.1, -0.2, 0.3]),
        {
          pads: [1, 1],
          strides: [2, 2],
          activation: null,
        },
      ),
      inShape: [3, 7, 6],
    },
    {
      label: '1-D, kernel 4, uneven padding',
      l: depthwiseLayer(
        2,
        [4],
        Float32Array.from({ length: 8 }, () => rng.normal()),
        Float32Array.from([0.5, -0.5]),
        {
          pads: [2, 1],
          activation: null,
        },
      ),
      inShape: [2, 9],
    },
  ];
  test.each(cases)('$label equals a direct loop', ({ l, inShape }) => {
    const rows = 2;
    const x = Float64Array.from({ length: rows * inShape.reduce((a, b) => a * b, 1) }, () => rng.normal());
    const y = DEPTHWISE.forward(l, x, rows, false, inShape);
    const want = directLoop(l, x, rows, inShape);
    expect(y.length).toBe(want.length);
    want.forEach((v, i) => expect(y[i]).toBeCloseTo(v, 10));
    // hidden: the activation (relu6 here) applies after it
    const act = { ...l, activation: { name: 'relu6' as const } };
    DEPTHWISE.forward(act, x, rows, true, inShape).forEach((v, i) => expect(v).toBeCloseTo(Math.min(6, Math.max(0, want[i])), 10));
  });
});

test('the arch token dkKpPsS: shapes, parameters and multiply-adds', () => {
  const arch = parseArch('c8k3p1-bn-dk3p1s2-bn-c12k1-bn-g', [1, 8, 8]);
  const dw = arch.layers.find((l) => l.op === 'depthwise');
  expect(dw).toMatchObject({ inShape: [8, 8, 8], outShape: [8, 4, 4], params: 8 * 9 + 8, macs: 8 * 4 * 4 * 9 });
  const net = initArchNetwork('c8k3p1-bn-dk3p1s2-bn-c12k1-bn-g', [1, 8, 8], 3, 1);
  expect(net.layers.map((l) => l.op)).toEqual([
    'conv',
    'batchnorm',
    'depthwise',
    'batchnorm',
    'conv',
    'batchnorm',
    'gap',
    'flatten',
    'dense',
  ]);
  expect((net.layers[2] as DepthwiseLayer).activation).toBeNull();
  expect(layerParams(net.layers)).toBe(arch.params + 12 * 3 + 3);
  expect(layerMacs(net.layers, [1, 8, 8])).toBe(arch.macs + 12 * 3);
  // --activation relu6 replaces every ReLU of the spec (the classifier stays linear)
  const six = initArchNetwork('c4k3p1-bn-dk3p1-f6', [1, 8, 8], 3, 1, { activation: { name: 'relu6' } });
  expect(six.layers.map((l) => ('activation' in l ? (l.activation?.name ?? '-') : ''))).toEqual(['-', 'relu6', 'relu6', '', 'relu6', '']);
  expect(() => parseArch('dk3-f4', [1, 8, 8])).not.toThrow();
  expect(() => parseArch('dk0', [1, 8, 8])).toThrow(/kernel 0/);
  expect(() => parseArch('f4-dk3', [1, 8, 8])).toThrow(/depthwise convolution after a dense layer/);
});

test('layers engine: gradients equal central differences (2-D and 1-D, relu6)', () => {
  for (const [spec, shape] of [
    ['c4k3p1-bn-dk3p1s2-bn-c5k1-f4', [2, 6, 6]],
    ['c3k3-dk3p2-c4k1-f4', [2, 10]],
  ] as [string, number[]][]) {
    const net = initArchNetwork(spec, shape, 3, 5);
    for (const l of net.layers) if ('activation' in l && l.activation && l.op !== 'dense') l.activation = { name: 'relu6' };
    const layers = net.layers;
    const shapes = layerShapes(layers, shape);
    const cols = shape.reduce((a, b) => a * b, 1);
    const rng = new Rng(2);
    const ROWS = 4;
    const x = Float64Array.from({ length: ROWS * cols }, () => rng.normal() * 3);
    const data = { y: Int32Array.from({ length: ROWS }, () => rng.int(3)) };
    const rows = Int32Array.from({ length: ROWS }, (_, i) => i);
    const gradsOf = () => gradientBuffers(layers);
    const grads = gradsOf();
    batchGradient(layers, shapes, x, ROWS, rows, data, grads);
    const loss = () => batchGradient(layers, shapes, x, ROWS, rows, data, gradsOf());
    let worst = 0;
    let checked = 0;
    layers.forEach((l, k) => {
      if (l.op !== 'depthwise') return;
      trainOp(l)
        .params(l)
        .forEach((buf, i) => {
          for (let j = 0; j < buf.length; j++) {
            const v = buf[j];
            buf[j] = v + 1e-4;
            const up = Math.fround(v + 1e-4) - v;
            const lp = loss();
            buf[j] = v - 1e-4;
            const down = v - Math.fround(v - 1e-4);
            const lm = loss();
            buf[j] = v;
            const fd = (lp - lm) / (up + down);
            const g = grads[k][i][j];
            worst = Math.max(worst, Math.abs(fd - g) / Math.max(1e-3, Math.abs(fd) + Math.abs(g)));
            checked++;
          }
        });
    });
    expect(checked).toBeGreaterThan(10);
    expect(worst).toBeLessThan(2e-3);
  }
});

function maxDiff(a: Network<AnyLayer>, b: Network<AnyLayer>, x: Float32Array, rows: number): number {
  const za = logits(a, x, rows);
  const zb = logits(b, x, rows);
  let worst = 0;
  za.forEach((v, i) => (worst = Math.max(worst, Math.abs(v - zb[i]))));
  return worst;
}

describe('a MobileNet-like block trained, pruned and exported', () => {
  const DATA = quadrants(320, 120, 4);
  const spec = 'c8k3p1-bn-dk3p1-bn-c12k1-bn-m2-dk3p1s2-c10k1-g';
  let trained: Network<AnyLayer>;

  beforeAll(async () => {
    const init = initArchNetwork(spec, [1, SIDE, SIDE], 4, 2, { classLabels: DATA.classLabels });
    for (const l of init.layers) if ('activation' in l && l.activation && l.op !== 'dense') l.activation = { name: 'relu6' };
    // engine fused: the WebAssembly convolution and batch norm kernels around the depthwise layer's TypeScript ones
    const cfg = resolveTrainConfig({ optimizer: 'adam', lr: 1e-2, epochs: 5, batchSize: 16, seed: 1, valFraction: 0, engine: 'fused' });
    const r = await trainNetwork(DATA, cfg, { init });
    trained = r.network;
    expect(r.history[r.history.length - 1].testAccuracy).toBeGreaterThanOrEqual(0.9);
  });

  test('zeroing a channel of the first convolution removes it, its batch norm entries and its depthwise filter; logits stay', () => {
    const net: Network<AnyLayer> = { ...trained, layers: trained.layers.map((l) => ({ ...l })) };
    const c1 = {
      ...(net.layers[0] as ConvLayer),
      weight: (net.layers[0] as ConvLayer).weight.slice(),
      bias: (net.layers[0] as ConvLayer).bias.slice(),
    };
    net.layers[0] = c1;
    // channel 3 dies: a zero filter of the first convolution (its batch norm then outputs a constant that the
    // padded depthwise convolution would not pass exactly) and a zero depthwise filter (the channel is then
    // relu6(its depthwise bias) everywhere, folded into the 1x1 convolution's bias)
    zeroFilter(c1, 3, 0);
    const dw = { ...(net.layers[2] as DepthwiseLayer) };
    dw.weight = dw.weight.slice();
    dw.bias = dw.bias.slice();
    dw.weight.fill(0, 3 * 9, 4 * 9);
    net.layers[2] = dw;
    const x = randomInputs(net, 40, 9);
    const before = maxDiff(trained, net, x, 40);
    expect(before).toBeGreaterThan(0); // the edit changed the network (the test below compares with the edited one)
    const { network: pruned } = pruneNetwork(net);
    const pc1 = pruned.layers[0] as ConvLayer;
    const pdw = pruned.layers[2] as DepthwiseLayer;
    expect(pc1.cout).toBe(7);
    expect(pdw.channels).toBe(7);
    expect(pdw.weight.length).toBe(7 * 9);
    // the kept filters are the original ones of channels 0, 1, 2, 4, ...
    expect(Array.from(pdw.weight.subarray(3 * 9, 4 * 9))).toEqual(Array.from(dw.weight.subarray(4 * 9, 5 * 9)));
    expect((pruned.layers[4] as ConvLayer).cin).toBe(7);
    expect(maxDiff(net, pruned, x, 40)).toBeLessThan(1e-4);
  });

  test('ONNX export (Conv with group = C, Clip for relu6) equals the forward pass in onnxruntime to 1e-5, pruned too', async () => {
    const bytes = exportOnnx(trained, { producerVersion: 'test' });
    const nodes = readOnnxInfo(bytes, 'm').nodes.map((n) => n.op);
    expect(nodes).toContain('Clip');
    const v = await verifyOnnx({ onnx: bytes, reference: trained, features: DATA.test.features, rows: DATA.test.rows });
    expect(v.maxProbDiff).toBeLessThan(1e-5);
    expect(v.ok).toBe(true);
    const pruned = pruneNetwork(trained).network;
    const w = await verifyOnnx({
      onnx: exportOnnx(pruned, { producerVersion: 'test' }),
      reference: pruned,
      features: DATA.test.features,
      rows: DATA.test.rows,
    });
    expect(w.maxProbDiff).toBeLessThan(1e-5);
  });
});

describe('channel budgets on a depthwise network', () => {
  const ARCH = 'c6k3p1-bn-dk3p1-bn-c8k1-bn-m2-dk3p1s2-c7k1-g';

  test("a channel's cost counts its depthwise filter and multiply-adds, as the layer table does", () => {
    const n = initArchNetwork(ARCH, [1, SIDE, SIDE], 4, 1);
    const c = levelCosts(n);
    expect(c.widths).toEqual([1, 6, 8, 7, 4]);
    const rng = new Rng(4);
    const w = [...c.widths];
    let size = sizesOf(n);
    for (let step = 0; step < 12; step++) {
      const open = [1, 2, 3].filter((h) => w[h] > 1);
      const h = open[rng.int(open.length)];
      const cost = c.cost(h, w);
      w[h]--;
      size = { params: size.params - cost.params, macs: size.macs - cost.macs };
      const work = toWorkingCopy(n);
      const alive = work.sizes.map((s, k) => new Uint8Array(s).fill(1, 0, w[k]));
      expect(sizesOf(shrinkNetwork(n, work, alive).network)).toEqual(size);
    }
  });

  test('trainToBudget meets a multiply-add budget and the network still classifies', async () => {
    const data = { ...quadrants(400, 200, 11), inputShape: [1, SIDE, SIDE] };
    const cfg = { arch: ARCH, optimizer: 'adam', lr: 1e-2, epochs: 5, batchSize: 32, seed: 1, valFraction: 0 } as const;
    const b = await trainToBudget(data, cfg, { targetMacsRatio: 0.4, finetuneEpochs: 2 });
    const final = sizesOf(b.result.network);
    expect(final.macs).toBeLessThanOrEqual(b.targetMacs as number);
    const result = b.result.network as unknown as Network<AnyLayer>;
    const dws = result.layers.filter((l): l is DepthwiseLayer => l.op === 'depthwise');
    const sizes = toWorkingCopy(result).sizes;
    expect(dws.map((l) => l.channels)).toEqual([sizes[1], sizes[2]]);
    expect(b.result.history[b.result.history.length - 1].testAccuracy).toBeGreaterThan(0.6);
  });
});

test('the WebAssembly depthwise training op equals the TypeScript one (forward, weight, bias and input gradients)', () => {
  if (!wasmPassAvailable()) return;
  const rng = new Rng(12);
  const l = depthwiseLayer(
    5,
    [3, 3],
    Float32Array.from({ length: 45 }, () => rng.normal()),
    Float32Array.from({ length: 5 }, () => rng.normal()),
    {
      pads: [1, 0, 2, 1],
      strides: [2, 1],
      activation: { name: 'relu6' },
    },
  );
  const inShape = [5, 7, 6];
  const rows = 3;
  const x = Float64Array.from({ length: rows * 5 * 7 * 6 }, () => rng.normal() * 3);
  const ops = [DEPTHWISE_TRAIN, wasmDepthwiseTrainOp(DEPTHWISE_TRAIN, 4)];
  const out = ops.map((op) => {
    const f = op.forward(l, x, rows, true, inShape, true);
    const dy = Float64Array.from(f.y, (_, i) => Math.sin(i));
    const grads = [new Float32Array(45), new Float32Array(5)];
    const dx = op.backward(l, f.cache, dy, rows, inShape, grads, true) as Float64Array;
    return { y: Array.from(f.y), dx: Array.from(dx), dw: Array.from(grads[0]), db: Array.from(grads[1]) };
  });
  for (const k of ['y', 'dx', 'dw', 'db'] as const) {
    expect(out[1][k].length).toBe(out[0][k].length);
    out[0][k].forEach((v, i) => expect(Math.abs(out[1][k][i] - v)).toBeLessThan(1e-4 * (1 + Math.abs(v))));
  }
});
