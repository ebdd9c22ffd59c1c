/**
 * What onnxruntime's convolution time follows: µs per row of a CNN's ONNX export (onnxruntime-node,
 * one thread, batch 64 and 1) as the channel widths of its convolutions vary one at a time around
 * multiples of 4 and 8. Tells whether `--round-channels K` pays (widths that are multiples of K
 * faster than their neighbours) and how far time follows multiply-adds. Random weights (time does not depend on them); interleaved rounds, the
 * best of each kept (the machine is shared). Writes reports/cnn/CHANNEL-WIDTHS.md.
 *
 *   npx tsx scripts/bench-channel-widths.ts [--arch SPEC] [--seconds S] [--out FILE]
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { initArchNetwork } from '../src/network/create-arch';
import { multiplyAdds } from '../src/network/create';
import type { AnyLayer, Network } from '../src/network/types';
import { OnnxModel, exportOnnx } from '../src/onnx';
import { throughputRound } from '../src/onnx/latency';
import { Rng } from '../src/util/rng';
import { scriptArgs } from './lib/script-args';

const cli = scriptArgs({
  command: 'npx tsx scripts/bench-channel-widths.ts',
  describe:
    "onnxruntime-node µs/row (1 thread, batch 64 and 1) of a CNN as each convolution's width varies around multiples of 4 and 8; writes reports/cnn/CHANNEL-WIDTHS.md.",
  options: [
    { name: '--arch', value: 'SPEC', describe: 'Two-convolution spec with widths as {a} and {b} (default the Fashion-MNIST net)' },
    { name: '--seconds', value: 'S', describe: 'Seconds per timed round (default 0.6)' },
    { name: '--rounds', value: 'N', describe: 'Interleaved rounds, best kept (default 3)' },
    { name: '--out', value: 'FILE', describe: 'Report file (default reports/cnn/CHANNEL-WIDTHS.md)' },
  ],
});
const ARCH = cli.arg('--arch') ?? 'c{a}k3p1-bn-m2-c{b}k3p1-bn-m2-f128';
const SECONDS = Number(cli.arg('--seconds') ?? 0.6);
const ROUNDS = Number(cli.arg('--rounds') ?? 3);
const OUT = cli.arg('--out') ?? path.join('reports', 'cnn', 'CHANNEL-WIDTHS.md');
const SHAPE = [1, 28, 28];

interface Case {
  a: number;
  b: number;
  net: Network<AnyLayer>;
  model?: OnnxModel;
  best: { b64: number; b1: number };
}

/** µs per row of one timed round of --seconds. */
const timeRound = (m: OnnxModel, x: Float32Array, batch: number, cols: number): Promise<number> =>
  throughputRound(() => m.runBatch(x.subarray(0, batch * cols), batch, cols), batch, SECONDS);

async function main(): Promise<void> {
  // from 1 to beyond the Fashion net's 16 and 32, each width alone, the other at its default: steps
  // at multiples of the runtime's channel block show as flat stretches between them
  const aList = [1, 2, 4, 8, 12, 15, 16, 17, 20, 24, 31, 32, 33];
  const bList = [1, 4, 8, 12, 15, 16, 17, 20, 24, 28, 31, 32, 33, 40, 48];
  const cases: Case[] = [...aList.map((a) => ({ a, b: 32 })), ...bList.filter((b) => b !== 32).map((b) => ({ a: 16, b }))].map(
    ({ a, b }) => ({
      a,
      b,
      net: initArchNetwork(ARCH.replace('{a}', String(a)).replace('{b}', String(b)), SHAPE, 10, 1),
      best: { b64: Infinity, b1: Infinity },
    }),
  );
  const cols = SHAPE.reduce((p, q) => p * q, 1);
  const rng = new Rng(3);
  const x = Float32Array.from({ length: 64 * cols }, () => rng.next());
  for (const c of cases) c.model = await OnnxModel.open(exportOnnx(c.net, { producerVersion: 'bench' }), { threads: 1, runtime: 'node' });
  for (let r = 0; r < ROUNDS; r++) {
    for (const c of cases) {
      const m = c.model as OnnxModel;
      c.best.b64 = Math.min(c.best.b64, await timeRound(m, x, 64, cols));
      c.best.b1 = Math.min(c.best.b1, await timeRound(m, x, 1, cols));
    }
    process.stderr.write(`round ${r + 1}/${ROUNDS}\n`);
  }
  const base = cases.find((c) => c.a === 16 && c.b === 32) as Case;
  const line = (c: Case) =>
    `| ${c.a} | ${c.b} | ${multiplyAdds(c.net)} | ${(multiplyAdds(c.net) / multiplyAdds(base.net)).toFixed(2)} | ${c.best.b64.toFixed(2)} | ${(c.best.b64 / base.best.b64).toFixed(2)} | ${c.best.b1.toFixed(2)} |`;
  const head = '| conv1 | conv2 | MACs | x MACs | µs/row b64 | x time | µs/row b1 |\n| --- | --- | --- | --- | --- | --- | --- |';
  const text = [
    '# What onnxruntime-node time follows: convolution widths',
    '',
    `Made by \`npx tsx scripts/bench-channel-widths.ts\` on ${new Date().toISOString().slice(0, 10)} (2 cores, shared; best of ${ROUNDS} interleaved rounds of ${SECONDS} s).`,
    `Network \`${ARCH}\` on 1x28x28, random weights, batch norm as exported; onnxruntime-node, 1 thread.`,
    `CPU: ${os.cpus()[0]?.model ?? 'unknown'}; ${fs.existsSync('/proc/cpuinfo') && /avx512f/.test(fs.readFileSync('/proc/cpuinfo', 'utf8')) ? 'AVX-512 (onnxruntime blocks convolution channels by 16: NCHWc)' : 'no AVX-512 (onnxruntime blocks convolution channels by 8 with AVX2)'}.`,
    '',
    '## conv1 width varies (conv2 = 32)',
    '',
    head,
    ...cases.filter((c) => c.b === 32).map(line),
    '',
    '## conv2 width varies (conv1 = 16)',
    '',
    head,
    ...cases
      .filter((c) => c.a === 16 && c.b !== 32)
      .concat([base])
      .sort((p, q) => p.b - q.b)
      .map(line),
    '',
  ].join('\n');
  fs.mkdirSync(path.dirname(OUT), { recursive: true });
  fs.writeFileSync(OUT, text);
  process.stdout.write(`${text}\nwrote ${OUT}\n`);
}

main().catch((e) => {
  process.stderr.write(`${(e as Error).stack}\n`);
  process.exit(1);
});
