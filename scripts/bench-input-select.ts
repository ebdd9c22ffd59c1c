/**
 * Why the full-width export cannot be as fast as compact input in onnxruntime: every way an ONNX
 * graph can read k kept columns out of a W-wide input, timed on one first layer (k -> h MatMul).
 *
 *   npx tsx scripts/bench-input-select.ts [--runtime node|web] [--seconds S] [--out reports/onnx/INPUT-SELECT.md]
 *
 * Forms (each a one-layer graph y = select(x) W, checked against a float64 reference first):
 * compact (the input holds only the k columns), zero rows (a W x h kernel with zero rows, no copy),
 * Gather on axis 1, Compress on axis 1 (boolean mask), Transpose + Gather on axis 0 + MatMul on the
 * transposed side, and one Slice of the range spanned by the kept columns (zero rows inside it).
 * Kept columns are drawn from the central 600 of 784 (as MNIST pixels are), at several kept
 * fractions and layer widths; batch 1024, 1 intra-op thread, best of 5 interleaved rounds.
 */
import { writeFileSync } from 'node:fs';
import type * as Ort from 'onnxruntime-common';
import { FLOAT, floatTensor, int64Tensor, intAttr, node, onnx, valueInfo } from '../src/codec/onnx-proto';
import { loadRuntime, runtimeLabel, type RuntimeChoice } from '../src/onnx/runtime';
import { Rng } from '../src/util/rng';
import { scriptArgs } from './lib/script-args';

const { arg: opt } = scriptArgs({
  command: 'npx tsx scripts/bench-input-select.ts',
  describe:
    'Throughput of the ways an ONNX graph can read a subset of its input columns, at several kept fractions and widths; prints a table.',
  options: [
    { name: '--runtime', value: 'node|web', describe: 'Which onnxruntime (default node)' },
    { name: '--seconds', value: 'S', describe: 'Seconds per timed round (default 0.3)' },
    { name: '--out', value: 'FILE', describe: 'Also write the table here' },
  ],
});
const RUNTIME = (opt('--runtime') ?? 'node') as RuntimeChoice;
const SECONDS = Number(opt('--seconds') ?? 0.3);
const OUT = opt('--out');
const W = 784;
const BATCH = 1024;

type Form = 'compact' | 'zero rows' | 'gather' | 'compress' | 'transpose+gather' | '1 slice';
const FORMS: Form[] = ['compact', 'zero rows', 'gather', 'compress', 'transpose+gather', '1 slice'];

/** One-layer graph of a form: input x [N, width] -> y [N, h]. */
function graphOf(form: Form, cols: number[], kernel: Float32Array, h: number): { bytes: Uint8Array; width: number } {
  const k = cols.length;
  const nodes: onnx.INodeProto[] = [];
  const init: onnx.ITensorProto[] = [];
  let width = W;
  if (form === 'compact' || form === 'gather' || form === 'compress') {
    init.push(floatTensor('W', [k, h], kernel));
    if (form === 'compact') width = k;
    if (form === 'gather') {
      init.push(int64Tensor('idx', [k], cols));
      nodes.push(node('Gather', ['x', 'idx'], ['s'], 'select', [intAttr('axis', 1)]));
    }
    if (form === 'compress') {
      const mask = new Uint8Array(W);
      for (const c of cols) mask[c] = 1;
      init.push({ name: 'mask', dims: [W], dataType: onnx.TensorProto.DataType.BOOL, rawData: mask });
      nodes.push(node('Compress', ['x', 'mask'], ['s'], 'select', [intAttr('axis', 1)]));
    }
    nodes.push(node('MatMul', [form === 'compact' ? 'x' : 's', 'W'], ['y'], 'matmul'));
  } else if (form === 'zero rows' || form === '1 slice') {
    const lo = form === '1 slice' ? cols[0] : 0;
    const hi = form === '1 slice' ? cols[k - 1] + 1 : W;
    const wide = new Float32Array((hi - lo) * h);
    cols.forEach((c, i) => wide.set(kernel.subarray(i * h, (i + 1) * h), (c - lo) * h));
    init.push(floatTensor('W', [hi - lo, h], wide));
    if (form === '1 slice') {
      init.push(int64Tensor('lo', [1], [lo]), int64Tensor('hi', [1], [hi]), int64Tensor('ax', [1], [1]));
      nodes.push(node('Slice', ['x', 'lo', 'hi', 'ax'], ['s'], 'select'));
    }
    nodes.push(node('MatMul', [form === '1 slice' ? 's' : 'x', 'W'], ['y'], 'matmul'));
  } else {
    const wt = new Float32Array(h * k);
    for (let i = 0; i < k; i++) for (let j = 0; j < h; j++) wt[j * k + i] = kernel[i * h + j];
    init.push(floatTensor('Wt', [h, k], wt), int64Tensor('idx', [k], cols));
    nodes.push(
      node('Transpose', ['x'], ['xt'], 'xt', [{ name: 'perm', type: onnx.AttributeProto.AttributeType.INTS, ints: [1, 0] }]),
      node('Gather', ['xt', 'idx'], ['s'], 'select', [intAttr('axis', 0)]),
      node('MatMul', ['Wt', 's'], ['yt'], 'matmul'),
      node('Transpose', ['yt'], ['y'], 'y', [{ name: 'perm', type: onnx.AttributeProto.AttributeType.INTS, ints: [1, 0] }]),
    );
  }
  const model = onnx.ModelProto.create({
    irVersion: 8,
    opsetImport: [{ domain: '', version: 17 }],
    producerName: 'bench-input-select',
    graph: {
      name: form,
      node: nodes,
      initializer: init,
      input: [valueInfo('x', FLOAT, ['N', width])],
      output: [valueInfo('y', FLOAT, ['N', h])],
    },
  });
  return { bytes: onnx.ModelProto.encode(model).finish(), width };
}

async function main(): Promise<void> {
  const rt = loadRuntime(RUNTIME);
  const { ort } = rt;
  const rng = new Rng(5);
  const x = Float32Array.from({ length: BATCH * W }, () => rng.next());
  const lines: string[] = [];
  const header = `kept of ${W}  h   ` + FORMS.map((f) => f.padStart(17)).join('');
  lines.push(`${runtimeLabel(rt)}, batch ${BATCH}, 1 thread; µs/row (x compact)`, '', header);
  console.log(lines.join('\n'));
  for (const kept of [190, 392, 588]) {
    for (const h of [16, 32]) {
      const cols = Array.from(rng.permutation(600).slice(0, kept), (c) => c + 92).sort((a, b) => a - b);
      const kernel = Float32Array.from({ length: kept * h }, () => rng.next() - 0.5);
      const compactX = new Float32Array(BATCH * kept);
      for (let r = 0; r < BATCH; r++) cols.forEach((c, i) => (compactX[r * kept + i] = x[r * W + c]));
      const ref = new Float64Array(BATCH * h);
      for (let r = 0; r < BATCH; r++)
        for (let i = 0; i < kept; i++) for (let j = 0; j < h; j++) ref[r * h + j] += compactX[r * kept + i] * kernel[i * h + j];
      const sessions = new Map<Form, { s: Ort.InferenceSession; feed: Float32Array; width: number }>();
      for (const f of FORMS) {
        const g = graphOf(f, cols, kernel, h);
        const s = await ort.InferenceSession.create(g.bytes, { intraOpNumThreads: 1, interOpNumThreads: 1, graphOptimizationLevel: 'all' });
        const feed = g.width === W ? x : compactX;
        const y = (await s.run({ x: new ort.Tensor('float32', feed, [BATCH, g.width]) })).y.data as Float32Array;
        let worst = 0;
        for (let i = 0; i < ref.length; i++) worst = Math.max(worst, Math.abs(y[i] - ref[i]));
        if (worst > 1e-3) throw new Error(`${f}: output differs from the reference by ${worst}`);
        sessions.set(f, { s, feed, width: g.width });
      }
      const best = new Map<Form, number>();
      for (let round = 0; round < 5; round++) {
        for (const f of FORMS) {
          const { s, feed, width } = sessions.get(f) as { s: Ort.InferenceSession; feed: Float32Array; width: number };
          let calls = 0;
          const t0 = process.hrtime.bigint();
          let el = 0;
          while (el < SECONDS) {
            await s.run({ x: new ort.Tensor('float32', feed, [BATCH, width]) });
            calls++;
            el = Number(process.hrtime.bigint() - t0) / 1e9;
          }
          best.set(f, Math.min(best.get(f) ?? Infinity, (el * 1e6) / (calls * BATCH)));
        }
      }
      const c = best.get('compact') as number;
      const row =
        `${String(kept).padStart(11)} ${String(h).padStart(3)}  ` +
        FORMS.map((f) => `${(best.get(f) as number).toFixed(3)} (${((best.get(f) as number) / c).toFixed(2)}x)`.padStart(17)).join('');
      lines.push(row);
      console.log(row);
    }
  }
  if (OUT) {
    const md = [
      '# Reading kept input columns in onnxruntime: every graph form, one first layer',
      '',
      `Made by \`npx tsx scripts/bench-input-select.ts --runtime ${RUNTIME} --out ${OUT}\` on ${new Date().toISOString().slice(0, 10)}.`,
      'Each form computes y = x[:, kept] W for a 784-wide input (kept columns drawn from the central 600,',
      'as MNIST pixels are), checked against a float64 reference before timing. compact: the input holds',
      'only the kept columns; zero rows: a 784 x h kernel with zero rows (no copy); gather / compress: a',
      'Gather or Compress on axis 1; transpose+gather: Transpose, Gather on axis 0, MatMul, Transpose;',
      '1 slice: one Slice of the range the kept columns span, zero rows inside it.',
      '',
      '```',
      ...lines,
      '```',
      '',
    ].join('\n');
    writeFileSync(OUT, md);
    console.log(`wrote ${OUT}`);
  }
}

void main().catch((e: unknown) => {
  console.error(e);
  process.exit(1);
});
