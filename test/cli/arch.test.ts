/**
 * `train --arch`: a convolutional network trained from the command line on MNIST images (1 x 28 x
 * 28), saved, pruned by channel and exported to ONNX that onnxruntime verifies; a budget in
 * multiply-adds; the tfjs export of a CNN; the one-line refusals of budgets that do
 * not apply and of a wrong --input-shape.
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { loadAnyRun } from '../../src/network/run-io';
import { runCli } from '../helpers/cli';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'gs-arch-'));
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));
const small = ['--data', 'mnist', '--train-rows', '600', '--test-rows', '200', '--epochs', '1'];

test('train --arch trains a CNN on MNIST; prune --export verifies it in onnxruntime', async () => {
  const run = path.join(dir, 'cnn');
  const r = await runCli(['train', ...small, '--arch', 'c4k5-m2-f16', '--penalty', 'gl', '--lambda', '1e-4', '--out', run]);
  expect(r.err).not.toMatch(/^error/m);
  expect(r.code).toBe(0);
  expect(r.out).toMatch(/engine layers-(js|wasm); test accuracy 0\.\d{4}/);
  expect(r.out).toMatch(/alive inputs 1\/1 channels/);
  const { network } = loadAnyRun(run);
  expect(network.inputShape).toEqual([1, 28, 28]);
  expect(network.layers.map((l) => l.op)).toEqual(['conv', 'pool', 'flatten', 'dense', 'dense']);
  // inspect lists every layer through the table
  const ins = await runCli(['inspect', run]);
  expect(ins.code).toBe(0);
  expect(ins.out).toMatch(/^\s+0\s+conv\s+1\s+4\s+4x24x24\s+relu\s+104\s/m);
  expect(ins.out).toMatch(/^\s+2\s+flatten\s+4\s+576\s+576\s/m);
  const p = await runCli(['prune', run, '--export', path.join(run, 'model.onnx')]);
  expect(p.code).toBe(0);
  expect(p.out).toMatch(/^conv 1\s+4\s+\d+/m);
  expect(p.out).toMatch(/^\s+OK$/m);
  expect(fs.existsSync(path.join(run, 'model.manifest.json'))).toBe(true);
  // the manifest says the input tensor's shape, as a page feeding the model needs it
  const manifest = JSON.parse(fs.readFileSync(path.join(run, 'model.manifest.json'), 'utf8')) as {
    input: { shape: number[]; width: number };
  };
  expect([manifest.input.shape, manifest.input.width]).toEqual([[1, 28, 28], 784]);
  // inspect of the ONNX file lists its convolutions by channels
  const onnxInfo = await runCli(['inspect', path.join(run, 'model.onnx')]);
  expect(onnxInfo.out).toMatch(/^\s+0\s+layer0\.conv\s+Conv\s+1\s+\d+\s+relu\s/m);
  // the tfjs export of a CNN: a LayersModel tfjs loads, taking N x C x H x W like the ONNX file
  const t = await runCli(['prune', run, '--export-tfjs', path.join(dir, 'tfjs')]);
  expect(t.err).not.toMatch(/^error/m);
  expect(t.code).toBe(0);
  const json = JSON.parse(fs.readFileSync(path.join(dir, 'tfjs', 'model.json'), 'utf8')) as {
    modelTopology: { config: { layers: { class_name: string; config: { batch_input_shape?: unknown } }[] } };
  };
  const first = json.modelTopology.config.layers[0];
  expect([first.class_name, first.config.batch_input_shape]).toEqual(['Permute', [null, 1, 28, 28]]);
  expect(json.modelTopology.config.layers.map((l) => l.class_name)).toContain('Conv2D');
  // the folder is also a run: it loads back as the pruned network
  expect(loadAnyRun(path.join(dir, 'tfjs')).network.inputShape).toEqual([1, 28, 28]);
});

test("--standardize scales a CNN's input per channel, and the export takes raw pixels", async () => {
  const run = path.join(dir, 'cnn-std');
  const r = await runCli(['train', ...small, '--arch', 'c3k3-g', '--standardize', '--out', run]);
  expect(r.code).toBe(0);
  const { network } = loadAnyRun(run);
  const mean = network.scaling!.mean;
  expect(mean.every((v) => v === mean[0])).toBe(true); // one channel: one mean on every pixel
  expect(mean[0]).toBeGreaterThan(0.05);
  const p = await runCli(['prune', run, '--export', path.join(run, 'model.onnx')]);
  expect(p.code).toBe(0);
  expect(p.out).toMatch(/^\s+OK$/m);
});

test('train --arch --target-macs-ratio meets the budget and records it; prune exports the result', async () => {
  const run = path.join(dir, 'cnn-macs');
  const r = await runCli([
    'train',
    ...small.slice(0, -1),
    '2',
    '--arch',
    'c4k5-m2-c6k3-m2-f12',
    '--target-macs-ratio',
    '0.3',
    '--json',
    '--out',
    run,
  ]);
  expect(r.code).toBe(0);
  interface MacsSummary {
    compactMacs: number;
    targetMacs: number;
    startMacs: number;
    macs: number;
    hidden: number[];
    projections: unknown[];
  }
  const s = (JSON.parse(r.out) as { summary: MacsSummary }).summary;
  expect(s.compactMacs).toBeLessThanOrEqual(s.targetMacs);
  expect(s.targetMacs).toBe(Math.floor(0.3 * s.startMacs));
  expect(s.macs).toBe(s.compactMacs);
  expect(s.hidden).toHaveLength(3);
  expect(s.projections.length).toBeGreaterThan(0);
  const { network } = loadAnyRun(run);
  expect(network.layers.map((l) => l.op)).toEqual(['conv', 'pool', 'conv', 'pool', 'flatten', 'dense', 'dense']);
  const p = await runCli(['prune', run, '--export', path.join(run, 'model.onnx')]);
  expect(p.code).toBe(0);
  expect(p.out).toMatch(/^\s+OK$/m);
});

test('a size path in multiply-adds saves one nested run per budget and plots accuracy against multiply-adds', async () => {
  const out = path.join(dir, 'macs-path');
  const r = await runCli(['train', ...small, '--arch', 'c4k5-m2-c6k3-m2-f12', '--target-macs-ratio', '0.2,0.5', '--json', '--out', out]);
  expect(r.code).toBe(0);
  interface Stop {
    dir: string;
    compactMacs: number;
    targetMacs: number;
    startMacs: number;
    hidden: number[];
  }
  const stops = (JSON.parse(r.out) as { path: Stop[] }).path;
  expect(stops.map((x) => path.basename(x.dir))).toEqual(['macs-ratio-0.5', 'macs-ratio-0.2']);
  const [a, b] = stops;
  // both ratios refer to the first network
  expect(a.startMacs).toBe(b.startMacs);
  expect(a.targetMacs).toBe(Math.floor(0.5 * a.startMacs));
  expect(b.targetMacs).toBe(Math.floor(0.2 * a.startMacs));
  expect(a.compactMacs).toBeLessThanOrEqual(a.targetMacs);
  expect(b.compactMacs).toBeLessThanOrEqual(b.targetMacs);
  // nested: the second stop starts from the first one's network
  a.hidden.forEach((w, i) => expect(b.hidden[i]).toBeLessThanOrEqual(w));
  expect(fs.readFileSync(path.join(out, 'size-path.svg'), 'utf8')).toMatch(/multiply-adds per example/);
  expect(loadAnyRun(path.join(out, 'macs-ratio-0.2')).network.inputShape).toEqual([1, 28, 28]);
  // report reads the stops (convolutional runs) like any run: widths with the start's beside them
  const rep = await runCli(['report', out]);
  expect(rep.code).toBe(0);
  expect(rep.out).toMatch(/macs-ratio-0\.2\s.*\(from 4,6,12\)/);
  expect(fs.existsSync(path.join(out, 'report.html'))).toBe(true);
  const two = await runCli([
    'train',
    ...small,
    '--arch',
    'c4k5-f8',
    '--target-macs-ratio',
    '0.5,0.2',
    '--target-params',
    '900',
    '--out',
    path.join(dir, 'x'),
  ]);
  expect(two.code).toBe(1);
  expect(two.err).toMatch(/^error: a size path \(a list of budgets\) walks one measure/m);
});

test('--arch refusals: budgets given twice or in multiply-adds for an MLP, a spec that does not fit, a wrong --input-shape', async () => {
  const both = await runCli(['train', ...small, '--arch', 'c4k5-f8', '--target-macs', '1000', '--target-macs-ratio', '0.5']);
  expect(both.code).toBe(1);
  expect(both.err).toMatch(/^error: give --target-macs or --target-macs-ratio, not both/m);
  const mlp = await runCli(['train', ...small, '--hidden', '8', '--target-macs-ratio', '0.5']);
  expect(mlp.code).toBe(1);
  expect(mlp.err).toMatch(/^error: --target-macs and --target-macs-ratio apply to --arch networks/m);
  expect(mlp.err).not.toMatch(/^\s+at /m);
  const bad = await runCli(['train', ...small, '--arch', 'c4k5-x9']);
  expect(bad.code).toBe(1);
  expect(bad.err).toMatch(/^error: --arch c4k5-x9: token 2 'x9' is not understood; expected a preset/m);
  expect(bad.err).not.toMatch(/^\s+at /m);
  const shape = await runCli(['train', ...small, '--arch', 'c4k5-f8', '--input-shape', '1,20,20']);
  expect(shape.code).toBe(1);
  expect(shape.err).toMatch(/input shape 1,20,20 holds 400 values, but the data has 784 feature columns/);
});
