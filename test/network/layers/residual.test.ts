/**
 * Residual blocks (network/layers/residual.ts and the `( ... )` tokens of --arch): the layer list
 * the grammar writes for identity and projection shortcuts, the reference forward pass against a
 * block computed by hand from its parts, the ONNX export run by onnxruntime, saving and loading,
 * and the grammar's refusals.
 */
import { parseArch } from '../../../src/network/arch';
import { initArchNetwork } from '../../../src/network/create-arch';
import { logits } from '../../../src/network/forward';
import { forwardLayers } from '../../../src/network/layers/table';
import type { AnyLayer, Network } from '../../../src/network/types';
import { expectAgreesInOnnx, randomBatchNorms, randomInputs } from './cnn-fixtures';

const ops = (net: Network<AnyLayer>) =>
  net.layers.map((l) => (l.op === 'conv' || l.op === 'batchnorm' || l.op === 'add' ? `${l.op}:${l.activation?.name ?? '-'}` : l.op));

test('an identity block and a projection block become save ... add and save ... shortcut 1x1 conv ... add', () => {
  const net = initArchNetwork('c4k3p1-bn-(c4k3p1-bn-c4k3p1-bn)-(c8k3p1s2-bn-c8k3p1-bn)-g', [1, 9, 9], 3, 0);
  expect(ops(net)).toEqual([
    'conv:-',
    'batchnorm:relu',
    'save',
    'conv:-',
    'batchnorm:relu',
    'conv:-',
    'batchnorm:-', // the branch ends linear
    'add:relu', // ReLU after the sum
    'save',
    'conv:-',
    'batchnorm:relu',
    'conv:-',
    'batchnorm:-',
    'shortcut',
    'conv:-', // 1x1, stride 2, 4 -> 8 channels
    'batchnorm:-',
    'add:relu',
    'gap',
    'flatten',
    'dense',
  ]);
  const proj = net.layers[14] as Extract<AnyLayer, { op: 'conv' }>;
  expect([proj.cin, proj.cout, proj.kernel, proj.strides]).toEqual([4, 8, [1, 1], [2, 2]]);
  const arch = parseArch('c4k3p1-(c4k3p1-c4k3p1)-(c8k3p1s2-c8k3p1)', [1, 9, 9]);
  // no batch norm in the branch: none in the shortcut; counts include the projection
  expect(arch.layers.map((l) => l.op).join(' ')).toBe('conv save conv conv add save conv conv shortcut conv add flatten');
  expect(arch.params).toBe(4 * 9 + 4 + 2 * (4 * 4 * 9 + 4) + (8 * 4 * 9 + 8) + (8 * 8 * 9 + 8) + (8 * 4 + 8));
  expect(arch.outputShape).toEqual([8 * 5 * 5]);
});

test('the forward pass adds the block input to the branch, then applies the ReLU', () => {
  const net = randomBatchNorms(initArchNetwork('c3k3p1-(c3k3p1-bn-c3k3p1-bn)-f4', [2, 5, 5], 3, 1), 2);
  const x = randomInputs(net, 3, 4);
  const rows = 3;
  const L = net.layers;
  // the first convolution with its ReLU (the save after it keeps it hidden)
  const first = forwardLayers(L.slice(0, 2), Float64Array.from(x), rows, [2, 5, 5]);
  // the branch computed as its own stack (its last batch norm linear as in the block)
  const branch = forwardLayers([...L.slice(2, 6), { op: 'flatten', channels: 3, spread: 25 }], first, rows, [3, 5, 5]);
  const sum = branch.map((v, i) => Math.max(0, v + first[i]));
  const expected = forwardLayers(L.slice(L.length - 2), sum, rows, [3, 5, 5]);
  const got = logits(net, x, rows);
  got.forEach((v, i) => expect(v).toBeCloseTo(expected[i], 5));
});

test('identity and projection blocks, 2-D and 1-D, export to ONNX and onnxruntime agrees', async () => {
  for (const [spec, shape] of [
    ['c4k3p1-bn-(c4k3p1-bn-c4k3p1-bn)-(c8k3p1s2-bn-c8k3p1-bn)-g-f6', [2, 9, 9]],
    ['c4k3p1-((c4k3p1-c4k3p1)-c4k3p1)-m2-(c6k3p1)', [1, 12, 12]],
    ['c5k3p1-bn-(c5k3p1-bn-c5k3p1-bn)-(c7k3p1s2-bn)', [3, 20]],
  ] as const) {
    const net = randomBatchNorms(initArchNetwork(spec, [...shape], 4, 3), 5);
    await expectAgreesInOnnx(net, 16);
  }
});

test('the grammar refuses unbalanced parentheses, empty blocks, flat blocks and shapes that cannot be added', () => {
  const shape = [1, 8, 8];
  expect(() => parseArch('c4k3p1-(c4k3p1', shape)).toThrow(/block opened at '\(c4k3p1' is not closed/);
  expect(() => parseArch('c4k3p1-c4k3p1)', shape)).toThrow(/'\)' closes no residual block/);
  expect(() => parseArch('(f8)', [16])).toThrow(/needs an image or sequence input/);
  expect(() => parseArch('c4k3p1-(c4k3)', shape)).toThrow(/turns 4x8x8 into 4x6x6/);
  expect(() => parseArch('c4k3p1-(m2-c4k3p1-f3)', shape)).toThrow(/turns 4x8x8 into 3/);
  expect(() => parseArch('c4k3p1-(bn)', shape)).toThrow(/bn must come right after a convolution/);
});
