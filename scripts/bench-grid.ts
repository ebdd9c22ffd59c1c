/**
 * Whole-grid speed: the paper's 72-configuration group-sparsity grid (4 optimizers x lr 5e-3,
 * 1e-3, 1e-4 x gl, sgl x lambda 1e-3, 1e-4, 1e-5) on SDD-shaped data, run by `gs-compress sweep`
 * (fused engine, worker processes) and by the PyTorch reference config after config, in one run.
 * Prints the wall time of each, the ratio, and the accuracy of the best run of each side;
 * appends the figures to reports/perf/PERF.md (or --report FILE).
 *
 * Run: npx tsx scripts/bench-grid.ts [--epochs 5] [--workers 2] [--no-torch] [--report FILE]
 * Fewer epochs than the paper's 20 keep the run short; both sides train the same epochs, so the
 * ratio is what an epoch count changes least.
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { expandGrid, presetGrid, runSweep } from '../src/sweep';
import type { GridSpec } from '../src/sweep';
import { sddShaped, writeSplit } from './lib/sdd-shaped';
import { runTorch, torchAvailable } from './lib/torch-ref';
import { scriptArgs } from './lib/script-args';
import { summaryScore } from '../src/network/tasks';

const { argv, arg } = scriptArgs({
  command: 'npx tsx scripts/bench-grid.ts',
  describe:
    "Whole-grid speed: the paper's 72-configuration group-sparsity grid on SDD-shaped data, by `gs-compress sweep` and by the PyTorch reference; appends the figures to reports/perf/PERF.md (or --report FILE).",
  options: [
    { name: '--epochs', value: 'N', describe: 'Epochs per configuration (default 5)' },
    { name: '--workers', value: 'N', describe: 'Sweep worker processes (default: the number of cores)' },
    { name: '--no-torch', describe: 'Skip the PyTorch reference' },
    { name: '--report', value: 'FILE', describe: 'Append to this report (default reports/perf/PERF.md)' },
  ],
});
const EPOCHS = Number(arg('--epochs') ?? 5);
const WORKERS = Number(arg('--workers') ?? os.cpus().length);
const REPORT = arg('--report') ?? path.resolve(__dirname, '../reports/perf/PERF.md');

async function main(): Promise<void> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'gs-grid-'));
  const files = writeSplit(sddShaped(), dir);
  const preset = presetGrid('group');
  const grid: GridSpec = {
    data: { train: files.train, test: files.test },
    hidden: preset.hidden ?? [[32, 32]],
    optimizer: preset.optimizer ?? ['adam'],
    lr: preset.lr ?? [1e-3],
    penalty: preset.penalty ?? ['gl'],
    lambda: preset.lambda ?? [1e-4],
    seed: [0],
    epochs: [EPOCHS],
    batchSize: [32],
    solver: ['prox'],
    engine: 'fused',
    backend: 'auto',
  };
  const points = expandGrid(grid);
  console.log(`grid: ${points.length} configurations, ${EPOCHS} epochs each, SDD-shaped 40956/17553 rows`);

  // gs-compress: the sweep on worker processes
  const t0 = Date.now();
  const sweep = await runSweep({ grid, out: path.join(dir, 'sweep'), workers: WORKERS });
  const gsSeconds = (Date.now() - t0) / 1000;
  const gsBest = Math.max(...sweep.records.map((r) => summaryScore(r.summary, 'test')));
  console.log(
    `gs-compress sweep: ${sweep.ran} runs on ${WORKERS} workers in ${gsSeconds.toFixed(1)} s, best test accuracy ${gsBest.toFixed(4)}`,
  );

  let torchSeconds: number | null = null;
  let torchTrainSeconds = 0;
  let torchBest: number | null = null;
  if (!argv.includes('--no-torch') && torchAvailable()) {
    const t1 = Date.now();
    torchBest = 0;
    for (const [i, p] of points.entries()) {
      const r = runTorch({ ...files, standardize: true }, p.config.train, 1);
      torchBest = Math.max(torchBest, r.test_accuracy);
      torchTrainSeconds += r.train_seconds;
      if ((i + 1) % 12 === 0) console.log(`  pytorch ${i + 1}/${points.length} configurations, ${((Date.now() - t1) / 1000).toFixed(0)} s`);
    }
    torchSeconds = (Date.now() - t1) / 1000;
    console.log(`PyTorch, config after config (1 thread): ${torchSeconds.toFixed(1)} s, best test accuracy ${torchBest.toFixed(4)}`);
    console.log(
      `grid wall time ratio gs-compress / PyTorch: ${(gsSeconds / torchSeconds).toFixed(3)}; against PyTorch's training loops alone (${torchTrainSeconds.toFixed(1)} s): ${(gsSeconds / torchTrainSeconds).toFixed(3)}`,
    );
  }
  fs.rmSync(dir, { recursive: true, force: true });
  const section = [
    '',
    '## Whole grid',
    '',
    `Made by \`npx tsx scripts/bench-grid.ts ${argv.join(' ')}\` on ${new Date().toISOString().slice(0, 10)}: the paper's group-sparsity grid (${points.length} configurations: 4 optimizers x lr 5e-3/1e-3/1e-4 x gl/sgl x lambda 1e-3/1e-4/1e-5, prox solver), ${EPOCHS} epochs each, SDD-shaped data (40956/17553 rows), batch 32.`,
    'gs-compress: `runSweep` (the engine of `gs-compress sweep`), fused engine, worker processes, each run saved and appended to the results store. PyTorch: torch_reference.py once per configuration, one after another (process start and data loading included on both sides).',
    '',
    '| side | wall seconds | best test accuracy |',
    '| --- | ---: | ---: |',
    `| gs-compress, ${WORKERS} workers | ${gsSeconds.toFixed(1)} | ${gsBest.toFixed(4)} |`,
    `| PyTorch, sequential, 1 thread | ${torchSeconds?.toFixed(1) ?? '-'} | ${torchBest?.toFixed(4) ?? '-'} |`,
    `| PyTorch, its training loops only (sum of train_seconds) | ${torchSeconds ? torchTrainSeconds.toFixed(1) : '-'} | |`,
    '',
    `Ratio gs-compress / PyTorch: **${torchSeconds ? (gsSeconds / torchSeconds).toFixed(3) : '-'}** (wall against wall); ${torchSeconds ? (gsSeconds / torchTrainSeconds).toFixed(3) : '-'} against PyTorch's training loops alone, which leaves out its process starts and data loading but keeps all of ours.`,
    '',
  ];
  const prev = fs.existsSync(REPORT) ? fs.readFileSync(REPORT, 'utf8').replace(/\n## Whole grid[\s\S]*$/, '') : '# Training speed\n';
  fs.mkdirSync(path.dirname(REPORT), { recursive: true });
  fs.writeFileSync(REPORT, prev.trimEnd() + '\n' + section.join('\n'));
  console.log(`wrote ${REPORT}`);
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
