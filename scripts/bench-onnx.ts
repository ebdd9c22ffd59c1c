/**
 * onnxruntime throughput, size and accuracy of the ONNX forms of one network, at batch 1 and 1024.
 *
 *   npx tsx scripts/bench-onnx.ts [RUN_DIR] [--seconds S] [--threads N] [--runtime node|web] [--forms] [--dense-from RUN2]
 *
 * With RUN_DIR the dense model is that run's trained network, the others are exports of
 * pruneNetwork() of it (exact): default (full-width input, the form the exporter chooses),
 * compact input, int8, int8-weights and float16 weights (lossy); --forms adds each full-width input form
 * (gather, zero rows, Slice segments with 1..8 ranges) to show why the default is what it is.
 * --dense-from RUN2 times RUN2's network as the dense row instead (e.g. the dense network a budget
 * run was compressed from; its agreement is then against RUN's network, not a check).
 * Accuracy is on the run's test split (its recorded data). Without RUN_DIR a 784-32-32-10
 * network with planted group sparsity is used on random inputs (no accuracy).
 * Exact forms are checked against the reference forward pass (1e-5) before timing; timing is
 * interleaved rounds, best round kept (the machine is shared). Prints one table.
 */
import { loadDataset } from '../src/data';
import { initNetwork, parameterCount } from '../src/network/create';
import { argmaxRows, predictProba } from '../src/network/forward';
import { loadRun } from '../src/network/run-io';
import type { Network } from '../src/network/types';
import { OnnxModel, exportOnnx, mapLabels, selectColumns, type ExportOptions } from '../src/onnx';
import type { RuntimeChoice } from '../src/onnx/runtime';
import { runDataSpec } from '../src/pipeline/compress';
import { pruneNetwork } from '../src/prune';
import { Rng } from '../src/util/rng';
import { scriptArgs } from './lib/script-args';

const cli = scriptArgs({
  command: 'npx tsx scripts/bench-onnx.ts',
  describe:
    "onnxruntime throughput, size and accuracy of the ONNX forms of one network (a run's, else a planted 784-32-32-10), at batch 1 and 1024; prints one table.",
  options: [
    { name: '--seconds', value: 'S', describe: 'Seconds per timed round (default 2)' },
    { name: '--threads', value: 'N', describe: 'onnxruntime intra-op threads (default 0: its own choice)' },
    { name: '--runtime', value: 'node|web', describe: 'Which onnxruntime (default node)' },
    { name: '--forms', describe: 'Also time each full-width input form' },
    { name: '--dense-from', value: 'RUN2', describe: "Time RUN2's network as the dense row" },
  ],
  positionals: '[RUN_DIR]',
});
const args = cli.argv;
const opt = cli.arg;
const runDir = cli.positionals[0];
const SECONDS = Number(opt('--seconds') ?? 2);
const ROUNDS = 5;
const THREADS = Number(opt('--threads') ?? 0);
const RUNTIME = (opt('--runtime') ?? 'node') as RuntimeChoice;
const FORMS = args.includes('--forms');
/** A run whose network is the "dense" row instead of RUN's own (the network a budget run started from). */
const DENSE_FROM = opt('--dense-from');

/** 784-32-32-10 with rows of the kernels (groups) zeroed: 70% of inputs, half the hidden units. */
function plantedNetwork(): Network {
  const net = initNetwork({ inputWidth: 784, hidden: [32, 32], classes: 10 }, 1);
  const rng = new Rng(2);
  const zeroRows = (l: number, share: number) => {
    const { inSize, outSize, kernel } = net.layers[l];
    const perm = rng.permutation(inSize);
    for (let k = 0; k < Math.round(share * inSize); k++) kernel.fill(0, perm[k] * outSize, (perm[k] + 1) * outSize);
  };
  zeroRows(0, 0.7);
  zeroRows(1, 0.5);
  zeroRows(2, 0.5);
  return net;
}

/** Rows/s of one timed round of runBatch calls lasting about `seconds`. */
async function timeRound(model: OnnxModel, slices: Float32Array[], batch: number, cols: number, seconds: number): Promise<number> {
  let calls = 0;
  const t0 = process.hrtime.bigint();
  let elapsed = 0;
  while (elapsed < seconds) {
    for (let i = 0; i < 8; i++) await model.runBatch(slices[calls++ % slices.length], batch, cols);
    elapsed = Number(process.hrtime.bigint() - t0) / 1e9;
  }
  return (calls * batch) / elapsed;
}

interface Variant {
  name: string;
  net: Network;
  opts: Partial<ExportOptions>;
  lossy: boolean;
  bytes?: number;
  model?: OnnxModel;
  feed?: Float32Array;
  accuracy?: number | null;
  agreement?: number;
  maxDiff?: number;
  best: Record<number, number>;
}

async function main(): Promise<void> {
  const run = runDir ? loadRun(runDir) : null;
  const own = run ? run.network : plantedNetwork();
  const { network: pruned, report } = pruneNetwork(own);
  const dense = DENSE_FROM ? loadRun(DENSE_FROM).network : own;
  if (dense.inputWidth !== own.inputWidth || dense.classLabels.length !== own.classLabels.length)
    throw new Error(
      `--dense-from ${DENSE_FROM}: its network reads ${dense.inputWidth} columns into ${dense.classLabels.length} classes, RUN's ${own.inputWidth} into ${own.classLabels.length}`,
    );
  const d = dense.inputWidth;
  let x: Float32Array;
  let rows: number;
  let labels: Int32Array | null = null;
  const spec = run && runDir ? runDataSpec(run.info, runDir) : null;
  if (spec) {
    const data = await loadDataset(spec);
    rows = data.test.rows;
    x = data.test.features;
    labels = mapLabels(data.test.labels, data.classLabels, dense.classLabels).labels;
  } else {
    rows = 4096;
    const rng = new Rng(3);
    x = Float32Array.from({ length: rows * d }, () => rng.next());
  }
  const variants: Variant[] = [
    { name: DENSE_FROM ? 'dense (--dense-from)' : 'dense', net: dense, opts: {}, lossy: DENSE_FROM !== undefined, best: {} },
    { name: 'default', net: pruned, opts: {}, lossy: false, best: {} },
    { name: 'compact input', net: pruned, opts: { compactInput: true }, lossy: false, best: {} },
    { name: 'int8', net: pruned, opts: { quantize: 'int8' }, lossy: true, best: {} },
    { name: 'float16', net: pruned, opts: { quantize: 'float16' }, lossy: true, best: {} },
    { name: 'int8, compact input', net: pruned, opts: { quantize: 'int8', compactInput: true }, lossy: true, best: {} },
    { name: 'int8-weights', net: pruned, opts: { quantize: 'int8-weights' }, lossy: true, best: {} },
    { name: 'int8-weights, compact', net: pruned, opts: { quantize: 'int8-weights', compactInput: true }, lossy: true, best: {} },
  ];
  if (FORMS) {
    variants.push({ name: 'form: gather', net: pruned, opts: { inputForm: 'gather' }, lossy: false, best: {} });
    variants.push({ name: 'form: zero rows', net: pruned, opts: { inputForm: 'zero-rows' }, lossy: false, best: {} });
    for (const s of [1, 2, 4, 8]) {
      variants.push({
        name: `form: ${s} segment${s > 1 ? 's' : ''}`,
        net: pruned,
        opts: { inputForm: 'segments', maxSegments: s },
        lossy: false,
        best: {},
      });
    }
  }
  const sizes = (n: Network) => [n.layers[0].inSize, ...n.layers.map((l) => l.outSize)].join('-');
  if (DENSE_FROM)
    console.log(
      `dense row: ${DENSE_FROM}, ${sizes(dense)}, parameters ${parameterCount(dense)} (not the same function: its agree/max |dp| compare it with RUN's network)`,
    );
  console.log(
    `source: ${runDir ?? 'planted 784-32-32-10'}; pruned ${sizes(own)} -> ${sizes(pruned)}; parameters ${report.parameters.before} -> ${report.parameters.after}`,
  );
  const timedRows = Math.min(rows, 4096);
  const ref = predictProba(pruned, x, rows);
  const classes = pruned.layers[pruned.layers.length - 1].outSize;
  const refLabels = argmaxRows(ref, classes);
  let runtime = '';
  try {
    for (const v of variants) {
      const bytes = exportOnnx(v.net, { producerVersion: 'bench', ...v.opts });
      v.bytes = bytes.length;
      v.feed = v.opts.compactInput ? selectColumns(x, rows, d, v.net.inputIndices) : x;
      v.model = await OnnxModel.open(bytes, { runtime: RUNTIME, ...(THREADS ? { threads: THREADS } : {}) });
      runtime = v.model.runtime;
      const cols = v.feed.length / rows;
      const out = await v.model.predict(v.feed, rows, cols);
      v.maxDiff = ref.reduce((m, p, i) => Math.max(m, Math.abs(p - out.probabilities[i])), 0);
      v.agreement = out.labels.reduce((s, l, i) => s + (l === refLabels[i] ? 1 : 0), 0) / rows;
      v.accuracy = labels ? out.labels.reduce((s, l, i) => s + (l === labels[i] ? 1 : 0), 0) / rows : null;
      if (!v.lossy && v.maxDiff > 1e-5) throw new Error(`${v.name}: ONNX differs from the reference by ${v.maxDiff}`);
      v.feed = v.feed.subarray(0, timedRows * cols);
    }
    console.log(
      `${runtime} CPU, ${THREADS || 'default'} intra-op threads; best of ${ROUNDS} interleaved rounds of ${(SECONDS / ROUNDS).toFixed(2)} s; accuracy on ${labels ? `${rows} test rows` : '-'}\n`,
    );
    for (const batch of [1, 1024]) {
      for (let round = 0; round < ROUNDS; round++) {
        for (const v of variants) {
          const cols = (v.feed as Float32Array).length / timedRows;
          const slices = Array.from({ length: Math.floor(timedRows / batch) }, (_, i) =>
            (v.feed as Float32Array).subarray(i * batch * cols, (i + 1) * batch * cols),
          );
          if (round === 0) await timeRound(v.model as OnnxModel, slices, batch, cols, 0.05); // warm-up
          const r = await timeRound(v.model as OnnxModel, slices, batch, cols, SECONDS / ROUNDS);
          v.best[batch] = Math.max(v.best[batch] ?? 0, r);
        }
      }
    }
  } finally {
    for (const v of variants) await v.model?.close();
  }
  const base = variants[0];
  const compact = variants[2];
  const pad = (s: string | number, n: number) => String(s).padStart(n);
  console.log(
    `${'model'.padEnd(22)} ${pad('file bytes', 10)} ${pad('x dense', 7)} ${pad('params', 7)}  ${pad('µs/row b1', 9)} ${pad('x dense', 7)}  ${pad('µs/row b1024', 12)} ${pad('x dense', 7)} ${pad('x compact', 9)}  ${pad('accuracy', 8)} ${pad('agree', 7)} ${pad('max |dp|', 8)}`,
  );
  for (const v of variants) {
    const [b1, b1024] = [v.best[1], v.best[1024]];
    const pct = (a: number | null | undefined) => (a === null || a === undefined ? '-' : `${(100 * a).toFixed(2)}%`);
    console.log(
      `${v.name.padEnd(22)} ${pad(v.bytes ?? 0, 10)} ${pad(((v.bytes ?? 0) / (base.bytes ?? 1)).toFixed(3), 7)} ${pad(parameterCount(v.net), 7)}  ` +
        `${pad((1e6 / b1).toFixed(2), 9)} ${pad((base.best[1] / b1).toFixed(2), 7)}  ` +
        `${pad((1e6 / b1024).toFixed(3), 12)} ${pad((base.best[1024] / b1024).toFixed(2), 7)} ${pad((compact.best[1024] / b1024).toFixed(2), 9)}  ` +
        `${pad(pct(v.accuracy), 8)} ${pad(pct(v.agreement), 7)} ${pad((v.maxDiff ?? 0).toExponential(1), 8)}`,
    );
  }
  console.log(
    '\nx dense / x compact: time per row relative to that model (below 1 is faster); agree and max |dp|: against the pruned float network',
  );
}

main().catch((e) => {
  console.error(e instanceof Error ? e.message : e);
  process.exit(1);
});
