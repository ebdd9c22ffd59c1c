/**
 * Graph forms of real torch.onnx.export CNN exports beyond the basic chain (test/fixtures/import,
 * made by scripts/make-import-fixtures.py cnn-trained, trained models): x.view(x.size(0), -1) as
 * Shape/Gather/Unsqueeze/Concat/Reshape, ZeroPad2d with a dynamic batch (its pads computed by a
 * ConstantOfShape/Concat/Reshape/Slice/Transpose/Cast subgraph), a ceil-mode MaxPool, GELU in its
 * Erf form after a convolution, x.mean(dim=(2, 3)), Conv1d with BatchNorm1d (folded by the export), ReLU6 as
 * Clip(0, 6), MobileNet-style depthwise (Conv group = C) + pointwise blocks with batch norm folded and kept: each
 * imports and equals its original to 1e-5 in probabilities in onnxruntime-node and -web (its export too); a Conv1d ->
 * Transpose -> LSTM is refused naming the LSTM, a Hardtanh(-1, 1) naming its Clip and its range.
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { runCli as run } from '../helpers/cli';
import { importModel } from '../../src/import';
import { exportOnnx, runOnnx } from '../../src/onnx';
import { checkImport, randomRows, runOriginal } from '../../src/pipeline/import-check';

const FIX = path.join(__dirname, '..', 'fixtures', 'import');
const fx = (f: string) => path.join(FIX, f);
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'gs-cnn-exporter-'));
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

const layersOf = (file: string): string =>
  importModel(fx(file))
    .network.layers.map((l) => l.op + ('activation' in l && l.activation ? `:${l.activation.name}` : ''))
    .join(' ');

const CASES: [string, { layers: string; input: number[]; shape: number[]; form: string }][] = [
  ['torch-cnn-view-flatten.onnx', { layers: 'conv:relu pool flatten dense', input: [64], shape: [1, 8, 8], form: 'logits' }],
  [
    'torch-cnn-zeropad-ceil.onnx',
    { layers: 'conv:relu pool conv:relu pool flatten dense', input: [1, 8, 8], shape: [1, 8, 8], form: 'log-softmax' },
  ],
  ['torch-cnn-gelu-mean.onnx', { layers: 'conv:gelu conv gap flatten dense', input: [1, 8, 8], shape: [1, 8, 8], form: 'logits' }],
  ['torch-cnn-conv1d-bn.onnx', { layers: 'conv:leaky_relu pool conv:relu flatten dense', input: [2, 16], shape: [2, 16], form: 'logits' }],
  ['torch-cnn-relu6.onnx', { layers: 'conv:relu6 pool conv:relu6 flatten dense', input: [1, 8, 8], shape: [1, 8, 8], form: 'logits' }],
  [
    'torch-mobilenet-bn-folded.onnx',
    {
      layers: 'conv:relu6 depthwise:relu6 conv:relu6 pool depthwise:relu6 conv:relu6 gap flatten dense',
      input: [1, 8, 8],
      shape: [1, 8, 8],
      form: 'logits',
    },
  ],
  [
    'torch-mobilenet-bn-kept.onnx',
    {
      layers:
        'conv batchnorm:relu6 depthwise batchnorm:relu6 conv batchnorm:relu6 pool depthwise batchnorm:relu6 conv batchnorm:relu6 gap flatten dense',
      input: [1, 8, 8],
      shape: [1, 8, 8],
      form: 'logits',
    },
  ],
];

describe.each(CASES)('%s', (file, want) => {
  test('imports the layers and keeps the input interface', () => {
    const m = importModel(fx(file));
    expect(layersOf(file)).toBe(want.layers);
    expect(m.network.io?.inputShape).toEqual(want.input);
    expect(m.network.inputShape).toEqual(want.shape);
    expect(m.outputForm).toBe(want.form);
    expect(m.network.scaling).not.toBeNull();
  });

  test('equals the original in onnxruntime to 1e-5 (probabilities)', async () => {
    const m = importModel(fx(file));
    const c = await checkImport(m, randomRows(m.network, 128, 4), 128);
    expect(c.maxProbabilityDiff).toBeLessThanOrEqual(1e-5);
    expect(c.labelDisagreements).toBe(0);
    expect(c.passed).toBe(true);
  });

  test('equals the original in onnxruntime-web too, and so does its export', async () => {
    const saved = process.env.GS_COMPRESS_ORT;
    process.env.GS_COMPRESS_ORT = 'web';
    try {
      const m = importModel(fx(file));
      const x = randomRows(m.network, 64, 5);
      const c = await checkImport(m, x, 64);
      expect([c.maxProbabilityDiff <= 1e-5, c.labelDisagreements]).toEqual([true, 0]);
      const out = await runOnnx(exportOnnx(m.network, { producerVersion: 'test' }), x, 64, m.network.inputWidth, { runtime: 'web' });
      const orig = await runOriginal(m.original, x, 64);
      const worst = orig.probabilities.reduce((w, p, i) => Math.max(w, Math.abs(out.probabilities[i] - p)), 0);
      expect(worst).toBeLessThanOrEqual(1e-5);
    } finally {
      if (saved === undefined) delete process.env.GS_COMPRESS_ORT;
      else process.env.GS_COMPRESS_ORT = saved;
    }
  });
});

test('the zero Pad and the ceil mode become the pooling layers own pads', () => {
  const pools = importModel(fx('torch-cnn-zeropad-ceil.onnx')).network.layers.flatMap((l) => (l.op === 'pool' ? [l.pads] : []));
  // ZeroPad2d((1, 0, 1, 0)) before MaxPool2d(2); MaxPool2d(2, ceil_mode=True) on a 1 x 2 map pads the height's end
  expect(pools).toEqual([
    [1, 1, 0, 0],
    [0, 0, 1, 0],
  ]);
});

test.each([
  ['refuse-cnn-lstm.onnx', /node "\/lstm\/LSTM" \(LSTM\) is not supported: gs-compress imports chains of convolutional/],
  ['refuse-hardtanh.onnx', /node "\/1\/Clip" \(Clip\) clips to \[-1, 1\]; the only clipped activation supported is ReLU6, Clip\(0, 6\)/],
])('%s is refused naming its first unsupported node; nothing is written', async (file, message) => {
  expect(() => importModel(fx(file))).toThrow(message);
  const out = path.join(tmp, `run-${file}`);
  const r = await run(['import', fx(file), '--out', out]);
  expect(r.code).not.toBe(0);
  expect(r.err).toMatch(message);
  expect(fs.existsSync(out)).toBe(false);
});
