/**
 * Regression end to end through the command line on a small planted problem: train with group
 * sparsity (and with a parameter budget), R^2 and RMSE reported and high, exact pruning keeping the
 * outputs, the ONNX export's single `prediction` output verified by onnxruntime within tolerance,
 * the manifest naming the target, int8 export judged by RMSE, and the help text.
 */
import * as fs from 'fs';
import * as path from 'path';
import type { TrainJson } from '../../src/cli/commands/train';
import { loadDataset } from '../../src/data';
import { logits } from '../../src/network/forward';
import type { Manifest } from '../../src/network/manifest';
import { loadRun } from '../../src/network/run-io';
import { readOnnxInfo } from '../../src/onnx/read';
import { runOnnx } from '../../src/onnx/run';
import type { CompressResult } from '../../src/pipeline/compress';
import { runCli } from '../helpers/cli';
import { parseAs } from '../helpers/json';
import { tempDir, writePlanted } from './helpers';

const dir = tempDir();
const p = (f: string) => path.join(dir, f);
const csv = writePlanted(dir, 400, 3);
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

const TRAIN = [
  'train',
  '--data',
  csv,
  '--task',
  'regression',
  '--hidden',
  '16',
  '--activation',
  'tanh',
  '--lr',
  '0.01',
  '--batch-size',
  '32',
];

describe('gs-compress train --task regression, prune --export', () => {
  let trained: TrainJson;

  beforeAll(async () => {
    const r = await runCli([...TRAIN, '--epochs', '60', '--penalty', 'gl', '--lambda', '2e-3', '--out', p('run'), '--json']);
    expect(r.err).toBe('');
    expect(r.code).toBe(0);
    trained = parseAs<TrainJson>(r.out);
  });

  it('reports RMSE and R^2 (high on this easy problem) and drops noise inputs', () => {
    const s = trained.summary;
    expect(s.task).toBe('regression');
    expect(s.testR2).toBeGreaterThan(0.97);
    expect(s.testAccuracy).toBeUndefined(); // a regressor's summary carries R^2 and RMSE only
    expect(s.trainR2).toBeGreaterThan(0.97);
    expect(s.testRmse).toBeLessThan(0.6);
    expect(s.aliveInputs).toBeLessThan(14);
    expect(trained.history[trained.history.length - 1].testRmse).toBe(s.testRmse);
    expect(loadRun(p('run')).network.task).toBe('regression');
  });

  it('prunes exactly and exports one `prediction` output that onnxruntime reproduces', async () => {
    const r = await runCli(['prune', p('run'), '--export', p('m.onnx'), '--json']);
    expect(r.err).toBe('');
    expect(r.code).toBe(0);
    const c = parseAs<Omit<CompressResult, 'pruned'>>(r.out);
    expect(c.report.parameters.after).toBeLessThan(c.report.parameters.before);
    // exact pruning keeps the outputs: the same RMSE and R^2 before and after
    expect(c.rmseAfter).toBeCloseTo(c.rmseBefore as number, 5);
    expect(c.r2After).toBeCloseTo(trained.summary.testR2 as number, 4);
    const v = c.verification!;
    expect(v.ok).toBe(true);
    expect(v.regression?.outside).toBe(0);
    expect(v.regression?.maxAbsDiff).toBeLessThan(1e-4);
    expect(v.regression?.onnxRmse).toBeCloseTo(c.rmseBefore as number, 4);
    expect(v.agreement).toBeNull();

    const info = readOnnxInfo(fs.readFileSync(p('m.onnx')), p('m.onnx'));
    expect(info.outputs.map((o) => [o.name, o.type, o.shape])).toEqual([['prediction', 'float32', ['batch', 1]]]);
    expect(info.nodes.map((n) => n.op)).not.toContain('Softmax');
    expect(info.nodes.map((n) => n.op)).not.toContain('ArgMax');
    const manifest = parseAs<Manifest>(fs.readFileSync(p('m.manifest.json'), 'utf8'));
    expect(manifest.output).toMatchObject({ task: 'regression', prediction: 'prediction', targetNames: ['price'], probabilities: null });

    // onnxruntime on raw rows against the trained network, in the target's units
    const data = await loadDataset({ data: csv, task: 'regression' });
    const net = loadRun(p('run')).network;
    const out = await runOnnx(p('m.onnx'), data.test.features, data.test.rows, data.test.cols);
    const ref = logits(net, data.test.features, data.test.rows);
    let worst = 0;
    for (let i = 0; i < ref.length; i++) worst = Math.max(worst, Math.abs(out.probabilities[i] - ref[i]));
    expect(worst).toBeLessThan(1e-4);
    expect(Math.max(...ref)).toBeGreaterThan(12); // user units (targets around 10), not standardized
  });

  it('exports a linear tfjs model whose manifest names the target', async () => {
    const r = await runCli(['prune', p('run'), '--export', p('t.onnx'), '--export-tfjs', p('tfjs')]);
    expect(r.code).toBe(0);
    const model = fs.readFileSync(p('tfjs/model.json'), 'utf8');
    expect(model).toContain('"activation":"linear"');
    expect(model).not.toContain('softmax');
    const manifest = parseAs<Manifest>(fs.readFileSync(p('tfjs/manifest.json'), 'utf8'));
    expect(manifest.output).toMatchObject({ task: 'regression', targetNames: ['price'], prediction: 'output (linear)' });
    // the tfjs export loads back as the same regressor
    const back = loadRun(p('tfjs')).network;
    expect(back.task).toBe('regression');
    const data = await loadDataset({ data: csv, task: 'regression' });
    const a = logits(back, data.test.features, data.test.rows);
    const b = logits(loadRun(p('run')).network, data.test.features, data.test.rows);
    for (let i = 0; i < a.length; i++) expect(Math.abs(a[i] - b[i])).toBeLessThan(1e-4);
  });

  it('prints RMSE and R^2 instead of accuracy', async () => {
    const r = await runCli(['prune', p('run'), '--export', p('m2.onnx')]);
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/test RMSE: trained \d\.\d+, pruned \d\.\d+; R\^2: trained 0\.9\d+, pruned 0\.9\d+/);
    expect(r.out).toMatch(/RMSE: onnx [\d.]+, trained network [\d.]+; R\^2: onnx 0\.9\d+/);
    expect(r.out).not.toMatch(/accuracy/);
  });

  it('gs-compress verify of the export reports RMSE and R^2 (the data read as regression from the model)', async () => {
    const r = await runCli(['verify', p('m.onnx'), '--data', csv, '--split', 'test', '--run', p('run'), '--json']);
    expect(r.err).toBe('');
    expect(r.code).toBe(0);
    const v = parseAs<{ ok: boolean; regression: { onnxRmse: number; referenceRmse: number; onnxR2: number } }>(r.out);
    expect(v.ok).toBe(true);
    expect(v.regression.onnxR2).toBeGreaterThan(0.97);
    expect(v.regression.onnxRmse).toBeCloseTo(v.regression.referenceRmse, 4);
  });

  it('verifies an int8 export by its RMSE against the float network', async () => {
    const r = await runCli(['prune', p('run'), '--export', p('q.onnx'), '--quantize', 'int8', '--json']);
    const v = parseAs<Omit<CompressResult, 'pruned'>>(r.out).verification!;
    expect(v.mode).toBe('lossy');
    expect(v.regression?.maxRmseIncrease).toBe(0.02);
    expect(v.regression?.maxAbsDiff).toBeGreaterThan(0); // int8 is lossy
    expect(v.ok).toBe((v.regression?.onnxRmse as number) <= (v.regression?.referenceRmse as number) * 1.02);
    expect(r.code).toBe(v.ok ? 0 : 1);
  });
});

describe('a regression budget run', () => {
  it('trains to --target-ratio and ends at most at the budget with a high R^2', async () => {
    const r = await runCli([...TRAIN, '--epochs', '40', '--target-ratio', '0.3', '--finetune-epochs', '10', '--json']);
    expect(r.err).toBe('');
    expect(r.code).toBe(0);
    const t = parseAs<TrainJson>(r.out);
    const s = t.summary as TrainJson['summary'] & { targetParams: number; compactParams: number };
    expect(s.compactParams).toBeLessThanOrEqual(s.targetParams);
    expect(s.targetParams).toBeLessThanOrEqual(Math.round(0.3 * (21 * 16 + 17)) + 1);
    expect(s.testR2).toBeGreaterThan(0.95);
  });
});

test('a regression sweep scores its runs by R^2 and RMSE', async () => {
  const args = [
    'sweep',
    '--data',
    csv,
    '--task',
    'regression',
    '--hidden',
    '8',
    '--penalty',
    'gl',
    '--lambda',
    '1e-3,3e-2',
    '--lr',
    '0.01',
  ];
  const r = await runCli([...args, '--epochs', '30', '--out', p('sweep'), '--workers', '0']);
  expect(r.code).toBe(0);
  expect(r.out).toMatch(/test R\^2 \(RMSE\)/);
  expect(r.out).toMatch(/0\.9\d{3} \(\d\.\d+\)/);
  // and the HTML report of that sweep shows R^2 and RMSE where a classification report shows accuracy
  const rep = await runCli(['report', p('sweep'), '--out', p('report.html')]);
  expect(rep.code).toBe(0);
  expect(fs.readFileSync(p('report.html'), 'utf8')).toMatch(/R\^2 0\.9\d{3} \(RMSE \d\.\d+\)/);
});

test('--help explains --task', async () => {
  let log = '';
  const cl = jest.spyOn(console, 'log').mockImplementation((...s: unknown[]) => void (log += `${s.join(' ')}\n`));
  try {
    await runCli(['train', '--help']);
  } finally {
    cl.mockRestore();
  }
  expect(log).toMatch(/--task[\s\S]*regression[\s\S]*mean\s+squared\s+error/);
});
