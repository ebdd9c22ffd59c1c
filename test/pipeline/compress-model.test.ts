/**
 * compress: a model the user has (a fixture from torch.onnx.export) to a parameter budget,
 * checked against the original: the slim model fits the budget (reached by removal steps that
 * never grow the network), its ONNX export equals it, and it agrees with the original on most
 * test rows of data labelled by the original.
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import type { SplitDataset } from '../../src/data/types';
import { parameterCount } from '../../src/network/create';
import { predictLabels } from '../../src/network/forward';
import { compressModel } from '../../src/pipeline/compress-model';
import { loadInit } from '../../src/pipeline/init-from';
import { randomRows } from '../../src/pipeline/import-check';
import { readOnnxInfo, runOnnx } from '../../src/onnx';

const FIX = path.join(__dirname, '..', 'fixtures', 'import');
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'gs-compress-model-'));
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

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
    epochs: 6,
    finetuneEpochs: 6,
    exportPath: out,
    producerVersion: 'test',
    train: { lr: 3e-3 },
  });
  expect(r.slim.parameters).toBeLessThanOrEqual(r.targetParams);
  // budget training: removal steps from the original's size down to the budget, each no larger than the one before
  expect(r.projections.length).toBeGreaterThan(0);
  expect(r.projections[0].before).toBe(parameterCount(src.network));
  for (const p of r.projections) expect(p.after).toBeLessThanOrEqual(p.before);
  expect(r.projections[r.projections.length - 1].after).toBeLessThanOrEqual(r.targetParams);
  expect(r.targetParams).toBe(Math.floor(parameterCount(src.network) * 0.5));
  expect(r.original.testAccuracy).toBe(1);
  expect(r.agreement).toBeGreaterThan(0.85);
  expect(r.slim.testAccuracy).toBeCloseTo(r.agreement as number, 10); // labels are the original's predictions
  const bytes = fs.readFileSync(out);
  expect(readOnnxInfo(bytes, out).metadata['gs.parameters_before']).toBe(String(parameterCount(src.network)));
  const onnxOut = await runOnnx(bytes, data.test.features, 400, 6);
  expect(Array.from(onnxOut.labels)).toEqual(Array.from(predictLabels(r.network, data.test.features, 400)));
});
