/**
 * compress: a model the user has (a fixture from torch.onnx.export) to a parameter budget,
 * checked against the original: the slim model fits the budget, its ONNX export equals it, and it
 * agrees with the original on most test rows of data labelled by the original.
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import type { SplitDataset } from '../../src/data/types';
import { parameterCount } from '../../src/network/create';
import { predictLabels } from '../../src/network/forward';
import { cutToBudget, compressModel } from '../../src/pipeline/compress-model';
import { loadInit } from '../../src/pipeline/init-from';
import { randomRows } from '../../src/pipeline/import-check';
import { readOnnxInfo, runOnnx } from '../../src/onnx';

const FIX = path.join(__dirname, '..', 'fixtures', 'import');
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'gs-compress-model-'));
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

test('cutToBudget meets the budget, exactly when exact pruning suffices', async () => {
  const { network } = await loadInit(path.join(FIX, 'torch-relu.onnx'));
  const all = parameterCount(network);
  expect(cutToBudget(network, all).threshold).toBeNull();
  for (const target of [150, 80, 30]) {
    const cut = cutToBudget(network, target);
    expect(parameterCount(cut.network)).toBeLessThanOrEqual(target);
    expect(cut.threshold).not.toBeNull();
  }
});

test('compress MODEL to 50% of its parameters: fits, exports exactly, agrees with the original', async () => {
  const model = path.join(FIX, 'torch-relu.onnx');
  const src = await loadInit(model);
  // data labelled by the original model, so accuracy and agreement mean something
  const mk = (rows: number, seed: number) => {
    const x = randomRows(src.network, rows, seed);
    return { rows, cols: 6, features: x, labels: predictLabels(src.network, x, rows) };
  };
  const data: SplitDataset = {
    name: 'planted',
    train: mk(1500, 1),
    test: mk(400, 2),
    classLabels: ['0', '1', '2'],
    featureNames: [],
    tabular: true,
    ref: { kind: 'file', path: 'planted.csv', files: [] },
  };
  const out = path.join(tmp, 'slim.onnx');
  const r = await compressModel(model, data, {
    targetRatio: 0.5,
    lambda: 1e-3,
    epochs: 6,
    finetuneEpochs: 6,
    exportPath: out,
    producerVersion: 'test',
    train: { lr: 3e-3 },
  });
  expect(r.slim.parameters).toBeLessThanOrEqual(r.targetParams);
  expect(r.targetParams).toBe(Math.floor(parameterCount(src.network) * 0.5));
  expect(r.original.testAccuracy).toBe(1);
  expect(r.agreement).toBeGreaterThan(0.85);
  expect(r.slim.testAccuracy).toBeCloseTo(r.agreement as number, 10); // labels are the original's predictions
  const bytes = fs.readFileSync(out);
  expect(readOnnxInfo(bytes, out).metadata['gs.parameters_before']).toBe(String(parameterCount(src.network)));
  const onnxOut = await runOnnx(bytes, data.test.features, 400, 6);
  expect(Array.from(onnxOut.labels)).toEqual(Array.from(predictLabels(r.network, data.test.features, 400)));
});
