/**
 * compress: a model the user has (a fixture from torch.onnx.export) to a parameter budget,
 * checked against the original: the slim model fits the budget (reached by removal steps that
 * never grow the network), its ONNX export equals it, and it agrees with the original on most
 * test rows of data labelled by the original.
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { parameterCount } from '../../src/network/create';
import { predictLabels } from '../../src/network/forward';
import { compressModel } from '../../src/pipeline/compress-model';
import { loadInit } from '../../src/pipeline/init-from';
import { readOnnxInfo, runOnnx } from '../../src/onnx';
import { runOriginalOnnx } from '../../src/onnx/original';
import { onnx } from '../../src/codec/onnx-proto';
import { plantedModelData } from './planted-model-data';

const FIX = path.join(__dirname, '..', 'fixtures', 'import');
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'gs-compress-model-'));
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

test('the default torch.onnx.export (batch fixed at 1) compresses to --target-params into a drop-in replacement', async () => {
  const model = path.join(FIX, 'torch-fixed-batch.onnx');
  const data = await plantedModelData(model, 1500, 300);
  const out = path.join(tmp, 'slim-fixed.onnx');
  const r = await compressModel(model, data, {
    targetParams: 150,
    epochs: 6,
    finetuneEpochs: 6,
    train: { lr: 3e-3 },
    exportPath: out,
    producerVersion: 't',
  });
  expect(r.targetParams).toBe(150);
  expect(r.slim.parameters).toBeLessThanOrEqual(150);
  expect(r.interface).toBe('input onnx::Gemm_0 [N, 6] -> output 11 [N, 3]: logits');
  // the same input and output names as the original, one output, a symbolic batch
  const bytes = fs.readFileSync(out);
  const g = onnx.ModelProto.decode(bytes).graph as onnx.GraphProto;
  expect(g.input.map((v) => v.name)).toEqual(['onnx::Gemm_0']);
  expect(g.output.map((v) => v.name)).toEqual(['11']);
  expect(g.input[0].type?.tensorType?.shape?.dim?.[0]?.dimParam).toBeTruthy();
  // like with like: the slim model's logits and the original's logits on the same 300 rows, fed at once
  const spec = { inputName: 'onnx::Gemm_0', inputShape: [6], outputs: ['11'] };
  const [slim] = await runOriginalOnnx(bytes, spec, data.test.features, 300);
  const [orig] = await runOriginalOnnx(fs.readFileSync(model), spec, data.test.features, 300);
  expect(slim.length).toBe(orig.length);
  let same = 0;
  for (let i = 0; i < 300; i++) {
    const am = (z: Float32Array) => [0, 1, 2].reduce((b, j) => (z[i * 3 + j] > z[i * 3 + b] ? j : b), 0);
    if (am(slim) === am(orig)) same++;
  }
  expect(same / 300).toBeCloseTo(r.agreement as number, 10);
  expect(r.agreement).toBeGreaterThan(0.8);
  await expect(compressModel(model, data, { targetParams: 10_000, producerVersion: 't' })).rejects.toThrow(
    /--target-params 10000 is more than the model's 215 parameters/,
  );
});

test('extraOutputs: the original output, then probabilities and label', async () => {
  const model = path.join(FIX, 'torch-tanh-sigmoid-softmax.onnx');
  const data = await plantedModelData(model, 1500, 300);
  const r = await compressModel(model, data, { targetRatio: 0.6, epochs: 2, finetuneEpochs: 1, extraOutputs: true, producerVersion: 't' });
  expect(r.interface).toBe('input input [N, 6] -> output output [N, 3]: probabilities (softmax); plus probabilities [N, 3] and label [N]');
  const g = onnx.ModelProto.decode(r.onnx).graph as onnx.GraphProto;
  expect(g.output.map((v) => v.name)).toEqual(['output', 'probabilities', 'label']);
});

test('compress MODEL to 50% of its parameters: fits, exports exactly, agrees with the original', async () => {
  const model = path.join(FIX, 'torch-relu.onnx');
  const src = await loadInit(model);
  // data labelled by the original model, so accuracy and agreement mean something
  const data = await plantedModelData(model, 1500, 400);
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

test('--distill: the slim model learns from the original as well as from the labels', async () => {
  const model = path.join(FIX, 'torch-relu.onnx');
  const data = await plantedModelData(model, 1500, 400);
  // training labels that disagree with the original on 60% of the rows: alone they pull away from it
  const y = data.train.labels;
  for (let r = 0; r < y.length; r++) if (r % 5 < 3) y[r] = (y[r] + 1 + (r % 2)) % 3;
  const opts = { targetRatio: 0.5, epochs: 6, finetuneEpochs: 4, producerVersion: 't', train: { lr: 3e-3 } };
  const plain = await compressModel(model, data, opts);
  const distilled = await compressModel(model, data, { ...opts, distill: true });
  expect(distilled.slim.parameters).toBeLessThanOrEqual(distilled.targetParams);
  expect(distilled.agreement as number).toBeGreaterThan((plain.agreement as number) + 0.1);
});

test('--distill is refused for a regressor, with the reason', async () => {
  const model = path.join(FIX, 'torch-regressor.onnx');
  const data = await plantedModelData(path.join(FIX, 'torch-relu.onnx'), 50, 20);
  await expect(
    compressModel(model, { ...data, task: 'regression' }, { task: 'regression', targetRatio: 0.5, distill: true, producerVersion: 't' }),
  ).rejects.toThrow(/regressor: --distill .* applies to classifiers/);
});

test('a budget value no model can meet is refused before the model is read', async () => {
  const missing = path.join(tmp, 'no-such-model.onnx');
  const data = await plantedModelData(path.join(FIX, 'torch-fixed-batch.onnx'), 20, 10);
  const base = { epochs: 1, finetuneEpochs: 0, producerVersion: 'test' };
  // the file does not exist: each refusal names the option, so nothing was opened first
  await expect(compressModel(missing, data, { ...base, targetSpeedup: 0.5 })).rejects.toThrow(
    /--target-speedup 0.5: expected a number above 1/,
  );
  await expect(compressModel(missing, data, { ...base, targetMacsRatio: 2 })).rejects.toThrow(
    /--target-macs-ratio 2: expected a number in \(0, 1\]/,
  );
  await expect(compressModel(missing, data, { ...base, targetRatio: 0 })).rejects.toThrow(
    /--target-ratio 0: expected a number in \(0, 1\]/,
  );
  await expect(compressModel(missing, data, { ...base, targetRatio: 0.5, roundChannels: 0 })).rejects.toThrow(/--round-channels 0/);
  await expect(compressModel(missing, data, { ...base, targetRatio: 0.5 })).rejects.toThrow(/no-such-model\.onnx/);
});
