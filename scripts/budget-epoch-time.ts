/**
 * Epoch time against the alive fraction of a budget run from a wide start: MNIST from
 * 784-300-100-10 (LeNet-300-100) to a budget. Removed units leave the engine (each stage trains
 * the exactly pruned, smaller network), so epochs get cheaper as the network shrinks. Prints one
 * row per epoch (phase, parameters, fraction of the starting parameters, seconds) and writes the
 * table to reports/budget/EPOCH-TIME.md (or --report FILE).
 *
 * Run: npx tsx scripts/budget-epoch-time.ts [--hidden 300,100] [--ratio 0.1] [--epochs 10]
 *      [--finetune-epochs 2] [--train-rows 60000] [--seed 0] [--report FILE]
 */
import * as fs from 'fs';
import * as path from 'path';
import { loadDataset } from '../src/data';
import { trainToBudget } from '../src/pipeline/budget';
import { stackSize } from '../src/train/budget/size';
import { resolveTrainConfig } from '../src/train/config';
import { writeFileAtomic } from '../src/util/fs-atomic';
import { scriptArgs } from './lib/script-args';

const { arg } = scriptArgs({
  command: 'npx tsx scripts/budget-epoch-time.ts',
  describe:
    'Epoch time against the alive fraction of a budget run on MNIST from a wide start; prints one row per epoch and writes reports/budget/EPOCH-TIME.md (or --report FILE).',
  options: [
    { name: '--hidden', value: 'SIZES', describe: 'Hidden layer sizes (default 300,100)' },
    { name: '--ratio', value: 'R', describe: 'Budget as a fraction of the starting network (default 0.1)' },
    { name: '--epochs', value: 'N', describe: 'Training epochs (default 10)' },
    { name: '--finetune-epochs', value: 'N', describe: 'Fine-tuning epochs (default 2)' },
    { name: '--train-rows', value: 'N', describe: 'Use the first N training rows (default all 60000)' },
    { name: '--seed', value: 'N', describe: 'Seed (default 0)' },
    { name: '--report', value: 'FILE', describe: 'Write the table here (default reports/budget/EPOCH-TIME.md)' },
  ],
});
const HIDDEN = (arg('--hidden') ?? '300,100').split(',').map(Number);
const RATIO = Number(arg('--ratio') ?? 0.1);
const EPOCHS = Number(arg('--epochs') ?? 10);
const FT = Number(arg('--finetune-epochs') ?? 2);
const ROWS = arg('--train-rows') ? Number(arg('--train-rows')) : undefined;
const SEED = Number(arg('--seed') ?? 0);
const REPORT = arg('--report') ?? path.resolve(__dirname, '../reports/budget/EPOCH-TIME.md');

async function main(): Promise<void> {
  const data = await loadDataset({ data: 'mnist', ...(ROWS ? { maxTrainRows: ROWS } : {}) });
  const cfg = resolveTrainConfig({ hidden: HIDDEN, epochs: EPOCHS, seed: SEED });
  const start = stackSize([data.train.cols, ...HIDDEN, data.classLabels.length]);
  const r = await trainToBudget(data, cfg, { targetRatio: RATIO, finetuneEpochs: FT });
  const rows = r.result.history.map((h) => ({
    phase: h.phase ?? 'train',
    epoch: h.epoch,
    params: h.totalParams,
    alive: h.totalParams / start,
    seconds: h.seconds,
    acc: h.testAccuracy,
    shape: `${h.aliveInputs}-${h.aliveUnits.join('-')}`,
  }));
  const lines = [
    `## ${new Date().toISOString().slice(0, 10)}: MNIST ${data.train.cols}-${HIDDEN.join('-')}-10 to ${RATIO} (${r.targetParams} parameters), ${EPOCHS} + ${FT} epochs, seed ${SEED}, engine ${r.result.engine}`,
    '',
    `Command: \`npx tsx scripts/budget-epoch-time.ts --hidden ${HIDDEN.join(',')} --ratio ${RATIO} --epochs ${EPOCHS} --finetune-epochs ${FT}${ROWS ? ` --train-rows ${ROWS}` : ''} --seed ${SEED}\``,
    `(${data.train.rows} training rows; the machine is shared, so seconds are indicative: compare rows, not runs).`,
    '',
    '| phase | epoch | shape (inputs-units) | parameters | alive fraction | epoch seconds | test accuracy |',
    '| --- | ---: | --- | ---: | ---: | ---: | ---: |',
    ...rows.map(
      (x) =>
        `| ${x.phase} | ${x.epoch} | ${x.shape} | ${x.params} | ${x.alive.toFixed(3)} | ${x.seconds.toFixed(2)} | ${x.acc.toFixed(4)} |`,
    ),
    '',
    `Final: ${r.params} parameters, test accuracy ${rows[rows.length - 1].acc.toFixed(4)}.`,
    '',
  ];
  process.stdout.write(`${lines.join('\n')}\n`);
  const old = fs.existsSync(REPORT) ? fs.readFileSync(REPORT, 'utf8') : '# Budget runs: epoch time against the alive fraction\n\n';
  writeFileAtomic(REPORT, `${old}${lines.join('\n')}\n`);
}

main().catch((e: unknown) => {
  process.stderr.write(`${e instanceof Error ? e.message : String(e)}\n`);
  process.exit(1);
});
