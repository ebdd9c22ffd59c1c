/**
 * The --arch grammar (src/network/arch.ts): presets and tokens resolved against the input shape,
 * shapes, parameters and multiply-adds of lenet5, lenet5-caffe and the Fashion-MNIST net against
 * hand counts (the same totals cnn_prune_peer.py's build() prints: 44,426 / 281,640; 431,080 /
 * 2,293,000; 207,018 / 1,218,048 with batch norm), activation placement as the peer's
 * (conv -> bn -> relu), 1-D inputs, stride and padding, and the errors: bad tokens, bn not after a
 * convolution, spatial sizes below 1, spatial layers on flat inputs, input-shape mismatches.
 */
import { GsError } from '../../src/errors';
import { archCounts, ARCH_PRESETS, checkInputShape, parseArch, parseInputShape } from '../../src/network/arch';

const MNIST = [1, 28, 28];

/** Hand count of a conv: parameters (weights + bias) and MACs (weights * output positions). */
const conv = (cin: number, cout: number, k: number, outH: number, outW: number): { params: number; macs: number } => ({
  params: cout * cin * k * k + cout,
  macs: cout * cin * k * k * outH * outW,
});
const dense = (i: number, o: number): { params: number; macs: number } => ({ params: i * o + o, macs: i * o });
const total = (...parts: { params: number; macs: number }[]): { params: number; macs: number } => ({
  params: parts.reduce((a, p) => a + p.params, 0),
  macs: parts.reduce((a, p) => a + p.macs, 0),
});

describe('presets on 1x28x28', () => {
  test('lenet5: shapes 6x24x24 -> 6x12x12 -> 16x8x8 -> 16x4x4 -> 256 -> 120 -> 84; counts by hand', () => {
    const a = parseArch('lenet5', MNIST);
    expect(a.expanded).toBe('c6k5-m2-c16k5-m2-f120-f84');
    expect(a.layers.map((l) => [l.op, l.outShape])).toEqual([
      ['conv', [6, 24, 24]],
      ['maxpool', [6, 12, 12]],
      ['conv', [16, 8, 8]],
      ['maxpool', [16, 4, 4]],
      ['flatten', [256]],
      ['dense', [120]],
      ['dense', [84]],
    ]);
    const hand = total(conv(1, 6, 5, 24, 24), conv(6, 16, 5, 8, 8), dense(256, 120), dense(120, 84), dense(84, 10));
    expect(archCounts(a, 10)).toEqual(hand);
    expect(hand).toEqual({ params: 44426, macs: 281640 });
    expect(a.outputShape).toEqual([84]);
  });

  test('lenet5-caffe: 431,080 parameters with a 10-class classifier, 2,293,000 MACs', () => {
    const a = parseArch('lenet5-caffe', MNIST);
    expect(a.layers.map((l) => l.outShape)).toEqual([[20, 24, 24], [20, 12, 12], [50, 8, 8], [50, 4, 4], [800], [500]]);
    const hand = total(conv(1, 20, 5, 24, 24), conv(20, 50, 5, 8, 8), dense(800, 500), dense(500, 10));
    expect(archCounts(a, 10)).toEqual(hand);
    expect(archCounts(a, 10).params).toBe(431080);
    // 288,000 + 1,600,000 + 400,000 + 5,000
    expect(archCounts(a, 10).macs).toBe(2293000);
    expect(a.layers.map((l) => l.macs)).toEqual([288000, 0, 1600000, 0, 0, 400000]);
  });

  test('the Fashion-MNIST net with bn: conv -> bn -> relu, 207,018 parameters, 1,218,048 MACs', () => {
    const a = parseArch('c16k3p1-bn-m2-c32k3p1-bn-m2-f128', MNIST);
    expect(a.layers.map((l) => l.op)).toEqual(['conv', 'batchnorm', 'maxpool', 'conv', 'batchnorm', 'maxpool', 'flatten', 'dense']);
    expect(a.layers.map((l) => l.outShape)).toEqual([
      [16, 28, 28],
      [16, 28, 28],
      [16, 14, 14],
      [32, 14, 14],
      [32, 14, 14],
      [32, 7, 7],
      [1568],
      [128],
    ]);
    const hand = total(
      conv(1, 16, 3, 28, 28),
      { params: 32, macs: 0 },
      conv(16, 32, 3, 14, 14),
      { params: 64, macs: 0 },
      dense(1568, 128),
      dense(128, 10),
    );
    expect(archCounts(a, 10)).toEqual(hand);
    expect(hand).toEqual({ params: 207018, macs: 1218048 });
    const acts = a.layers.map((l) => ('activation' in l ? (l.activation?.name ?? null) : '-'));
    expect(acts).toEqual([null, 'relu', '-', null, 'relu', '-', '-', 'relu']);
    // the peer's preset 'fashion' is the same net without batch norm
    const f = parseArch('fashion', MNIST);
    expect(f.expanded).toBe(ARCH_PRESETS.fashion);
    expect(archCounts(f, 10)).toEqual({ params: hand.params - 96, macs: hand.macs });
    expect(f.layers.filter((l) => l.op === 'conv').map((l) => (l.op === 'conv' ? l.activation : null))).toEqual([
      { name: 'relu' },
      { name: 'relu' },
    ]);
  });
});

describe('tokens', () => {
  test('padding and stride: c8k3p1s2 on 1x28x28 gives 8x14x14; defaults p0 s1', () => {
    const a = parseArch('c8k3p1s2-c4k3s2-c2k3p2', MNIST);
    const convs = a.layers.filter((l) => l.op === 'conv');
    expect(convs.map((l) => l.outShape)).toEqual([
      [8, 14, 14],
      [4, 6, 6],
      [2, 8, 8],
    ]);
    expect(convs.map((l) => (l.op === 'conv' ? [l.pad, l.stride] : []))).toEqual([
      [1, 2],
      [0, 2],
      [2, 1],
    ]);
    expect(a.layers[a.layers.length - 1]).toMatchObject({ op: 'flatten', outShape: [128] });
  });

  test('average pooling, global average pooling and a trailing flatten', () => {
    const a = parseArch('c4k3-a2-c6k3-g', [3, 16, 16]);
    expect(a.layers.map((l) => [l.op, l.outShape])).toEqual([
      ['conv', [4, 14, 14]],
      ['avgpool', [4, 7, 7]],
      ['conv', [6, 5, 5]],
      ['globalavgpool', [6, 1, 1]],
      ['flatten', [6]],
    ]);
    expect(archCounts(a, 3)).toEqual(total(conv(3, 4, 3, 14, 14), conv(4, 6, 3, 5, 5), dense(6, 3)));
  });

  test('1-D follows a C,L input: kernels, pools and global pooling act along L', () => {
    const a = parseArch('c8k5p2-bn-m2-c16k3s2-g-f32', [2, 40]);
    expect(a.layers.map((l) => [l.op, l.outShape])).toEqual([
      ['conv', [8, 40]],
      ['batchnorm', [8, 40]],
      ['maxpool', [8, 20]],
      ['conv', [16, 9]],
      ['globalavgpool', [16, 1]],
      ['flatten', [16]],
      ['dense', [32]],
    ]);
    expect(a.layers[0]).toMatchObject({ params: 8 * 2 * 5 + 8, macs: 8 * 2 * 5 * 40 });
    expect(a.layers[3]).toMatchObject({ params: 16 * 8 * 3 + 16, macs: 16 * 8 * 3 * 9 });
  });

  test('a dense-only spec works on flat rows (the MLP shorthand)', () => {
    const a = parseArch('f300-f100', [784]);
    expect(a.layers.map((l) => l.op)).toEqual(['dense', 'dense']);
    expect(archCounts(a, 10)).toEqual(total(dense(784, 300), dense(300, 100), dense(100, 10)));
    expect(parseArch('f10', [1, 4, 4]).layers.map((l) => l.op)).toEqual(['flatten', 'dense']);
  });
});

describe('errors', () => {
  const bad = (spec: string, shape: number[], re: RegExp): void => {
    let err: unknown;
    try {
      parseArch(spec, shape);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(GsError);
    expect((err as GsError).message).toMatch(re);
  };

  test('bad tokens are named with the grammar', () => {
    bad('c6k5-x3', MNIST, /token 2 'x3' is not understood; expected a preset .*cNkK\[pP\]\[sS\]/);
    bad('C6K5', MNIST, /token 1 'C6K5'/);
    bad('c6k5p1s', MNIST, /'c6k5p1s'/);
    bad('c6s2k5', MNIST, /'c6s2k5'/);
    bad('c6k5--m2', MNIST, /token 2 ''/);
    bad('', MNIST, /token 1 ''/);
    bad('lenet', MNIST, /token 1 'lenet'/);
    bad('constructor', MNIST, /token 1 'constructor' is not understood/);
    bad('toString', MNIST, /token 1 'toString'/);
    bad('c0k5', MNIST, /'c0k5' has channels 0, expected an integer >= 1/);
    bad('c6k5-m0', MNIST, /'m0' has size 0/);
    bad('c6k5s0', MNIST, /'c6k5s0' has stride 0/);
  });

  test('bn not right after a convolution', () => {
    bad('bn-c6k5', MNIST, /layer 1 \(bn\): bn must come right after a convolution .*not first/);
    bad('c6k5-m2-bn', MNIST, /layer 3 \(bn\): .*not after 'm2'/);
    bad('c6k5-bn-bn', MNIST, /layer 3 \(bn\): .*not after 'bn'/);
    bad('f10-bn', MNIST, /not after 'f10'/);
  });

  test('a spatial size below 1 names the layer and the sizes', () => {
    bad('lenet5', [1, 12, 12], /--arch lenet5, layer 3 \(c16k5\): input 4x4 \(padded 4x4\) is smaller than its window 5x5/);
    bad('c6k5-m2-m2-m2-m2-m2', MNIST, /layer 6 \(m2\): input 1x1 .*window 2x2/);
    bad('c4k9', [1, 8], /layer 1 \(c4k9\): input 8 .*window 9/);
  });

  test('spatial layers on flat input or after a dense layer', () => {
    bad(
      'c6k5',
      [784],
      /layer 1 \(c6k5\): a convolution needs an image \(C,H,W\) or sequence \(C,L\) input, but the input is 784 \(give --input-shape\)/,
    );
    bad('f10-m2', MNIST, /layer 2 \(m2\): pooling after a dense layer/);
    bad('c6k5', [1, 0, 28], /input shape 1,0,28 is not C,H,W/);
  });

  test('--input-shape: parsing and a mismatch with the data', () => {
    expect(parseInputShape('1,28,28')).toEqual([1, 28, 28]);
    expect(parseInputShape(' 3 , 100 ')).toEqual([3, 100]);
    for (const t of ['', '1,28,28,1', '1,x,28', '1,0,28', '1.5,2', '-1,4']) {
      expect(() => parseInputShape(t)).toThrow(/expected C,H,W \(images\), C,L \(sequences\) or F/);
    }
    expect(() => checkInputShape([1, 28, 28], 784, 'train.csv')).not.toThrow();
    expect(() => checkInputShape([3, 28, 28], 784, 'train.csv')).toThrow(
      /--input-shape 3,28,28 holds 2352 values per example, but train.csv has 784/,
    );
  });
});
