/**
 * Importing models users already have (test/fixtures/import, written by
 * scripts/make-import-fixtures.py from real torch.onnx.export runs and from the node patterns of
 * tf2onnx, skl2onnx and tensorflowjs_converter): every fixture imports and matches its original
 * (onnxruntime on the ONNX file, tfjs on the LayersModel) to 1e-5; the imported network exports
 * to ONNX that matches too; an LSTM, a residual add, a regressor and truncated files are
 * refused with a message naming the node and nothing is written; the CLI writes a run directory.
 */
import type { Network } from '../../src/network/types';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { runCli as run } from '../helpers/cli';
import { importModel } from '../../src/import';
import { logits, predictProba } from '../../src/network/forward';
import { loadRun } from '../../src/network/run-io';
import { exportOnnx, runOnnx } from '../../src/onnx';
import { pruneNetwork } from '../../src/prune';
import { checkImport, randomRows, runOriginal } from '../../src/pipeline/import-check';
import { onnx } from '../../src/codec/onnx-proto';

const FIX = path.join(__dirname, '..', 'fixtures', 'import');
const fx = (f: string) => path.join(FIX, f);
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'gs-import-'));
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

const CASES: [string, { sizes: number[]; acts: string[]; scaled: boolean; output: string; labels?: string[] }][] = [
  ['torch-relu.onnx', { sizes: [6, 12, 8, 3], acts: ['relu', 'relu'], scaled: false, output: 'logits' }],
  // the default torch.onnx.export: batch dimension fixed at 1, onnxruntime's default names
  ['torch-fixed-batch.onnx', { sizes: [6, 12, 8, 3], acts: ['relu', 'relu'], scaled: false, output: 'logits' }],
  ['torch-tanh-sigmoid-softmax.onnx', { sizes: [6, 10, 8, 3], acts: ['tanh', 'sigmoid'], scaled: false, output: 'softmax' }],
  ['torch-gelu-leaky-logsoftmax.onnx', { sizes: [6, 10, 8, 3], acts: ['gelu', 'leaky_relu'], scaled: false, output: 'log-softmax' }],
  ['torch-mlp-relu6.onnx', { sizes: [6, 10, 8, 3], acts: ['relu6', 'relu'], scaled: false, output: 'logits' }],
  ['torch-scaler-batchnorm.onnx', { sizes: [6, 12, 3], acts: ['relu'], scaled: true, output: 'logits' }],
  ['tf2onnx-keras-mlp.onnx', { sizes: [6, 10, 8, 3], acts: ['relu', 'relu'], scaled: false, output: 'softmax' }],
  ['skl2onnx-mlpclassifier.onnx', { sizes: [6, 10, 3], acts: ['relu'], scaled: true, output: 'softmax', labels: ['10', '20', '30'] }],
  ['tfjs-keras-mlp/model.json', { sizes: [6, 12, 8, 6, 3], acts: ['relu', 'tanh', 'leaky_relu'], scaled: false, output: 'softmax' }],
  ['tfjs-bn-after-relu/model.json', { sizes: [6, 12, 8, 6, 3], acts: ['relu', 'tanh', 'leaky_relu'], scaled: false, output: 'softmax' }],
];

describe.each(CASES)('import %s', (file, want) => {
  const m = importModel(fx(file));
  // these fixtures are fully connected networks
  const net = m.network as Network;

  test('reads the layers, activations, scaling and output form', () => {
    expect([net.layers[0].inSize, ...net.layers.map((l) => l.outSize)]).toEqual(want.sizes);
    expect(net.layers.slice(0, -1).map((l) => l.activation?.name ?? 'relu')).toEqual(want.acts);
    expect(net.scaling !== null).toBe(want.scaled);
    expect(m.outputForm).toBe(want.output);
    if (want.labels) expect(net.classLabels).toEqual(want.labels);
  });

  test('matches the original on random rows to 1e-5', async () => {
    const x = randomRows(net, 300, 7);
    const c = await checkImport(m, x, 300);
    expect(c.maxProbabilityDiff).toBeLessThanOrEqual(1e-5);
    if (c.maxLogitDiff !== null) expect(c.maxLogitDiff).toBeLessThanOrEqual(1e-5);
    expect(c.labelDisagreements).toBe(0);
    expect(c.passed).toBe(true);
    // the check is not vacuous: a perturbed network fails it
    const broken = {
      ...m,
      network: { ...net, layers: net.layers.map((l, k) => (k === 0 ? { ...l, bias: l.bias.map((b) => b + 0.05) } : l)) },
    };
    expect((await checkImport(broken, x, 300)).passed).toBe(false);
  });

  test('its ONNX export (and that of its pruned form) matches the original', async () => {
    const x = randomRows(net, 64, 3);
    const orig = await runOriginal(m.original, x, 64);
    const out = await runOnnx(exportOnnx(net, { producerVersion: 'test' }), x, 64, net.inputWidth);
    for (let i = 0; i < orig.probabilities.length; i++)
      expect(Math.abs(out.probabilities[i] - orig.probabilities[i])).toBeLessThanOrEqual(1e-5);
    const small = pruneNetwork(net).network;
    const ps = predictProba(small, x, 64);
    for (let i = 0; i < ps.length; i++) expect(Math.abs(ps[i] - orig.probabilities[i])).toBeLessThanOrEqual(1e-5);
  });
});

describe('refusals name the node and what is supported', () => {
  test.each([['refuse-reshape-lstm.onnx', 'LSTM']])('%s: the %s after a Reshape is named, not the Reshape', (file, op) => {
    expect(() => importModel(fx(file))).toThrow(
      new RegExp(`node "/body/${op}" \\(${op}\\) is not supported: gs-compress imports chains of fully connected layers \\(Gemm, MatMul`),
    );
  });

  test('a 3-D input fed to a linear layer: the input shape and what is supported', () => {
    expect(() => importModel(fx('refuse-3d-input.onnx'))).toThrow(
      /the input "input" \(N x 8 x 8\) has 3 dimensions .* flat N x F inputs only/,
    );
  });

  test('a BatchNorm without trained statistics says so', () => {
    expect(() => importModel(fx('refuse-batchnorm-batch-stats.onnx'))).toThrow(
      /BatchNormalization "\/1\/BatchNormalization" normalizes with each batch's own mean and variance .*no trained running statistics/,
    );
  });

  test('a residual add', () => {
    expect(() => importModel(fx('refuse-residual.onnx'))).toThrow(/node "\/Add" \(Add\) .*residual/);
  });

  test('a regressor the graph cannot tell (single linear output) without --task regression', () => {
    expect(() => importModel(fx('torch-regressor.onnx'))).toThrow(/single linear output \(a regressor\?\); give --task regression/);
  });

  test('a truncated ONNX file', () => {
    const bytes = fs.readFileSync(fx('torch-relu.onnx'));
    const f = path.join(tmp, 'truncated.onnx');
    fs.writeFileSync(f, bytes.subarray(0, Math.floor(bytes.length * 0.6)));
    expect(() => importModel(f)).toThrow(/truncated\.onnx: not a valid ONNX model .*truncated/);
  });

  test('a tfjs model whose weights are truncated', () => {
    const d = path.join(tmp, 'tfjs-truncated');
    fs.mkdirSync(d);
    fs.copyFileSync(fx('tfjs-keras-mlp/model.json'), path.join(d, 'model.json'));
    const w = fs.readFileSync(fx('tfjs-keras-mlp/group1-shard1of1.bin'));
    fs.writeFileSync(path.join(d, 'group1-shard1of1.bin'), w.subarray(0, w.length - 40));
    expect(() => importModel(path.join(d, 'model.json'))).toThrow(/the weight files hold \d+ bytes, the manifest needs \d+ \(truncated/);
  });

  test('a tfjs layer gs-compress does not know', () => {
    const model = JSON.parse(fs.readFileSync(fx('tfjs-keras-mlp/model.json'), 'utf8')) as {
      modelTopology: { model_config: { config: { layers: { class_name: string; config: { name: string } }[] } } };
    };
    model.modelTopology.model_config.config.layers[1] = { class_name: 'LSTM', config: { name: 'lstm' } };
    const d = path.join(tmp, 'tfjs-lstm');
    fs.mkdirSync(d);
    fs.writeFileSync(path.join(d, 'model.json'), JSON.stringify(model));
    fs.copyFileSync(fx('tfjs-keras-mlp/group1-shard1of1.bin'), path.join(d, 'group1-shard1of1.bin'));
    expect(() => importModel(path.join(d, 'model.json'))).toThrow(/layer "lstm" \(LSTM\) is not supported; gs-compress imports Sequential/);
  });
});

describe('gs-compress import', () => {
  test('writes a run directory that loads as the same network', async () => {
    const out = path.join(tmp, 'run-gelu');
    const r = await run(['import', fx('torch-gelu-leaky-logsoftmax.onnx'), '--out', out, '--json']);
    expect(r.code).toBe(0);
    const j = JSON.parse(r.out) as { activations: string[]; imported: { check: { random: { passed: boolean; rows: number } } } };
    expect(j.activations).toEqual(['gelu', 'leaky_relu:0.10000000149011612']);
    expect(j.imported.check.random).toMatchObject({ passed: true, rows: 256 });
    const back = loadRun(out).network;
    const m = importModel(fx('torch-gelu-leaky-logsoftmax.onnx'));
    const x = randomRows(back, 20, 1);
    expect(Array.from(logits(back, x, 20))).toEqual(Array.from(logits(m.network, x, 20)));
  });

  test('refuses with the message, exit code 1 and writes nothing', async () => {
    const out = path.join(tmp, 'run-lstm');
    const r = await run(['import', fx('refuse-reshape-lstm.onnx'), '--out', out]);
    expect(r.code).not.toBe(0);
    expect(r.err).toMatch(/^error: .*refuse-reshape-lstm\.onnx: node "\/body\/LSTM" \(LSTM\) is not supported/);
    expect(r.err).not.toMatch(/at .*\.ts:\d+/);
    expect(fs.existsSync(out)).toBe(false);
  });
});

describe('gs-compress compress', () => {
  test('a model to half its parameters on data whose labels it does not know (--labels-from-model), JSON report', async () => {
    const lines = ['a,b,c,d,e,f,y'];
    const net = importModel(fx('torch-relu.onnx')).network;
    const x = randomRows(net, 600, 5);
    for (let r = 0; r < 600; r++)
      lines.push(`${Array.from(x.subarray(r * 6, r * 6 + 6), (v) => v.toFixed(5)).join(',')},${r % 2 ? 'p' : 'q'}`);
    const csv = path.join(tmp, 'unlabelled.csv');
    fs.writeFileSync(csv, `${lines.join('\n')}\n`);
    const out = path.join(tmp, 'slim.onnx');
    const r = await run([
      'compress',
      fx('torch-relu.onnx'),
      '--data',
      csv,
      '--target-ratio',
      '0.5',
      '--export',
      out,
      '--labels-from-model',
      '--lambda',
      '1e-3',
      '--epochs',
      '4',
      '--json',
    ]);
    expect(r.code).toBe(0);
    const j = JSON.parse(r.out) as {
      targetParams: number;
      slim: { parameters: number };
      original: { parameters: number };
      agreement: number;
      labels: string;
    };
    expect(j.original.parameters).toBe(6 * 12 + 12 + 12 * 8 + 8 + 8 * 3 + 3);
    expect(j.targetParams).toBe(Math.floor(j.original.parameters / 2));
    expect(j.slim.parameters).toBeLessThanOrEqual(j.targetParams);
    expect(j.labels).toBe('model');
    expect(j.agreement).toBeGreaterThan(0.7);
    expect(fs.statSync(out).size).toBeGreaterThan(0);
  });

  test('--batch-size sets the rows per optimizer step (another size trains other weights); 0 is refused, nothing written', async () => {
    const csv = path.join(tmp, 'unlabelled.csv');
    const slim = (b: string) => path.join(tmp, `slim-b${b}.onnx`);
    const args = (b: string) => [
      'compress',
      fx('torch-relu.onnx'),
      '--data',
      csv,
      '--target-ratio',
      '0.5',
      '--labels-from-model',
      '--epochs',
      '1',
      '--finetune-epochs',
      '0',
      '--batch-size',
      b,
      '--export',
      slim(b),
    ];
    expect((await run(args('8'))).code).toBe(0);
    expect((await run(args('64'))).code).toBe(0);
    expect(Buffer.compare(fs.readFileSync(slim('8')), fs.readFileSync(slim('64')))).not.toBe(0);
    const bad = await run(args('0'));
    expect([bad.code, bad.err]).toEqual([1, expect.stringMatching(/^error: --batch-size 0: expected/m)]);
    expect(fs.existsSync(slim('0'))).toBe(false);
  });
});

describe('the default torch.onnx.export (batch fixed at 1) through the CLI', () => {
  const model = fx('torch-fixed-batch.onnx');
  const csv = path.join(tmp, 'fixed-batch.csv');
  beforeAll(() => {
    const net = importModel(model).network;
    const x = randomRows(net, 500, 12);
    const p = predictProba(net, x, 500);
    const lines = ['a,b,c,d,e,f,y'];
    for (let r = 0; r < 500; r++) {
      const label = [0, 1, 2].reduce((b, j) => (p[r * 3 + j] > p[r * 3 + b] ? j : b), 0);
      lines.push(`${Array.from(x.subarray(r * 6, r * 6 + 6), (v) => v.toFixed(6)).join(',')},${label}`);
    }
    fs.writeFileSync(csv, `${lines.join('\n')}\n`);
  });

  test('import writes the run; prune --export of it keeps the original interface', async () => {
    const out = path.join(tmp, 'run-fixed');
    const r = await run(['import', model, '--out', out]);
    expect(r.code).toBe(0);
    expect(r.out).toMatch(
      /check on random rows: 256 rows, largest difference: probabilities \S+, logits \S+ \(relative\); 0 labels differ/,
    );
    expect(r.out).toContain('exports keep its interface: input onnx::Gemm_0 [N, 6] -> output 11 [N, 3]: logits');
    const onnxFile = path.join(tmp, 'pruned-fixed.onnx');
    const p = await run(['prune', out, '--export', onnxFile, '--data', csv]);
    expect(p.code).toBe(0);
    const g = onnx.ModelProto.decode(fs.readFileSync(onnxFile)).graph as onnx.GraphProto;
    expect([g.input.map((v) => v.name), g.output.map((v) => v.name)]).toEqual([['onnx::Gemm_0'], ['11']]);
  });

  test('compress --target-params: exit 0, says the interface, and verify reads the slim model', async () => {
    const slim = path.join(tmp, 'slim-fixed.onnx');
    const r = await run([
      'compress',
      model,
      '--data',
      csv,
      '--target-params',
      '150',
      '--epochs',
      '2',
      '--finetune-epochs',
      '1',
      '--export',
      slim,
    ]);
    // stderr holds only progress lines (no warning or error); the manifest is beside the model
    expect(r.err).not.toMatch(/warning|error|note:/i);
    expect(r.err).toMatch(/^budget epoch 1: /m);
    expect(fs.existsSync(slim.replace(/\.onnx$/, '.manifest.json'))).toBe(true);
    expect(r.code).toBe(0);
    expect(r.out).toContain('interface: input onnx::Gemm_0 [N, 6] -> output 11 [N, 3]: logits');
    expect(r.out).toMatch(/parameters \(budget 150\)/);
    const v = await run(['verify', slim, '--data', csv, '--split', 'all']);
    expect(v.code).toBe(0);
    const both = await run(['compress', model, '--data', csv, '--target-params', '150', '--target-ratio', '0.5', '--export', slim]);
    expect(both.code).toBe(1);
    expect(both.err).toBe('error: give one of --target-ratio R or --target-params N\n');
  });
});
