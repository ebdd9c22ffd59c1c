/**
 * Importing regressors: the skl2onnx MLPRegressor fixture (its `variable` output says it is one) and
 * the torch regressor (last layer Linear; the user says --task regression) import, match onnxruntime
 * on the original file to 1e-5, export with the `prediction` output, and go through `import`,
 * `train --init` and `compress --task regression`, which report RMSE and R^2 of original and slim.
 */
import * as fs from 'fs';
import * as path from 'path';
import { writeRegressorData } from '../../scripts/lib/regressor-data';
import { importModel } from '../../src/import';
import { logits } from '../../src/network/forward';
import { loadRun } from '../../src/network/run-io';
import { exportOnnx, runOnnx } from '../../src/onnx';
import { checkImport, randomRows, runOriginal } from '../../src/pipeline/import-check';
import type { TrainJson } from '../../src/cli/commands/train';
import { runCli } from '../helpers/cli';
import { parseAs } from '../helpers/json';
import { tempDir } from './helpers';

const FIX = path.join(__dirname, '..', 'fixtures', 'import');
const fx = (f: string) => path.join(FIX, f);
const dir = tempDir();
const p = (f: string) => path.join(dir, f);
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

describe.each([
  ['skl2onnx-mlpregressor.onnx', {}, 'variable1'],
  ['torch-regressor.onnx', { task: 'regression' as const }, 'output'],
])('%s', (file, opts, target) => {
  it('imports as a regressor and matches onnxruntime on the original to 1e-5', async () => {
    const m = importModel(fx(file), opts);
    expect(m.network.task).toBe('regression');
    expect(m.network.classLabels).toEqual([target]);
    expect(m.notes.join('\n')).toMatch(/linear output read as a regression/);
    const rows = 300;
    const x = randomRows(m.network, rows, 4);
    const c = await checkImport(m, x, rows);
    expect(c.passed).toBe(true);
    expect(c.maxLogitDiff).toBeLessThan(1e-5);
    // and the comparison is on real outputs of the original, not on a softmax of one column
    const orig = await runOriginal(m.original, x, rows);
    const mine = logits(m.network, x, rows);
    let spread = 0;
    for (let i = 0; i < rows; i++) spread = Math.max(spread, Math.abs((orig.logits as Float32Array)[i] - (orig.logits as Float32Array)[0]));
    expect(spread).toBeGreaterThan(0.5);
    for (let i = 0; i < rows; i++)
      expect(Math.abs(mine[i] - (orig.logits as Float32Array)[i])).toBeLessThan(1e-5 * Math.max(1, Math.abs(mine[i])));
  });

  it('exports with one prediction output equal to the original', async () => {
    const m = importModel(fx(file), opts);
    const x = randomRows(m.network, 50, 9);
    const out = await runOnnx(exportOnnx(m.network, { producerVersion: 'test' }), x, 50, m.network.inputWidth);
    const orig = (await runOriginal(m.original, x, 50)).logits as Float32Array;
    for (let i = 0; i < 50; i++) expect(Math.abs(out.probabilities[i] - orig[i])).toBeLessThan(1e-5 * Math.max(1, Math.abs(orig[i])));
  });
});

describe('what the graph cannot tell', () => {
  it('a torch model ending in Linear(12, 1) needs --task regression', () => {
    expect(() => importModel(fx('torch-regressor.onnx'))).toThrow(/single linear output \(a regressor\?\); give --task regression/);
  });
  it('--task regression on a classifier ending in Softmax is refused', () => {
    expect(() => importModel(fx('torch-tanh-sigmoid-softmax.onnx'), { task: 'regression' })).toThrow(
      /needs a linear output, but the model ends in Softmax/,
    );
  });
  it('--task classification on the skl2onnx regressor is refused', () => {
    expect(() => importModel(fx('skl2onnx-mlpregressor.onnx'), { task: 'classification' })).toThrow(
      /contradicts the model, a skl2onnx .*regressor/,
    );
  });
});

describe('the command line with a regressor', () => {
  beforeAll(async () => writeRegressorData(p('reg.csv'), 500));

  it('import --task regression writes a regression run directory', async () => {
    const r = await runCli(['import', fx('torch-regressor.onnx'), '--task', 'regression', '--out', p('imp'), '--data', p('reg.csv')]);
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/regression, targets output/);
    expect(r.out).toMatch(/check on data rows: \d+ rows, largest output difference/);
    expect(loadRun(p('imp')).network.task).toBe('regression');
  });

  it('train --init of the skl2onnx regressor (no --task needed) fine-tunes on the data and reports RMSE and R^2', async () => {
    const args = ['train', '--init', fx('skl2onnx-mlpregressor.onnx'), '--data', p('reg.csv'), '--penalty', 'gl', '--lambda', '1e-4'];
    const r = await runCli([...args, '--epochs', '5', '--json']);
    expect(r.err).toBe('');
    const t = parseAs<TrainJson>(r.out);
    expect(t.summary.task).toBe('regression');
    // both fixtures were fitted to the same function, so the skl2onnx model fits the torch model's outputs well
    expect(t.summary.testR2).toBeGreaterThan(0.9);
    const text = await runCli([...args, '--epochs', '1']);
    expect(text.out).toMatch(/test RMSE [\d.]+, R\^2 0\.9\d+/);
    expect(text.out).toMatch(/train rmse +val rmse +val R\^2 +test rmse +test R\^2/);
  });

  it('train --init with a budget starts from the imported weights (not from a fresh network)', async () => {
    const args = ['--task', 'regression', '--data', p('reg.csv'), '--epochs', '2', '--finetune-epochs', '0', '--lr', '3e-3', '--json'];
    const init = await runCli(['train', '--init', fx('torch-regressor.onnx'), '--target-ratio', '0.5', ...args]);
    const fresh = await runCli(['train', '--hidden', '12', '--target-ratio', '0.5', ...args]);
    const first = (r: { out: string }) => parseAs<TrainJson>(r.out).history[0].testRmse as number;
    // the imported model fits the data to its noise (0.05): one dense epoch from it stays near that
    expect(first(init)).toBeLessThan(0.15);
    expect(first(fresh)).toBeGreaterThan(0.5);
    // and a size path too
    const path2 = await runCli(['train', '--init', fx('torch-regressor.onnx'), '--target-ratio', '0.8,0.5', ...args, '--out', p('path')]);
    expect(path2.code).toBe(0);
    expect(loadRun(p('path/ratio-0.8')).network.task).toBe('regression');
  });

  it('compress --task regression reports RMSE and R^2 of the original and the slim model', async () => {
    const compressHalf = ['compress', fx('torch-regressor.onnx'), '--task', 'regression', '--data', p('reg.csv'), '--target-ratio', '0.5'];
    const r = await runCli([
      ...compressHalf,
      '--epochs',
      '20',
      '--finetune-epochs',
      '10',
      '--lr',
      '3e-3',
      '--export',
      p('slim.onnx'),
      '--json',
    ]);
    expect(r.err).toBe('');
    expect(r.code).toBe(0);
    const j = parseAs<{
      original: { parameters: number; testRmse: number; testR2: number };
      slim: { parameters: number; testRmse: number; testR2: number };
      agreement: number | null;
      outputRmse: number;
      targetParams: number;
      task: string;
    }>(r.out);
    expect(j.task).toBe('regression');
    expect(j.agreement).toBeNull();
    expect(j.slim.parameters).toBeLessThanOrEqual(j.targetParams);
    expect(j.original.testRmse).toBeLessThan(0.08); // the data is its own output plus noise 0.05
    expect(j.original.testR2).toBeGreaterThan(0.99);
    expect(j.slim.testR2).toBeGreaterThan(0.9);
    expect(j.outputRmse).toBeGreaterThan(0);
    const out = await runOnnx(p('slim.onnx'), new Float32Array(6).fill(1), 1, 6);
    expect(out.probabilities.length).toBe(1);
    // distilling (targets = the original's own outputs) does not collapse the network: the
    // preconditioned proximal step would, as the gradients are ~0 there (see compress-model.ts)
    const distilled = await runCli([...compressHalf, '--labels-from-model', '--export', p('slim3.onnx'), '--json']);
    const dj = parseAs<{ slim: { parameters: number; testR2: number; layers: number[] } }>(distilled.out);
    expect(dj.slim.layers[1]).toBeGreaterThan(1);
    expect(dj.slim.testR2).toBeGreaterThan(0.8);
    // the text form says the same in words
    const text = await runCli([
      'compress',
      fx('torch-regressor.onnx'),
      '--task',
      'regression',
      '--data',
      p('reg.csv'),
      '--target-ratio',
      '0.5',
      '--epochs',
      '2',
      '--finetune-epochs',
      '1',
      '--export',
      p('slim2.onnx'),
    ]);
    expect(text.out).toMatch(/original .*test RMSE [\d.]+, R\^2 0\.9\d+/);
    expect(text.out).toMatch(/RMSE between slim and original outputs on \d+ test rows/);
  });
});
