/**
 * train --init RUN_OR_MODEL: the starting network comes from a user's model (imported and checked)
 * or a run directory; contradicting options are errors; data labels are mapped onto the model's
 * classes by value; --labels-from-model trains on the original model's predictions.
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { main } from '../../src/cli/main';
import type { SplitDataset } from '../../src/data/types';
import { predictLabels } from '../../src/network/forward';
import { loadRun } from '../../src/network/run-io';
import { alignData, checkInitOptions, loadInit, modelLabels } from '../../src/pipeline/init-from';
import { randomRows } from '../../src/pipeline/import-check';
import { Rng } from '../../src/util/rng';

const FIX = path.join(__dirname, '..', 'fixtures', 'import');
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'gs-init-'));
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

function table(x: Float32Array, labels: number[]) {
  return { rows: labels.length, cols: x.length / labels.length, features: x, labels: Int32Array.from(labels) };
}

test('contradicting options are errors naming both sides', async () => {
  const src = await loadInit(path.join(FIX, 'torch-tanh-sigmoid-softmax.onnx'));
  expect(() => checkInitOptions(src.network, 'm.onnx', { hidden: '16' })).toThrow(
    /--hidden 16 contradicts --init m.onnx, whose hidden layers are 10,8/,
  );
  expect(() => checkInitOptions(src.network, 'm.onnx', { activation: 'relu' })).toThrow(/whose activation is tanh\+sigmoid/);
  expect(() => checkInitOptions(src.network, 'm.onnx', { standardize: true })).toThrow(/scaling comes from m.onnx/);
  expect(() => checkInitOptions(src.network, 'm.onnx', { hidden: '10, 8' })).not.toThrow();
});

test("data labels are mapped onto the model's classes by value; unknown classes are refused", async () => {
  const src = await loadInit(path.join(FIX, 'skl2onnx-mlpclassifier.onnx')); // classes 10, 20, 30
  const x = randomRows(src.network, 4, 1);
  const data: SplitDataset = {
    name: 'd',
    train: table(x, [0, 1, 0, 1]),
    test: table(x, [1, 1, 0, 0]),
    classLabels: ['30', '10'],
    featureNames: [],
    tabular: true,
    ref: { kind: 'file', path: 'd.csv', files: [] },
  };
  const aligned = await alignData(data, src, false);
  expect(aligned.classLabels).toEqual(['10', '20', '30']);
  expect(Array.from(aligned.train.labels)).toEqual([2, 0, 2, 0]);
  await expect(alignData({ ...data, classLabels: ['30', '40'] }, src, false)).rejects.toThrow(/has classes 40 that the model /);
  // labels from the model: the original file's predictions (onnxruntime), equal to the network's
  const fromModel = await alignData(data, src, true);
  expect(Array.from(fromModel.train.labels)).toEqual(Array.from(predictLabels(src.network, x, 4)));
  expect(Array.from(await modelLabels(src, data.test))).toEqual(Array.from(predictLabels(src.network, x, 4)));
});

test('train --init MODEL --labels-from-model with group lasso gives a sparse network that agrees with the original', async () => {
  const rng = new Rng(3);
  const lines = ['a,b,c,d,e,f,y'];
  // labels are noise: only the model's predictions carry signal
  for (let r = 0; r < 900; r++) lines.push(`${Array.from({ length: 6 }, () => (rng.normal() * 1.5).toFixed(4)).join(',')},${rng.int(3)}`);
  const csv = path.join(tmp, 'six.csv');
  fs.writeFileSync(csv, `${lines.join('\n')}\n`);
  const out = path.join(tmp, 'run');
  const model = path.join(FIX, 'torch-relu.onnx');
  const so = jest.spyOn(process.stdout, 'write').mockImplementation(() => true);
  const se = jest.spyOn(process.stderr, 'write').mockImplementation(() => true);
  let code: number;
  try {
    code = await main([
      'train',
      '--init',
      model,
      '--labels-from-model',
      '--data',
      csv,
      '--penalty',
      'gl',
      '--lambda',
      '2e-3',
      '--epochs',
      '8',
      '--out',
      out,
      '--json',
    ]);
  } finally {
    so.mockRestore();
    se.mockRestore();
  }
  expect(code).toBe(0);
  const { network, info } = loadRun(out);
  expect(network.layers.map((l) => l.outSize)).toEqual([12, 8, 3]);
  expect(info.config).toMatchObject({ hidden: [12, 8], labelsFromModel: true });
  const src = await loadInit(model);
  const x = randomRows(src.network, 500, 9);
  const a = predictLabels(network, x, 500);
  const b = await modelLabels(
    src,
    table(
      x,
      Array.from({ length: 500 }, () => 0),
    ),
  );
  let same = 0;
  for (let i = 0; i < 500; i++) if (a[i] === b[i]) same++;
  expect(same / 500).toBeGreaterThan(0.9);
  // group lasso made some weights exactly zero
  expect(network.layers.some((l) => l.kernel.some((v) => v === 0))).toBe(true);
});
