/**
 * The WebAssembly SIMD convolution kernels (assembly/conv-gemm.ts for group 1, assembly/conv.ts for groups, through build/kernels.wasm, driven by
 * src/train/fused/conv-wasm.ts) against the TypeScript reference (src/network/kernels/conv.ts):
 * forward, input / weight / bias gradients, for strides, asymmetric pads, dilation, groups,
 * depthwise and 1-D, with and without bias and input gradient, and a batch smaller than laid out.
 */
import { convBackward, convForward, convGeometry, type ConvAttributes } from '../../src/network/kernels/conv';
import { WasmConv } from '../../src/train/fused/conv-wasm';
import { wasmPassAvailable } from '../../src/train/fused/wasm-pass';
import { Rng } from '../../src/util/rng';
import { maxRelDiff, randomF32 } from '../network/kernels/helpers';

const CASES: { label: string; n: number; input: number[]; out: number; attrs: ConvAttributes }[] = [
  { label: 'LeNet conv2 (6x12x12 -> 16x8x8, k5)', n: 5, input: [6, 12, 12], out: 16, attrs: { kernel: [5, 5] } },
  { label: 'padding 1, k3, odd widths', n: 3, input: [3, 9, 11], out: 5, attrs: { kernel: [3, 3], pads: [1, 1] } },
  {
    label: 'stride 2, asymmetric pads, dilation',
    n: 2,
    input: [3, 10, 9],
    out: 4,
    attrs: { kernel: [3, 2], strides: [2, 3], pads: [1, 0, 2, 1], dilations: [2, 1] },
  },
  { label: 'two groups', n: 2, input: [4, 7, 6], out: 6, attrs: { kernel: [3, 3], pads: [1, 1], group: 2 } },
  { label: 'depthwise', n: 2, input: [5, 8, 8], out: 5, attrs: { kernel: [3, 3], pads: [1, 1], group: 5 } },
  {
    label: 'input narrower than the kernel, padded (no interior columns)',
    n: 2,
    input: [2, 4, 3],
    out: 3,
    attrs: { kernel: [5, 5], pads: [2, 2] },
  },
  { label: '1-D', n: 3, input: [3, 30], out: 4, attrs: { kernel: [5], pads: [2], dilations: [2] } },
];

const maybe = wasmPassAvailable() ? describe : describe.skip;

maybe.each(CASES)('WebAssembly convolution: $label', (c) => {
  const g = convGeometry('conv', c.input, c.out, c.attrs);
  const per = c.input.reduce((a, v) => a * v, 1);
  const wLen = c.out * (c.input[0] / (c.attrs.group ?? 1)) * c.attrs.kernel.reduce((a, v) => a * v, 1);

  test('forward and gradients equal the TypeScript reference', () => {
    const rng = new Rng(21);
    const x = randomF32(rng, c.n * per);
    const w = randomF32(rng, wLen);
    const b = randomF32(rng, c.out);
    const k = new WasmConv(g, c.n + 2); // laid out for more than the batch
    const y = k.forward(x, w, b);
    expect(maxRelDiff(y, convForward(g, x, w, b))).toBeLessThan(1e-5);
    expect(maxRelDiff(k.forward(x, w, null), convForward(g, x, w, null))).toBeLessThan(1e-5);
    const dy = randomF32(rng, y.length);
    const ref = convBackward(g, x, w, dy);
    const got = k.backward(x, w, dy);
    expect(maxRelDiff(got.dx!, ref.dx!)).toBeLessThan(1e-4);
    expect(maxRelDiff(got.dw, ref.dw)).toBeLessThan(1e-4);
    expect(maxRelDiff(got.db, ref.db)).toBeLessThan(1e-4);
    // again without dx, after a call that left gradients behind: they are overwritten, not added to
    const again = k.backward(x, w, dy, false);
    expect(again.dx).toBeNull();
    expect(maxRelDiff(again.dw, ref.dw)).toBeLessThan(1e-4);
    expect(maxRelDiff(again.db, ref.db)).toBeLessThan(1e-4);
  });
});
