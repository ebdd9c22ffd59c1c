/**
 * Regression through the data readers and the training loop: numeric targets (no class mapping),
 * clear errors for missing targets, the task recorded on the network, standardized training with
 * predictions in the user's units, RMSE and R^2 in the history, and old-style data refused.
 */
import * as fs from 'fs';
import * as path from 'path';
import { loadDataset } from '../../src/data';
import { logits } from '../../src/network/forward';
import { loadRun, saveRun } from '../../src/network/run-io';
import { regressionMetrics } from '../../src/network/tasks';
import { exportOnnx, verifyOnnx } from '../../src/onnx';
import { readOnnxInfo } from '../../src/onnx/read';
import { resolveTrainConfig } from '../../src/train/config';
import type { SplitDataset } from '../../src/data/types';
import { Rng } from '../../src/util/rng';
import { trainNetwork } from '../../src/train/train';
import { NOISE, tempDir, writePlanted } from './helpers';

const dir = tempDir();
const file = writePlanted(dir);
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

describe('numeric targets in the readers', () => {
  it('reads the label column as numbers, named by its header', async () => {
    const d = await loadDataset({ data: file, task: 'regression' });
    expect(d.task).toBe('regression');
    expect(d.classLabels).toEqual(['price']);
    expect(d.ref.task).toBe('regression');
    expect(d.train.rows + d.test.rows).toBe(400);
    expect(d.train.targets?.length).toBe(d.train.rows);
    const first = fs.readFileSync(file, 'utf8').split('\n')[1].split(',');
    const all = [...(d.train.targets as Float32Array), ...(d.test.targets as Float32Array)];
    expect(all).toContainEqual(Math.fround(Number(first[20])));
    // the same file read for classification: its labels look continuous, and the message says what to pass
    await expect(loadDataset({ data: file })).rejects.toThrow(/labels look continuous \(\d{3} distinct numbers.*pass --task regression/);
  });

  it.each([
    ['an empty target', ''],
    ['NaN', 'NaN'],
    ['text', 'cheap'],
  ])('names file and line for %s', async (_what, cell) => {
    const lines = fs.readFileSync(file, 'utf8').split('\n');
    const cells = lines[5].split(',');
    cells[20] = cell;
    lines[5] = cells.join(',');
    const bad = path.join(dir, 'bad.csv');
    fs.writeFileSync(bad, lines.join('\n'));
    await expect(loadDataset({ data: bad, task: 'regression' })).rejects.toThrow(`${bad}, line 6:`);
    await expect(loadDataset({ data: bad, task: 'regression' })).rejects.toThrow(/column 21 \("price"\).*--task regression/);
  });

  it('refuses an unknown task', async () => {
    await expect(loadDataset({ data: file, task: 'ranking' as 'regression' })).rejects.toThrow(/task "ranking" is not known/);
  });
});

describe('training a regressor', () => {
  it('learns the planted function with group sparsity; R^2 and RMSE in the history, outputs in user units', async () => {
    const data = await loadDataset({ data: file, task: 'regression' });
    const cfg = resolveTrainConfig({
      hidden: [16],
      epochs: 60,
      batchSize: 32,
      lr: 0.01,
      seed: 2,
      penalty: 'gl',
      lambda: 2e-3,
      activation: 'tanh',
    });
    const r = await trainNetwork(data, cfg);
    expect(r.network.task).toBe('regression');
    expect(r.network.classLabels).toEqual(['price']);
    const last = r.history[r.history.length - 1];
    expect(last.testAccuracy).toBeGreaterThan(0.97); // R^2
    expect(last.testRmse).toBeGreaterThan(NOISE * 0.5);
    expect(last.testRmse).toBeLessThan(0.6);
    expect(r.history[0].testRmse as number).toBeGreaterThan(last.testRmse as number);
    // the recorded figures are those of the returned network in the user's units
    const pred = logits(r.network, data.test.features, data.test.rows);
    const m = regressionMetrics(pred, data.test.targets as Float32Array, 1);
    expect(m.r2).toBeCloseTo(last.testAccuracy, 4);
    expect(m.rmse).toBeCloseTo(last.testRmse as number, 4);
    // group sparsity found the noise columns: most of the 15 noise inputs are gone
    expect(last.aliveInputs).toBeLessThan(12);
    // the run directory records the task; the saved model.json ends in a linear layer
    const out = path.join(dir, 'run');
    saveRun(out, r.network, { generatedBy: 'test', createdAt: 'now' });
    const back = loadRun(out).network;
    expect(back.task).toBe('regression');
    expect(back.classLabels).toEqual(['price']);
    expect(Array.from(logits(back, data.test.features.subarray(0, 60), 3))).toEqual(Array.from(pred.subarray(0, 3)));
    const model = fs.readFileSync(path.join(out, 'model.json'), 'utf8');
    expect(model).toContain('"activation":"linear"');
    expect(model).not.toContain('softmax');
  });

  it('refuses to train a classifier on numeric targets', async () => {
    const data = await loadDataset({ data: file, task: 'regression' });
    const cfg = resolveTrainConfig({ hidden: [4], epochs: 1 });
    const clsNet = (await trainNetwork(data, cfg)).network;
    await expect(trainNetwork(data, cfg, { init: { ...clsNet, task: undefined } })).rejects.toThrow(
      /classification model but the data was read for regression/,
    );
  });
});

test('two target columns: trained on both, exported as prediction [N, 2] and verified', async () => {
  const rng = new Rng(5);
  const table = (rows: number) => {
    const features = Float32Array.from({ length: rows * 4 }, () => rng.normal());
    const targets = new Float32Array(rows * 2);
    for (let r = 0; r < rows; r++) {
      const x = features.subarray(r * 4, r * 4 + 4);
      targets[2 * r] = 2 * x[0] - x[1] + 0.01 * rng.normal();
      targets[2 * r + 1] = 100 + 30 * Math.tanh(x[2]) + 0.01 * rng.normal();
    }
    return { rows, cols: 4, features, labels: new Int32Array(rows), targets };
  };
  const data: SplitDataset = {
    name: 'two-targets',
    train: table(300),
    test: table(100),
    classLabels: ['a', 'b'],
    featureNames: ['x0', 'x1', 'x2', 'x3'],
    tabular: true,
    ref: { kind: 'file', files: [] },
    task: 'regression',
  };
  const r = await trainNetwork(data, resolveTrainConfig({ hidden: [12], activation: 'tanh', epochs: 40, lr: 0.01, seed: 1 }));
  expect(r.history[r.history.length - 1].testAccuracy).toBeGreaterThan(0.97); // R^2 over both columns
  const bytes = exportOnnx(r.network, { producerVersion: 'test' });
  expect(readOnnxInfo(bytes, 'm').outputs.map((o) => [o.name, o.shape])).toEqual([['prediction', ['batch', 2]]]);
  const v = await verifyOnnx({ onnx: bytes, reference: r.network, features: data.test.features, targets: data.test.targets, rows: 100 });
  expect(v.ok).toBe(true);
  expect(v.regression?.onnxR2).toBeGreaterThan(0.97);
});
