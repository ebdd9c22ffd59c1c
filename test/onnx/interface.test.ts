/**
 * Exports of an imported network keep the original's interface (drop-in replacement): the input's
 * name and shape with a symbolic batch, one output with the original's name and meaning (logits stay
 * logits, probabilities stay probabilities, log-softmax stays log-probabilities), and the same values
 * as the original on the same rows. extraOutputs adds probabilities and label; the interface survives
 * pruning and a run directory; verify reads it back from the metadata.
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { importModel } from '../../src/import';
import { loadRun, saveRun } from '../../src/network/run-io';
import { describeInterface, exportOnnx, readOnnxInfo, verifyOnnx } from '../../src/onnx';
import { runOriginalOnnx } from '../../src/onnx/original';
import { onnx } from '../../src/codec/onnx-proto';
import { pruneNetwork } from '../../src/prune';
import { randomRows } from '../../src/pipeline/import-check';

const FIX = path.join(__dirname, '..', 'fixtures', 'import');
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'gs-interface-'));
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

/** Input name and dims, output names and dims of a model (dims: number or the symbolic name). */
function signature(bytes: Uint8Array) {
  const g = onnx.ModelProto.decode(bytes).graph as onnx.GraphProto;
  const dims = (v: onnx.IValueInfoProto) => (v.type?.tensorType?.shape?.dim ?? []).map((d) => (d.dimParam ? 'sym' : Number(d.dimValue)));
  return {
    inputs: g.input.map((v) => [v.name, dims(v)]),
    outputs: g.output.map((v) => [v.name, v.type?.tensorType?.elemType, dims(v)]),
  };
}

const CASES: [string, string, string, 'logits' | 'softmax' | 'log-softmax'][] = [
  ['torch-relu.onnx', 'input', 'output', 'logits'],
  ['torch-fixed-batch.onnx', 'onnx::Gemm_0', '11', 'logits'],
  ['torch-tanh-sigmoid-softmax.onnx', 'input', 'output', 'softmax'],
  ['torch-gelu-leaky-logsoftmax.onnx', 'input', 'output', 'log-softmax'],
  ['tf2onnx-keras-mlp.onnx', 'dense_input', 'dense_2', 'softmax'],
];

describe.each(CASES)('%s', (file, inputName, outputName, form) => {
  const m = importModel(path.join(FIX, file));
  const original = fs.readFileSync(path.join(FIX, file));

  test('the import records the original interface', () => {
    expect(m.network.io).toEqual({ inputName, inputShape: [6], outputName, outputForm: form });
  });

  test('the export has the same input and output names, a symbolic batch, and the same values on the same rows', async () => {
    const bytes = exportOnnx(m.network, { producerVersion: 't' });
    expect(signature(bytes)).toEqual({ inputs: [[inputName, ['sym', 6]]], outputs: [[outputName, 1, ['sym', 3]]] });
    const rows = 40;
    const x = randomRows(m.network, rows, 9);
    const [want] = await runOriginalOnnx(original, { inputName, inputShape: [6], outputs: [outputName] }, x, rows);
    const [got] = await runOriginalOnnx(bytes, { inputName, inputShape: [6], outputs: [outputName] }, x, rows);
    expect(got.length).toBe(rows * 3);
    let max = 0;
    for (let i = 0; i < got.length; i++) max = Math.max(max, Math.abs(got[i] - want[i]) / Math.max(1, Math.abs(want[i])));
    expect(max).toBeLessThan(1e-5);
    expect(describeInterface(m.network)).toContain(`input ${inputName} [N, 6] -> output ${outputName} [N, 3]: `);
  });
});

test('extraOutputs adds probabilities and label after the original output', () => {
  const m = importModel(path.join(FIX, 'torch-relu.onnx'));
  const s = signature(exportOnnx(m.network, { producerVersion: 't', extraOutputs: true }));
  expect(s.outputs.map((o) => o[0])).toEqual(['output', 'probabilities', 'label']);
  expect(describeInterface(m.network, { extraOutputs: true })).toBe(
    'input input [N, 6] -> output output [N, 3]: logits; plus probabilities [N, 3] and label [N]',
  );
  // io: null writes our own interface
  expect(signature(exportOnnx(m.network, { producerVersion: 't', io: null })).inputs[0][0]).toBe('features');
});

test('a model whose input the graph flattens keeps its input shape', () => {
  const m = importModel(path.join(FIX, 'tfjs-keras-mlp/model.json'));
  expect(m.network.io?.outputForm).toBe('softmax');
  const net = { ...m.network, io: { ...m.network.io!, inputShape: [2, 3] } };
  const s = signature(exportOnnx(net, { producerVersion: 't' }));
  expect(s.inputs[0][1]).toEqual(['sym', 2, 3]);
});

test('the interface survives pruning and a run directory; verify reads it from the metadata', async () => {
  const m = importModel(path.join(FIX, 'torch-gelu-leaky-logsoftmax.onnx'));
  const dir = path.join(tmp, 'run');
  saveRun(dir, m.network, { generatedBy: 'test', createdAt: 'now' });
  const back = loadRun(dir).network;
  expect(back.io).toEqual(m.network.io);
  const pruned = pruneNetwork(back).network;
  expect(pruned.io).toEqual(m.network.io);
  const bytes = exportOnnx(pruned, { producerVersion: 't' });
  expect(readOnnxInfo(bytes, 'm.onnx').interface?.io).toMatchObject({
    inputName: 'input',
    outputName: 'output',
    outputForm: 'log-softmax',
  });
  const rows = 50;
  const x = randomRows(back, rows, 4);
  const v = await verifyOnnx({ onnx: bytes, reference: back, features: x, rows });
  expect(v.ok).toBe(true);
  expect(v.maxProbDiff).toBeLessThan(1e-5);
  expect(v.agreement).toBe(1);
});
