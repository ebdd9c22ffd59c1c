/**
 * Importing convolutional networks as torch.onnx.export writes them (test/fixtures/import, made by
 * `scripts/make-import-fixtures.py cnn`): each fixture imports into the layer types it holds and
 * matches its original in onnxruntime to 1e-5 on random rows (a perturbed network does not); its
 * ONNX export keeps the original's interface and matches too, as does its pruned form; residual
 * blocks (an identity skip, a small ResNet with batch norm folded and kept) import as save/shortcut/add
 * layers, joins (a Fire module, a DenseNet join, an Inception block, torchvision's DenseNet whose
 * layers concatenate every earlier tensor) as save/shortcut/concat layers; SqueezeNet's convolutional
 * head with an identity dense layer appended for the logits; nn.SiLU read from x * Sigmoid(x); a grouped (not depthwise) convolution, a Resize and two inputs are refused by name, and `import` then
 * writes nothing.
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { importModel } from '../../src/import';
import { predictProba } from '../../src/network/forward';
import { exportOnnx, runOnnx } from '../../src/onnx';
import { checkImport, dataCheckRows, randomCheckRows, randomRows, runOriginal } from '../../src/pipeline/import-check';
import { initArchNetwork } from '../../src/network/create-arch';
import { multiplyAdds } from '../../src/network/create';
import { pruneNetwork } from '../../src/prune';
import { runCli } from '../helpers/cli';

const fx = (f: string) => path.join(__dirname, '..', 'fixtures', 'import', f);
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'gs-cnn-import-'));
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

const CASES: [string, { ops: string; shape: number[]; scaled: boolean; output: string; io: number[] }][] = [
  [
    'torch-cnn-bn-folded.onnx',
    { ops: 'conv,pool,conv,pool,flatten,dense,dense', shape: [3, 12, 12], scaled: true, output: 'logits', io: [3, 12, 12] },
  ],
  [
    'torch-cnn-bn-kept.onnx',
    {
      ops: 'conv,batchnorm,pool,conv,batchnorm,pool,flatten,dense,dense',
      shape: [3, 12, 12],
      scaled: true,
      output: 'logits',
      io: [3, 12, 12],
    },
  ],
  [
    'torch-cnn-pool-variants.onnx',
    { ops: 'conv,pool,conv,pool,conv,pool,flatten,dense', shape: [1, 13, 13], scaled: false, output: 'log-softmax', io: [1, 13, 13] },
  ],
  ['torch-conv1d-gap.onnx', { ops: 'conv,conv,gap,flatten,dense', shape: [2, 30], scaled: false, output: 'softmax', io: [2, 30] }],
  ['torch-cnn-mean-spatial.onnx', { ops: 'conv,gap,flatten,dense', shape: [1, 8, 8], scaled: false, output: 'logits', io: [1, 8, 8] }],
  ['torch-cnn-flat-input.onnx', { ops: 'conv,pool,flatten,dense', shape: [1, 8, 8], scaled: true, output: 'logits', io: [64] }],
  ['torch-conv1d-flatten.onnx', { ops: 'conv,flatten,dense', shape: [1, 6], scaled: false, output: 'logits', io: [1, 6] }],
  ['torch-reshape-conv1d.onnx', { ops: 'conv,flatten,dense', shape: [1, 6], scaled: false, output: 'logits', io: [6] }],
  [
    'torch-cnn-residual-identity.onnx',
    { ops: 'conv,save,conv,add,flatten,dense', shape: [1, 8, 8], scaled: false, output: 'logits', io: [1, 8, 8] },
  ],
  [
    'torch-resnet-bn-folded.onnx',
    {
      ops: 'conv,save,conv,conv,add,save,conv,conv,shortcut,conv,add,gap,flatten,dense',
      shape: [1, 10, 10],
      scaled: false,
      output: 'logits',
      io: [1, 10, 10],
    },
  ],
  [
    'torch-resnet-bn-kept.onnx',
    {
      ops: 'conv,batchnorm,save,conv,batchnorm,conv,batchnorm,add,save,conv,batchnorm,conv,batchnorm,shortcut,conv,batchnorm,add,gap,flatten,dense',
      shape: [1, 10, 10],
      scaled: false,
      output: 'logits',
      io: [1, 10, 10],
    },
  ],
  [
    // a Fire module's two expands, then DenseNet's join of the pooled tensor itself with a convolution of it
    'torch-cnn-fire-dense-concat.onnx',
    {
      ops: 'conv,conv,save,conv,shortcut,conv,concat,pool,save,shortcut,conv,concat,flatten,dense',
      shape: [1, 8, 8],
      scaled: false,
      output: 'logits',
      io: [1, 8, 8],
    },
  ],
  [
    // one convolution on two branches: torch writes its weights through Identity nodes of the initializers
    'torch-cnn-shared-conv-concat.onnx',
    {
      ops: 'conv,save,conv,shortcut,pool,conv,concat,flatten,dense',
      shape: [1, 8, 8],
      scaled: false,
      output: 'logits',
      io: [1, 8, 8],
    },
  ],
  [
    'torch-inception-bn-folded.onnx',
    {
      ops: 'conv,save,conv,shortcut,save,conv,conv,concat,shortcut,pool,conv,concat,gap,flatten,dense',
      shape: [1, 8, 8],
      scaled: false,
      output: 'logits',
      io: [1, 8, 8],
    },
  ],
  [
    // torchvision's DenseNet: each dense layer concatenates every earlier tensor (Concat(x0), Concat(x0, f1),
    // Concat(x0, f1, f2)), read as a chain of DenseNet joins [h, f(h)]; the batch norm after each join stays
    // (the exporter folds the ones after a convolution)
    'torchvision-densenet-small.onnx',
    {
      ops: [
        'conv,pool',
        ...[0, 1].flatMap((b) => [
          ...[0, 1].map(() => 'save,shortcut,batchnorm,conv,conv,concat'),
          b === 0 ? 'batchnorm,conv,pool' : 'batchnorm,gap,flatten,dense',
        ]),
      ].join(','),
      shape: [1, 16, 16],
      scaled: false,
      output: 'logits',
      io: [1, 16, 16],
    },
  ],
  [
    // nn.SiLU after convolutions (batch norm folded by the exporter) and after a Linear layer: x * Sigmoid(x)
    'torch-cnn-silu.onnx',
    { ops: 'conv,pool,conv,gap,flatten,dense,dense', shape: [1, 10, 10], scaled: false, output: 'logits', io: [1, 10, 10] },
  ],
  [
    // SqueezeNet's head: a 1x1 convolution of one channel per class, ReLU, global pooling, no Linear layer
    'torch-squeezenet-head.onnx',
    {
      ops: 'conv,pool,conv,save,conv,shortcut,conv,concat,conv,gap,flatten,dense',
      shape: [1, 16, 16],
      scaled: false,
      output: 'logits',
      io: [1, 16, 16],
    },
  ],
  [
    'torch-inception-bn-kept.onnx',
    {
      ops: 'conv,batchnorm,save,conv,batchnorm,shortcut,save,conv,batchnorm,conv,batchnorm,concat,shortcut,pool,conv,batchnorm,concat,gap,flatten,dense',
      shape: [1, 8, 8],
      scaled: false,
      output: 'logits',
      io: [1, 8, 8],
    },
  ],
];

describe.each(CASES)('import %s', (file, want) => {
  const m = importModel(fx(file));
  const net = m.network;

  test('reads the layers, the example shape, the scaling and the output form', () => {
    expect(net.layers.map((l) => l.op).join(',')).toBe(want.ops);
    expect(net.inputShape).toEqual(want.shape);
    expect(net.scaling !== null).toBe(want.scaled);
    expect(m.outputForm).toBe(want.output);
    expect(net.io?.inputShape).toEqual(want.io);
  });

  test('matches the original on random rows to 1e-5, and a perturbed network does not', async () => {
    const x = randomRows(net, 200, 7);
    const c = await checkImport(m, x, 200);
    expect(c.maxProbabilityDiff).toBeLessThanOrEqual(1e-5);
    expect(c.labelDisagreements).toBe(0);
    expect(c.passed).toBe(true);
    const layers = net.layers.map((l) => (l.op === 'conv' ? { ...l, bias: l.bias.map((b) => b + 0.2) } : l));
    expect((await checkImport({ ...m, network: { ...net, layers } }, x, 200)).passed).toBe(false);
  });

  test("its ONNX export keeps the original's interface and matches it; so does its pruned form", async () => {
    const x = randomRows(net, 64, 3);
    const orig = await runOriginal(m.original, x, 64);
    const out = await runOnnx(exportOnnx(net, { producerVersion: 'test' }), x, 64, net.inputWidth);
    let worst = 0;
    orig.probabilities.forEach((p, i) => (worst = Math.max(worst, Math.abs(out.probabilities[i] - p))));
    expect(worst).toBeLessThanOrEqual(1e-5);
    const ps = predictProba(pruneNetwork(net).network, x, 64);
    worst = 0;
    orig.probabilities.forEach((p, i) => (worst = Math.max(worst, Math.abs(ps[i] - p))));
    expect(worst).toBeLessThanOrEqual(1e-5);
  });
});

describe('refusals name the first unsupported node and write nothing', () => {
  test.each([
    [
      'refuse-grouped-conv.onnx',
      /node "\/2\/Conv" \(Conv\) is a grouped convolution \(group 2, 8 filters of 2 channels on 4\): only group 1 and depthwise/,
    ],
    [
      'refuse-resize.onnx',
      /node "\/Resize" \(Resize\) is not supported: gs-compress imports chains of convolutional and fully connected layers \(Conv/,
    ],
    ['refuse-two-inputs.onnx', /the graph has 2 inputs \(a, b\); gs-compress imports models with one feature input/],
  ])('%s', async (file, message) => {
    expect(() => importModel(fx(file))).toThrow(message);
    const out = path.join(tmp, file);
    const r = await runCli(['import', fx(file), '--out', out]);
    expect(r.code).not.toBe(0);
    expect(r.err).toMatch(message);
    expect(r.err).not.toMatch(/at .*\.ts:\d+/);
    expect(fs.existsSync(out)).toBe(false);
  });
});

test('gs-compress import of a CNN writes a run that lists its layers', async () => {
  const out = path.join(tmp, 'run-cnn');
  const r = await runCli(['import', fx('torch-cnn-bn-kept.onnx'), '--out', out]);
  expect(r.err).not.toMatch(/^error/m);
  expect(r.code).toBe(0);
  expect(r.out).toMatch(/imported .*torch-cnn-bn-kept\.onnx \(onnx, pytorch/);
  expect(fs.existsSync(path.join(out, 'gs-run.json'))).toBe(true);
});

test('every CNN fixture also matches its original in onnxruntime-web', async () => {
  const saved = process.env.GS_COMPRESS_ORT;
  process.env.GS_COMPRESS_ORT = 'web';
  try {
    for (const [file] of CASES) {
      const m = importModel(fx(file));
      const x = randomRows(m.network, 64, 5);
      const c = await checkImport(m, x, 64);
      expect([file, c.maxProbabilityDiff <= 1e-5, c.labelDisagreements]).toEqual([file, true, 0]);
      const out = await runOnnx(exportOnnx(m.network, { producerVersion: 'test' }), x, 64, m.network.inputWidth, { runtime: 'web' });
      const orig = await runOriginal(m.original, x, 64);
      let worst = 0;
      orig.probabilities.forEach((p, i) => (worst = Math.max(worst, Math.abs(out.probabilities[i] - p))));
      expect([file, worst <= 1e-5]).toEqual([file, true]);
    }
  } finally {
    if (saved === undefined) delete process.env.GS_COMPRESS_ORT;
    else process.env.GS_COMPRESS_ORT = saved;
  }
});

test('a file gs-compress wrote (label and probabilities outputs) imports again, CNN and MLP, and matches it', async () => {
  for (const [name, net] of [
    ['ours-cnn.onnx', importModel(fx('torch-inception-bn-kept.onnx')).network],
    ['ours-mlp.onnx', importModel(fx('torch-relu.onnx')).network],
  ] as const) {
    const file = path.join(tmp, name);
    fs.writeFileSync(file, exportOnnx(net, { producerVersion: 'test', io: null }));
    const m = importModel(file);
    expect(m.outputForm).toBe('softmax');
    expect(m.network.io?.outputName).toBe('probabilities');
    expect(m.network.layers.map((l) => l.op)).toEqual(net.layers.map((l) => l.op).filter((op) => op !== 'batchnorm'));
    const x = randomRows(m.network, 64, 8);
    const c = await checkImport(m, x, 64);
    expect([name, c.maxProbabilityDiff <= 1e-5, c.labelDisagreements]).toEqual([name, true, 0]);
  }
});

test('the import check runs on 256 random rows (data rows: all), fewer for a network of many multiply-adds (its float64 reference pass)', () => {
  const small = importModel(fx('torchvision-densenet-small.onnx')).network;
  expect(randomCheckRows(small)).toBe(256);
  // 64 x 64 images through two 64-channel convolutions: about 158 million multiply-adds per row
  const big = initArchNetwork('c64k3p1-c64k3p1-g-f10', [3, 64, 64], 10, 1);
  expect(multiplyAdds(big)).toBeGreaterThan(1.5e8);
  expect(randomCheckRows(big)).toBe(16);
  const mid = initArchNetwork('c32k3p1-c32k3p1-g-f10', [3, 32, 32], 10, 1);
  expect(randomCheckRows(mid)).toBe(Math.floor(2e9 / multiplyAdds(mid)));
  expect(randomCheckRows(mid)).toBeLessThan(256);
  // data rows: the same budget, not 256
  expect(dataCheckRows(small, 10000)).toBe(Math.min(10000, Math.floor(2e9 / multiplyAdds(small))));
  expect(dataCheckRows(small, 300)).toBe(300);
  expect(dataCheckRows(big, 10000)).toBe(16);
});
