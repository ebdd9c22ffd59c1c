/**
 * Training speed and accuracy of gs-compress against the PyTorch reference
 * (../shared/bench/torch_reference.py), side by side in one run, on the same data and settings:
 * SDD-shaped data (48 features, 11 classes, 40956/17553 rows, labels from a random teacher
 * network so accuracy means something) and real MNIST (784, 10, 60000/10000); hidden 32,32,
 * batch 32, Adam, group lasso by the proximal and by the subgradient solver. PyTorch runs with 1
 * and 2 threads and the faster counts. gs-compress runs its default engine (WebAssembly SIMD
 * kernels) and the TypeScript kernels (--engine fused-js), and with --tfjs the tfjs engine.
 * Prints seconds per epoch, the ratio and test accuracy, and writes reports/perf/PERF.md
 * (or --report FILE).
 *
 * Run: npx tsx scripts/bench-train.ts [--epochs 3] [--only sdd|mnist] [--tfjs] [--no-torch] [--report FILE]
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { loadDataset } from '../src/data';
import type { SplitDataset } from '../src/data/types';
import { resolveTrainConfig } from '../src/train/config';
import { trainNetwork } from '../src/train/train';
import type { EngineName, ProxStep, Solver, TrainConfig } from '../src/train/types';
import { writeFileAtomic } from '../src/util/fs-atomic';
import { sddShaped } from './lib/sdd-shaped';
import { runTorch, torchAvailable, torchDataFor, type TorchData, type TorchResult } from './lib/torch-ref';
import { scriptArgs } from './lib/script-args';

const { argv, arg } = scriptArgs({
  command: 'npx tsx scripts/bench-train.ts',
  describe:
    'Training speed and accuracy of gs-compress against the PyTorch reference on SDD-shaped data and MNIST (hidden 32,32, Adam, group lasso by each solver); prints a table and writes reports/perf/PERF.md (or --report FILE).',
  options: [
    { name: '--epochs', value: 'N', describe: 'Epochs per run (default 3)' },
    { name: '--only', value: 'sdd|mnist', describe: 'Run one data set only' },
    { name: '--tfjs', describe: 'Also time the tfjs engine' },
    { name: '--no-torch', describe: 'Skip the PyTorch reference' },
    { name: '--report', value: 'FILE', describe: 'Write the report here (default reports/perf/PERF.md)' },
  ],
});
const EPOCHS = Number(arg('--epochs') ?? 3);
const ONLY = arg('--only');
const WITH_TFJS = argv.includes('--tfjs');
const REPORT = arg('--report') ?? path.resolve(__dirname, '../reports/perf/PERF.md');

/** The solvers compared: the preconditioned proximal step (our default), the plain lr*lambda
 * proximal step (the reference's algorithm), and the subgradient (penalty in the loss). */
const VARIANTS: { solver: Solver; proxStep?: ProxStep; label: string }[] = [
  { solver: 'prox', label: 'prox (preconditioned step)' },
  { solver: 'prox', proxStep: 'lr', label: 'prox (lr step)' },
  { solver: 'subgradient', label: 'subgradient' },
];

interface Row {
  data: string;
  solver: string;
  gsEngine: string;
  gsSecondsPerEpoch: number;
  gsAccuracy: number;
  gsNonzero: number;
  torchNonzero: number | null;
  torchSecondsPerEpoch: number | null;
  torchThreads: number | null;
  torchAccuracy: number | null;
}

async function gsRun(data: SplitDataset, cfg: TrainConfig): Promise<{ engine: string; spe: number; acc: number; nonzero: number }> {
  const r = await trainNetwork(data, cfg);
  const last = r.history[r.history.length - 1];
  return { engine: r.engine, spe: r.trainSeconds / cfg.epochs, acc: last.testAccuracy, nonzero: last.totalParams - last.zeroParams };
}

function bestTorch(td: TorchData, cfg: TrainConfig): { res: TorchResult; threads: number } {
  const runs = [1, 2].map((threads) => ({ res: runTorch(td, cfg, threads), threads }));
  return runs.reduce((a, b) => (b.res.train_seconds < a.res.train_seconds ? b : a));
}

async function main(): Promise<void> {
  const torch = !argv.includes('--no-torch') && torchAvailable();
  const cases: { name: string; load: () => Promise<SplitDataset>; lambda: number }[] = [];
  if (!ONLY || ONLY === 'sdd') cases.push({ name: 'sdd-shaped', load: () => Promise.resolve(sddShaped()), lambda: 1e-4 });
  if (!ONLY || ONLY === 'mnist') cases.push({ name: 'mnist', load: () => loadDataset({ data: 'mnist' }), lambda: 1e-4 });
  const rows: Row[] = [];
  // fused: the default (WebAssembly SIMD kernels); fused-js: the TypeScript kernels; tfjs on request
  const engines: EngineName[] = WITH_TFJS ? ['fused', 'fused-js', 'tfjs'] : ['fused', 'fused-js'];
  for (const c of cases) {
    const data = await c.load();
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'gs-bench-'));
    const td = torch ? torchDataFor(c.name, data, dir) : null;
    // the reference has one proximal algorithm: run it once per solver and set it beside both of ours
    const torchBySolver = new Map<Solver, { res: TorchResult; threads: number }>();
    for (const v of VARIANTS) {
      for (const engine of engines) {
        if (engine === 'tfjs' && v.proxStep) continue;
        const cfg = resolveTrainConfig({
          hidden: [32, 32],
          optimizer: 'adam',
          lr: 1e-3,
          epochs: engine === 'tfjs' ? 1 : EPOCHS,
          penalty: 'gl',
          lambda: c.lambda,
          solver: v.solver,
          proxStep: v.proxStep,
          engine,
        });
        const gs = await gsRun(data, cfg);
        let t = null;
        if (td && engine !== 'tfjs') {
          t = torchBySolver.get(v.solver) ?? bestTorch(td, cfg);
          torchBySolver.set(v.solver, t);
        }
        const solver = v.label;
        const row: Row = {
          data: c.name,
          solver,
          gsEngine: gs.engine,
          gsSecondsPerEpoch: gs.spe,
          gsAccuracy: gs.acc,
          gsNonzero: gs.nonzero,
          torchNonzero: t?.res.params_nonzero ?? null,
          torchSecondsPerEpoch: t ? t.res.train_seconds / cfg.epochs : null,
          torchThreads: t?.threads ?? null,
          torchAccuracy: t?.res.test_accuracy ?? null,
        };
        rows.push(row);
        const ratio = row.torchSecondsPerEpoch ? (row.gsSecondsPerEpoch / row.torchSecondsPerEpoch).toFixed(2) : '-';
        console.log(
          `${c.name.padEnd(10)} gl ${solver.padEnd(26)} ${gs.engine.padEnd(10)} ${gs.spe.toFixed(3)} s/epoch acc ${gs.acc.toFixed(4)} | pytorch ${row.torchSecondsPerEpoch?.toFixed(3) ?? '-'} s/epoch (${row.torchThreads ?? '-'} thr) acc ${row.torchAccuracy?.toFixed(4) ?? '-'} | ratio ${ratio}`,
        );
      }
    }
    fs.rmSync(dir, { recursive: true, force: true });
  }
  const cpu = os.cpus()[0]?.model ?? 'unknown';
  const lines = [
    '# Training speed: gs-compress against PyTorch',
    '',
    `Made by \`npx tsx scripts/bench-train.ts ${argv.join(' ')}\` on ${new Date().toISOString().slice(0, 10)}: ${os.cpus().length} cores (${cpu}), Node ${process.version}.`,
    `Network 32,32 hidden ReLU, batch 32, Adam lr 1e-3, group lasso lambda 1e-4, ${EPOCHS} epochs (tfjs engine: 1 epoch).`,
    'PyTorch: ../shared/bench/torch_reference.py, best of 1 and 2 threads. Seconds per epoch include everything inside the training loop of each side.',
    '',
    "The reference applies a plain lr*lambda proximal step; gs-compress does too under `--prox-step lr` (same algorithm: compare accuracy there), and by default scales the step by Adam's preconditioner (`--prox-step preconditioned`: many more exact zeros, so read its accuracy beside its nonzero count). The PyTorch prox run is one run, shown beside both.",
    '',
    '| data | solver | gs-compress engine | gs s/epoch | PyTorch s/epoch (threads) | ratio gs/PyTorch | gs test acc | PyTorch test acc | gs nonzero params | PyTorch nonzero params |',
    '| --- | --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |',
    ...rows.map(
      (r) =>
        `| ${r.data} | ${r.solver} | ${r.gsEngine} | ${r.gsSecondsPerEpoch.toFixed(3)} | ${r.torchSecondsPerEpoch?.toFixed(3) ?? '-'} (${r.torchThreads ?? '-'}) | ${r.torchSecondsPerEpoch ? (r.gsSecondsPerEpoch / r.torchSecondsPerEpoch).toFixed(2) : '-'} | ${r.gsAccuracy.toFixed(4)} | ${r.torchAccuracy?.toFixed(4) ?? '-'} | ${r.gsNonzero} | ${r.torchNonzero ?? '-'} |`,
    ),
    '',
  ];
  // keep the whole-grid section that scripts/bench-grid.ts writes into the same file
  const grid = fs.existsSync(REPORT) ? (fs.readFileSync(REPORT, 'utf8').match(/\n## Whole grid[\s\S]*$/)?.[0] ?? '') : '';
  writeFileAtomic(REPORT, lines.join('\n') + grid);
  console.log(`wrote ${REPORT}`);
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
