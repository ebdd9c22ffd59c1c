/** ONNX export: onnxruntime's outputs on the exported model equal the reference forward pass. */
import { argmaxRows } from '../../src/network/forward';
import type { Network } from '../../src/network/types';
import { META, OnnxModel, exportOnnx, readOnnxInfo, runOnnx, selectColumns, type ExportOptions } from '../../src/onnx';
import { chooseInputForm, columnRuns, mergeRuns, readColumns } from '../../src/onnx/input-forms';
import { Rng } from '../../src/util/rng';
import { keepInputs, maxAbsDiff, predictProba, randomData, randomNet } from './helpers';

const ROWS = 64;

async function expectMatches(net: Network, opts: Partial<ExportOptions> = {}): Promise<Uint8Array> {
  const bytes = exportOnnx(net, { producerVersion: 'test', ...opts });
  const x = randomData(ROWS, net.inputWidth, 7);
  const fed = opts.compactInput ? selectColumns(x, ROWS, net.inputWidth, net.inputIndices) : x;
  const out = await runOnnx(bytes, fed, ROWS, fed.length / ROWS);
  const ref = predictProba(net, x, ROWS);
  const classes = net.layers[net.layers.length - 1].outSize;
  expect(maxAbsDiff(out.probabilities, ref)).toBeLessThanOrEqual(1e-5);
  expect(Array.from(out.labels)).toEqual(Array.from(argmaxRows(ref, classes)));
  expect(Array.from(out.labels)).toEqual(Array.from(argmaxRows(out.probabilities, classes)));
  return bytes;
}

describe('exportOnnx + onnxruntime', () => {
  test('random network without scaling', async () => {
    await expectMatches(randomNet(12, [16, 8], 4, 1));
  });

  test('random network with scaling folded into the first layer', async () => {
    const bytes = await expectMatches(randomNet(12, [16, 8], 4, 2, true));
    expect(readOnnxInfo(bytes, 'm').nodes.map((n) => n.op)).toEqual(['Sub', 'Gemm', 'Relu', 'Gemm', 'Relu', 'Gemm', 'Softmax', 'ArgMax']);
  });

  test('raw features with means far larger than their spread (as in SDD, covtype) stay within 1e-5', async () => {
    const d = 48;
    const rng = new Rng(5);
    const mean = Float32Array.from({ length: d }, () => (rng.next() - 0.5) * 6000);
    const std = Float32Array.from({ length: d }, () => 0.01 + rng.next() * 2);
    const net = { ...randomNet(d, [32, 32], 11, 3), scaling: { mean, std } };
    const rows = 256;
    const x = Float32Array.from({ length: rows * d }, (_, i) => mean[i % d] + std[i % d] * rng.normal());
    const out = await runOnnx(exportOnnx(net, { producerVersion: 'test' }), x, rows, d);
    expect(maxAbsDiff(out.probabilities, predictProba(net, x, rows))).toBeLessThanOrEqual(1e-5);
  });

  test('logistic regression (no hidden layer)', async () => {
    await expectMatches(randomNet(9, [], 3, 3, true));
  });

  test('dropped inputs: every full-width input form, and compact input', async () => {
    const net = keepInputs(randomNet(10, [7], 3, 4, true), [1, 4, 5, 9]);
    const ops = async (o: Partial<ExportOptions>) => {
      const info = readOnnxInfo(await expectMatches(net, o), 'full');
      expect(info.inputs[0].shape).toEqual(['batch', 10]);
      return info.nodes.map((n) => n.op).slice(0, 4);
    };
    expect(await ops({ inputForm: 'gather' })).toEqual(['Gather', 'Sub', 'Gemm', 'Relu']);
    expect(await ops({ inputForm: 'zero-rows' })).toEqual(['Sub', 'Gemm', 'Relu', 'Gemm']);
    expect(await ops({ inputForm: 'segments', maxSegments: 1 })).toEqual(['Slice', 'Sub', 'Gemm', 'Relu']);
    expect(await ops({ inputForm: 'segments', maxSegments: 2 })).toEqual(['Slice', 'Slice', 'Concat', 'Sub']);
    expect(await ops({ inputForm: 'segments', maxSegments: 9 })).toEqual(['Slice', 'Slice', 'Slice', 'Concat']);
    const full = await expectMatches(net);
    expect(readOnnxInfo(full, 'full').metadata[META.inputForm]).toBe(chooseInputForm(net));
    const compact = await expectMatches(net, { compactInput: true });
    const ci = readOnnxInfo(compact, 'compact');
    expect(ci.inputs[0].shape).toEqual(['batch', 4]);
    expect(ci.interface).toEqual({ classLabels: ['c0', 'c1', 'c2'], inputWidth: 10, keptIndices: [1, 4, 5, 9], compactInput: true });
    expect(ci.metadata[META.keptNames]).toBeUndefined(); // default names x<column> are implied
    const named = { ...net, featureNames: net.featureNames.map((_, c) => `f${c}`) };
    const nm = readOnnxInfo(exportOnnx(named, { producerVersion: 't' }), 'named').metadata;
    expect(JSON.parse(nm[META.keptNames])).toEqual(['f1', 'f4', 'f5', 'f9']);
  });

  test('column runs, merging across the smallest gaps, and the columns each form reads', () => {
    expect(columnRuns([1, 4, 5, 9, 10, 11])).toEqual([
      [1, 2],
      [4, 6],
      [9, 12],
    ]);
    expect(mergeRuns(columnRuns([1, 4, 5, 9, 10, 11]), 2)).toEqual([
      [1, 6],
      [9, 12],
    ]);
    expect(mergeRuns(columnRuns([0, 1, 5, 7]), 1)).toEqual([[0, 8]]);
    const net = keepInputs(randomNet(12, [3], 2, 4), [1, 4, 5, 9, 10, 11]);
    expect(readColumns(net, 'zero-rows')).toHaveLength(12);
    expect(readColumns(net, 'gather')).toEqual([1, 4, 5, 9, 10, 11]);
    expect(readColumns(net, 'segments', 2)).toEqual([1, 2, 3, 4, 5, 9, 10, 11]);
    // a narrow first layer: the extra multiply-adds of zero rows cost less than copying columns
    expect(chooseInputForm(net)).toBe('zero-rows');
    // 5 kept columns in one run of a 2000-wide input read by 64 units: one Slice is cheapest
    expect(chooseInputForm(keepInputs(randomNet(2000, [64], 2, 4), [100, 101, 102, 103, 104]))).toBe('segments');
    // 8 columns scattered over a 2000-wide input: only a Gather reads few columns
    const far = [0, 300, 600, 900, 1200, 1500, 1800, 1999];
    expect(chooseInputForm(keepInputs(randomNet(2000, [64], 2, 4), far))).toBe('gather');
  });

  test('a hidden layer with 0 units makes the output a constant row', async () => {
    const net = randomNet(5, [4, 3], 3, 5, true);
    net.layers[0] = { op: 'dense' as const, inSize: 5, outSize: 0, kernel: new Float32Array(0), bias: new Float32Array(0) };
    net.layers[1] = { ...net.layers[1], inSize: 0, kernel: new Float32Array(0) };
    await expectMatches(net);
    const none = keepInputs(randomNet(5, [3], 2, 6), []);
    await expectMatches(none);
    await expectMatches(none, { compactInput: true });
  });

  test('metadata, producer and opset round-trip through readOnnxInfo', () => {
    const net = keepInputs(randomNet(6, [5], 2, 8), [0, 2, 3]);
    const bytes = exportOnnx(net, { producerVersion: '9.9.9', metadata: { train_config: '{"lambda":0.1}', params_before_pruning: '47' } });
    const info = readOnnxInfo(bytes, 'm.onnx');
    expect(info.producer).toEqual({ name: 'gs-compress', version: '9.9.9' });
    expect(info.irVersion).toBe(8);
    expect(info.opsets).toEqual([{ domain: '', version: 17 }]);
    expect(info.metadata.train_config).toBe('{"lambda":0.1}');
    expect(info.metadata.params_before_pruning).toBe('47');
    expect(info.metadata[META.parameters]).toBe(String(3 * 5 + 5 + 5 * 2 + 2));
    expect(info.interface?.keptIndices).toEqual([0, 2, 3]);
    expect(info.interface?.compactInput).toBe(false);
    // default form here: zero rows, so the first kernel spans all 6 raw columns
    expect(info.metadata[META.inputForm]).toBe('zero-rows');
    expect(info.layers.map((l) => [l.inSize, l.outSize, l.relu])).toEqual([
      [6, 5, true],
      [5, 2, false],
    ]);
    expect(info.outputs).toEqual([
      { name: 'probabilities', type: 'float32', shape: ['batch', 2] },
      { name: 'label', type: 'int64', shape: ['batch'] },
    ]);
  });

  test('predict feeds large data in chunks', async () => {
    const net = randomNet(8, [6], 3, 9, true);
    const x = randomData(50, 8, 10);
    const model = await OnnxModel.open(exportOnnx(net, { producerVersion: 't' }), { chunkRows: 7 });
    try {
      const out = await model.predict(x, 50, 8);
      expect(maxAbsDiff(out.probabilities, predictProba(net, x, 50))).toBeLessThanOrEqual(1e-5);
    } finally {
      await model.close();
    }
  });
});
