/**
 * Joins (network/layers/concat.ts and the `[ A | B ]` tokens of --arch): the layer list the grammar
 * writes for two, three and empty branches, the forward pass against the branches computed as their
 * own stacks and concatenated by hand, the ONNX export run by onnxruntime (2-D and 1-D, nested with
 * residual blocks; a join of 3+ branches from one tensor as one Concat) and imported back into the
 * same layers, and the grammar's refusals.
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { importModel } from '../../../src/import';
import { parseArch } from '../../../src/network/arch';
import { initArchNetwork } from '../../../src/network/create-arch';
import { logits } from '../../../src/network/forward';
import { foldBatchNorms } from '../../../src/network/layers/fold-batchnorm';
import { forwardLayers } from '../../../src/network/layers/table';
import type { AnyLayer, Network } from '../../../src/network/types';
import { exportOnnx } from '../../../src/onnx/export';
import { readOnnxInfo } from '../../../src/onnx/read';
import { expectAgreesInOnnx, randomBatchNorms, randomInputs } from './cnn-fixtures';

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'gs-concat-'));
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

const ops = (net: Network<AnyLayer>) =>
  net.layers.map((l) => (l.op === 'concat' ? `concat${l.first}+${l.second}` : l.op === 'conv' ? `conv${l.cout}` : l.op));

test('two, three and empty branches become save ... shortcut ... concat, the join input kept while branches remain', () => {
  const shape = [1, 8, 8];
  expect(ops(initArchNetwork('c4k3p1-[c2k1|c3k3p1]-m2', shape, 3, 0))).toEqual([
    'conv4',
    'save',
    'conv2',
    'shortcut',
    'conv3',
    'concat2+3',
    'pool',
    'flatten',
    'dense',
  ]);
  // DenseNet's [x, B(x)] and its mirror
  expect(ops(initArchNetwork('c4k3p1-[|c3k3p1]', shape, 3, 0))).toEqual([
    'conv4',
    'save',
    'shortcut',
    'conv3',
    'concat4+3',
    'flatten',
    'dense',
  ]);
  expect(ops(initArchNetwork('c4k3p1-[c2k1|]', shape, 3, 0))).toEqual([
    'conv4',
    'save',
    'conv2',
    'shortcut',
    'concat2+4',
    'flatten',
    'dense',
  ]);
  expect(ops(initArchNetwork('c4k3p1-[c2k1|c3k3p1|c1k1]', shape, 3, 0))).toEqual([
    'conv4',
    'save',
    'conv2',
    'shortcut',
    'save',
    'conv3',
    'concat2+3',
    'shortcut',
    'conv1',
    'concat5+1',
    'flatten',
    'dense',
  ]);
  const arch = parseArch('c4k3p1-[c2k1|c3k3p1]-m2', shape);
  expect(arch.outputShape).toEqual([5 * 4 * 4]);
  expect(arch.macs).toBe(4 * 9 * 64 + 2 * 4 * 64 + 3 * 4 * 9 * 64);
});

test('the forward pass concatenates the branches along the channels, in order', () => {
  const net = randomBatchNorms(initArchNetwork('c3k3p1-[c2k1-bn|c4k3p1|a1]-f4', [2, 5, 5], 3, 1), 2);
  const x = randomInputs(net, 3, 4);
  const rows = 3;
  const L = net.layers;
  // the first convolution with its ReLU (the save after it keeps it hidden)
  const input = forwardLayers(L.slice(0, 2), Float64Array.from(x), rows, [2, 5, 5]);
  const flat = (c: number) => ({ op: 'flatten' as const, channels: c, spread: 25 });
  // each branch as its own stack on the join's input (hidden: a flatten after it)
  const a = forwardLayers([L[2], L[3], flat(2)], input, rows, [3, 5, 5]);
  const b = forwardLayers([L[6], flat(4)], input, rows, [3, 5, 5]);
  const c = forwardLayers([L[9], flat(3)], input, rows, [3, 5, 5]);
  const joined = new Float64Array(rows * 9 * 25);
  for (let r = 0; r < rows; r++) {
    joined.set(a.subarray(r * 50, (r + 1) * 50), r * 225);
    joined.set(b.subarray(r * 100, (r + 1) * 100), r * 225 + 50);
    joined.set(c.subarray(r * 75, (r + 1) * 75), r * 225 + 150);
  }
  expect(L.map((l) => l.op).slice(-4)).toEqual(['concat', 'flatten', 'dense', 'dense']);
  const expected = forwardLayers(L.slice(L.length - 2), joined, rows, [225]);
  const got = logits(net, x, rows);
  got.forEach((v, i) => expect(v).toBeCloseTo(expected[i], 5));
});

test('joins, 2-D and 1-D and nested with residual blocks, export to ONNX and onnxruntime agrees', async () => {
  // Concat nodes of each file by their input counts: a join of 3+ branches from one tensor is one
  // Concat; a join inside the first branch of another stays a Concat of its own, and the outer join nested
  for (const [spec, shape, concats] of [
    ['c4k3p1-bn-[c2k1-bn|c4k3p1-bn-c3k3p1-bn|m1]-m2-f6', [2, 9, 9], [3]],
    ['c3k3p1-[|c2k3p1]-[(c5k3p1-bn-c5k3p1-bn)|c2k1-[c1k1|]]-g', [1, 8, 8], [2, 2, 2]],
    ['c5k3p1-bn-[c3k1s2|c2k3p1s2-c2k1]-a2', [3, 20], [2]],
    ['c4k3p1-[c2k1-[c1k1|c1k3p1]|c2k1|m1|c1k1]-g', [1, 8, 8], [2, 2, 2, 2]],
  ] as const) {
    const net = randomBatchNorms(initArchNetwork(spec, [...shape], 4, 3), 5);
    await expectAgreesInOnnx(net, 16);
    const features = randomInputs(net, 16, 6);
    // and the file (written with a logits output, as an exporter writes one) imports back into the
    // same layers
    const file = path.join(tmp, `${spec.replace(/[^a-z0-9]/gi, '_')}.onnx`);
    const io = { inputName: 'input', inputShape: [...shape], outputName: 'logits', outputForm: 'logits' as const };
    const bytes = exportOnnx(net, { producerVersion: 'test', io });
    const nodes = readOnnxInfo(bytes, 'm').nodes;
    expect(nodes.filter((n) => n.op === 'Concat').map((n) => n.inputs.length)).toEqual([...concats]);
    fs.writeFileSync(file, bytes);
    const back = importModel(file).network;
    expect(ops(back)).toEqual(ops({ ...net, layers: foldBatchNorms(net.layers) }));
    const [a, b] = [logits(net, features, 16), logits(back, features, 16)];
    expect(a.reduce((m, v, i) => Math.max(m, Math.abs(v - b[i])), 0)).toBeLessThan(1e-4);
  }
});

test('the grammar refuses one-branch joins, unbalanced brackets, stray bars, flat branches and sizes that do not line up', () => {
  const shape = [1, 8, 8];
  expect(() => parseArch('c4k3p1-[c2k1]', shape)).toThrow(/has one branch; separate two or more with '\|'/);
  expect(() => parseArch('c4k3p1-[c2k1|c3k1', shape)).toThrow(/join opened at '\[c2k1' is not closed with '\]'/);
  expect(() => parseArch('c4k3p1-c2k1|c3k1', shape)).toThrow(/'\|' outside any join/);
  expect(() => parseArch('c4k3p1-(c2k1|c4k1)', shape)).toThrow(/'\|' inside the residual block/);
  expect(() => parseArch('c4k3p1-[c2k1|c3k1)]', shape)).toThrow(/'\)' closes the join/);
  expect(() => parseArch('c4k3p1-[c2k1|f3]', shape)).toThrow(/ends flat; branches must stay spatial/);
  expect(() => parseArch('c4k3p1-[c2k1|c3k3]', shape)).toThrow(/end at 8x8 and 6x6; they must end at the same spatial size/);
  expect(() => parseArch('[f2|f3]', [16])).toThrow(/a join needs an image or sequence input/);
});
