/**
 * onnxruntime-node throughput of a dense and a pruned model, at batch 1 and batch 1024.
 *
 *   npx tsx scripts/bench-onnx.ts [RUN_DIR] [--seconds S per measurement] [--threads N]
 *
 * With RUN_DIR the dense model is that run's trained network and the pruned model is
 * pruneNetwork() of it (exact). Without, a 784-32-32-10 network with planted group sparsity
 * (70% of inputs and half of each hidden layer's units zeroed) is built and pruned.
 * Both are exported to ONNX (full-width raw input; the pruned one also with compact input, and
 * for comparison with its selection as zero kernel rows instead of a Gather), checked against the
 * reference forward pass, then timed in interleaved rounds (best round kept, as the machine is
 * shared); prints rows/s, µs/row, ratios to dense and file sizes.
 */
import { initNetwork, parameterCount } from '../src/network/create';
import { predictProba } from '../src/network/forward';
import { loadRun } from '../src/network/run-io';
import type { Network } from '../src/network/types';
import { OnnxModel, exportOnnx, selectColumns } from '../src/onnx';
import { pruneNetwork } from '../src/prune';
import { Rng } from '../src/util/rng';

const args = process.argv.slice(2);
const flag = (name: string, def: number) => {
  const i = args.indexOf(name);
  return i >= 0 ? Number(args[i + 1]) : def;
};
const runDir = args.find((a, i) => !a.startsWith('--') && !(i > 0 && args[i - 1].startsWith('--')));
const SECONDS = flag('--seconds', 2);
const ROUNDS = 5;
const THREADS = flag('--threads', 0);

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

/** The pruned network reading all columns through zero rows of its first kernel (no Gather). */
function scattered(net: Network): Network {
  const l0 = net.layers[0];
  const kernel = new Float32Array(net.inputWidth * l0.outSize);
  net.inputIndices.forEach((c, i) => kernel.set(l0.kernel.subarray(i * l0.outSize, (i + 1) * l0.outSize), c * l0.outSize));
  const all = Array.from({ length: net.inputWidth }, (_, i) => i);
  return { ...net, inputIndices: all, layers: [{ ...l0, inSize: net.inputWidth, kernel }, ...net.layers.slice(1)] };
}

interface Variant {
  name: string;
  net: Network;
  compact: boolean;
  bytes?: number;
  model?: OnnxModel;
  feed?: Float32Array;
  best: Record<number, number>;
}

async function main(): Promise<void> {
  const dense = runDir ? loadRun(runDir).network : plantedNetwork();
  const { network: pruned, report } = pruneNetwork(dense);
  const d = dense.inputWidth;
  const rng = new Rng(3);
  const rows = 4096;
  const x = Float32Array.from({ length: rows * d }, () => rng.next());
  const variants: Variant[] = [
    { name: 'dense', net: dense, compact: false, best: {} },
    { name: 'pruned', net: pruned, compact: false, best: {} },
    { name: 'pruned, compact input', net: pruned, compact: true, best: {} },
    { name: 'pruned, no Gather', net: scattered(pruned), compact: false, best: {} },
  ];
  const sizes = (n: Network) => [n.layers[0].inSize, ...n.layers.map((l) => l.outSize)].join('-');
  console.log(
    `source: ${runDir ?? 'planted 784-32-32-10'}; pruned ${sizes(dense)} -> ${sizes(pruned)}; parameters ${report.parameters.before} -> ${report.parameters.after}`,
  );
  console.log(
    `onnxruntime-node CPU, ${THREADS || 'default'} intra-op threads; best of ${ROUNDS} interleaved rounds of ${(SECONDS / ROUNDS).toFixed(2)} s\n`,
  );
  try {
    for (const v of variants) {
      const bytes = exportOnnx(v.net, { producerVersion: 'bench', compactInput: v.compact });
      v.bytes = bytes.length;
      v.feed = v.compact ? selectColumns(x, rows, d, v.net.inputIndices) : x;
      v.model = await OnnxModel.open(bytes, THREADS ? { threads: THREADS } : {});
      const cols = v.feed.length / rows;
      const check = await v.model.predict(v.feed.subarray(0, 256 * cols), 256, cols);
      const ref = predictProba(dense, x.subarray(0, 256 * d), 256);
      const diff = ref.reduce((m, p, i) => Math.max(m, Math.abs(p - check.probabilities[i])), 0);
      if (diff > 1e-5) throw new Error(`${v.name}: ONNX differs from the dense reference by ${diff}`);
    }
    for (const batch of [1, 1024]) {
      for (let round = 0; round < ROUNDS; round++) {
        for (const v of variants) {
          const cols = (v.feed as Float32Array).length / rows;
          const slices = Array.from({ length: rows / batch }, (_, i) =>
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
  const pad = (s: string | number, n: number) => String(s).padStart(n);
  console.log(
    `${'model'.padEnd(22)} ${pad('file bytes', 10)} ${pad('params', 7)}  ${pad('batch 1 rows/s', 14)} ${pad('µs/row', 8)} ${pad('x dense', 7)}  ${pad('batch 1024 rows/s', 17)} ${pad('µs/row', 8)} ${pad('x dense', 7)}`,
  );
  for (const v of variants) {
    const [b1, b1024] = [v.best[1], v.best[1024]];
    console.log(
      `${v.name.padEnd(22)} ${pad(v.bytes ?? 0, 10)} ${pad(parameterCount(v.net), 7)}  ${pad(b1.toFixed(0), 14)} ${pad((1e6 / b1).toFixed(2), 8)} ${pad((b1 / base.best[1]).toFixed(2), 7)}  ` +
        `${pad(b1024.toFixed(0), 17)} ${pad((1e6 / b1024).toFixed(3), 8)} ${pad((b1024 / base.best[1024]).toFixed(2), 7)}`,
    );
  }
  console.log(`\nfile size pruned/dense: ${((variants[1].bytes ?? 0) / (base.bytes ?? 1)).toFixed(3)}`);
}

main().catch((e) => {
  console.error(e instanceof Error ? e.message : e);
  process.exit(1);
});
