/**
 * readOnnxInfo's layer table (what `inspect` prints): sizes, activation and stored weight type of
 * every dense layer, for float32, float16 and int8 exports (whose kernels reach the MatMul through a
 * Cast or a Pad of initializers), for a PyTorch export (Gemm with transB=1), and a depthwise
 * convolution (group = C: C channels in, not the weight's 1 per group).
 */
import * as fs from 'fs';
import * as path from 'path';
import { readOnnxInfo } from '../../src/onnx';
import { exportOnnx } from '../../src/onnx/export';
import { keepInputs, randomNet } from './helpers';

const FIXTURES = path.join(__dirname, '..', 'fixtures', 'import');

describe('layer table of an ONNX file', () => {
  const base = keepInputs(randomNet(12, [7, 5], 3, 4), [1, 2, 5, 6, 9]);
  const net = { ...base, layers: base.layers.map((l, i) => (i === 1 ? { ...l, activation: { name: 'tanh' as const } } : l)) };
  const shapes = (bytes: Uint8Array) => readOnnxInfo(bytes, 'm.onnx').layers.map((l) => [l.inSize, l.outSize, l.activation, l.weights]);

  test.each([
    ['float32', {}, 'float32'],
    ['float16', { quantize: 'float16' as const }, 'float16'],
    ['int8', { quantize: 'int8' as const }, 'int8'],
  ])('%s export: every layer with its sizes, activation and weight type', (_name, opts, type) => {
    const full = shapes(exportOnnx(net, { producerVersion: 't', ...opts }));
    expect(full).toEqual([
      [12, 7, 'relu', type],
      [7, 5, 'tanh', type],
      [5, 3, 'softmax', type],
    ]);
    const compact = shapes(exportOnnx(net, { producerVersion: 't', compactInput: true, ...opts }));
    expect(compact[0]).toEqual([5, 7, 'relu', type]);
  });

  test('int8: a full-width kernel stores only the rows from the first to the last kept column', () => {
    const info = readOnnxInfo(exportOnnx(net, { producerVersion: 't', quantize: 'int8' }), 'm.onnx');
    // kept columns 1..9: rows 1-9 of the 12 are stored (9 x 7 weights) plus 7 biases
    expect(info.layers[0].parameters).toBe(9 * 7 + 7);
    expect(info.layers[0].op).toBe('MatMulInteger');
  });

  test('a torch.onnx.export graph: Gemm with transB=1 reads [out, in] kernels', () => {
    const file = path.join(FIXTURES, 'torch-gelu-leaky-logsoftmax.onnx');
    const info = readOnnxInfo(fs.readFileSync(file), file);
    const layers = info.layers.map((l) => [l.inSize, l.outSize, l.activation]);
    // a chain: each layer reads what the one before writes
    for (let i = 1; i < layers.length; i++) expect(layers[i][0]).toBe(layers[i - 1][1]);
    expect(layers.map((l) => l[2])).toEqual(['gelu', 'leaky_relu', 'log_softmax']);
  });

  test('a depthwise convolution reads all its channels (group x channels per group)', () => {
    const file = path.join(FIXTURES, 'torch-mobilenet-bn-folded.onnx');
    const info = readOnnxInfo(fs.readFileSync(file), file);
    const convs = info.layers.filter((l) => l.op === 'Conv').map((l) => [l.inSize, l.outSize, l.activation]);
    expect(convs.slice(0, 3)).toEqual([
      [1, 8, 'relu6'],
      [8, 8, 'relu6'],
      [8, 12, 'relu6'],
    ]);
  });
});
