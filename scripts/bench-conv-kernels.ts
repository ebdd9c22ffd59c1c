/**
 * Speed of the convolution kernels on the layers of the benchmark networks, batch 64: the
 * TypeScript reference (src/network/kernels/conv.ts) against the WebAssembly SIMD kernels
 * (assembly/conv.ts through src/train/fused/conv-wasm.ts, data already in the module's memory).
 * Prints milliseconds per batch for forward and backward (with the input gradient except for a
 * first layer) and the implied GMAC/s. A measuring stick, not a test; needs `npm run build:wasm`.
 *
 * Run: npx tsx scripts/bench-conv-kernels.ts [--batch 64] [--reps 20]
 */
import { convBackward, convForward, convGeometry, convMultiplyAdds, type ConvGeometry } from '../src/network/kernels/conv';
import { WasmConv } from '../src/train/fused/conv-wasm';
import { Rng } from '../src/util/rng';
import { scriptArgs } from './lib/script-args';

const { arg } = scriptArgs({
  command: 'npx tsx scripts/bench-conv-kernels.ts',
  describe:
    "Times the TypeScript reference convolution against the WebAssembly SIMD kernels on the benchmark networks' layers (ms per batch, GMAC/s). Writes nothing.",
  options: [
    { name: '--batch', value: 'N', describe: 'rows per batch (default 64)' },
    { name: '--reps', value: 'N', describe: 'timed repetitions, the median is printed (default 20)' },
  ],
});
const batch = Number(arg('--batch') ?? 64);
const reps = Number(arg('--reps') ?? 20);

const LAYERS: { label: string; g: ConvGeometry; first: boolean }[] = [
  { label: 'lenet5 conv1 1x28x28 -> 6, k5', g: convGeometry('c1', [1, 28, 28], 6, { kernel: [5, 5] }), first: true },
  { label: 'lenet5 conv2 6x12x12 -> 16, k5', g: convGeometry('c2', [6, 12, 12], 16, { kernel: [5, 5] }), first: false },
  { label: 'caffe conv2 20x12x12 -> 50, k5', g: convGeometry('c2', [20, 12, 12], 50, { kernel: [5, 5] }), first: false },
  { label: 'fashion conv1 1x28x28 -> 16, k3p1', g: convGeometry('c1', [1, 28, 28], 16, { kernel: [3, 3], pads: [1, 1] }), first: true },
  { label: 'fashion conv2 16x14x14 -> 32, k3p1', g: convGeometry('c2', [16, 14, 14], 32, { kernel: [3, 3], pads: [1, 1] }), first: false },
];

/** Median milliseconds of `reps` runs of f after two warm-ups. */
function time(f: () => void): number {
  f();
  f();
  const t: number[] = [];
  for (let r = 0; r < reps; r++) {
    const s = process.hrtime.bigint();
    f();
    t.push(Number(process.hrtime.bigint() - s) / 1e6);
  }
  t.sort((a, b) => a - b);
  return t[Math.floor(t.length / 2)];
}

const rng = new Rng(1);
const rand = (n: number): Float32Array => Float32Array.from({ length: n }, () => rng.normal());
console.log(`batch ${batch}, median of ${reps}; ms per batch (GMAC/s)`);
console.log('layer | MMAC/batch | TS fwd | wasm fwd | TS bwd | wasm bwd | fwd speed-up | bwd speed-up');
for (const { label, g, first } of LAYERS) {
  const x = rand(batch * g.cin * g.ih * g.iw);
  const w = rand(g.cout * (g.cin / g.group) * g.kh * g.kw);
  const b = rand(g.cout);
  const dy = rand(batch * g.cout * g.oh * g.ow);
  const k = new WasmConv(g, batch);
  k.x.set(x);
  k.w.set(w);
  k.b.set(b);
  k.dy.set(dy);
  const macs = convMultiplyAdds(g) * batch;
  const tsF = time(() => convForward(g, x, w, b));
  const waF = time(() => k.runForward(batch));
  const tsB = time(() => convBackward(g, x, w, dy, !first));
  const waB = time(() => k.runBackward(batch, !first));
  const rate = (ms: number, mult: number): string => `${ms.toFixed(2)} (${((mult * macs) / ms / 1e6).toFixed(2)})`;
  const bm = first ? 1 : 2; // backward does the weight gradient, plus the input gradient when asked
  console.log(
    [
      label,
      (macs / 1e6).toFixed(1),
      rate(tsF, 1),
      rate(waF, 1),
      rate(tsB, bm),
      rate(waB, bm),
      (tsF / waF).toFixed(2),
      (tsB / waB).toFixed(2),
    ].join(' | '),
  );
}
