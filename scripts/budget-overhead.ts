/**
 * What a budget costs in wall time: the same epochs trained with and without a budget (trainRun, the
 * pipeline `train` calls), on MNIST from 784-300-100-10 and from 784-32-32-10, interleaved rounds,
 * the fastest of each kept (the machine is shared). The budget run includes its scoring and
 * projections (unit statistics and Taylor scores on the engine's kernels) and trains smaller
 * networks as units go, so the ratio can fall below 1. Writes reports/budget/OVERHEAD.md.
 *
 *   npx tsx scripts/budget-overhead.ts [--train-rows N] [--epochs N] [--rounds N] [--report FILE]
 */
import * as fs from 'fs';
import * as path from 'path';
import { loadDataset } from '../src/data';
import { trainRun } from '../src/pipeline/run';
import { scriptArgs } from './lib/script-args';

const { arg } = scriptArgs({
  command: 'npx tsx scripts/budget-overhead.ts',
  describe:
    'Wall time of the same epochs with and without a parameter budget on MNIST (784-300-100-10 and 784-32-32-10); writes reports/budget/OVERHEAD.md.',
  options: [
    { name: '--train-rows', value: 'N,...', describe: 'Training rows, one table each (default 5000,60000; 5000 as the issue measured)' },
    { name: '--epochs', value: 'N', describe: 'Epochs (default 4)' },
    { name: '--rounds', value: 'N', describe: 'Interleaved rounds, fastest kept (default 3)' },
    { name: '--report', value: 'FILE', describe: 'Report file (default reports/budget/OVERHEAD.md)' },
  ],
});
const ROWS_LIST = (arg('--train-rows') ?? '5000,60000').split(',').map(Number);
const EPOCHS = Number(arg('--epochs') ?? 4);
const ROUNDS = Number(arg('--rounds') ?? 3);
const REPORT = arg('--report') ?? path.join('reports', 'budget', 'OVERHEAD.md');

async function table(ROWS: number): Promise<string[]> {
  const data = await loadDataset({ data: 'mnist', maxTrainRows: ROWS });
  const cases = [
    { hidden: [300, 100], ratio: undefined as number | undefined },
    { hidden: [300, 100], ratio: 0.5 },
    { hidden: [300, 100], ratio: 0.1 },
    { hidden: [32, 32], ratio: undefined },
    { hidden: [32, 32], ratio: 0.5 },
    { hidden: [32, 32], ratio: 0.1 },
  ].map((c) => ({ ...c, best: Infinity, accuracy: NaN }));
  for (let r = 0; r < ROUNDS; r++) {
    for (const c of cases) {
      const t0 = performance.now();
      const o = await trainRun(data, {
        config: { hidden: c.hidden, epochs: EPOCHS, lr: 1e-3, seed: 0 },
        ...(c.ratio !== undefined ? { budget: { targetRatio: c.ratio } } : {}),
      });
      const s = (performance.now() - t0) / 1000;
      c.best = Math.min(c.best, s);
      c.accuracy = o.summary.testAccuracy ?? NaN;
    }
    process.stderr.write(`${ROWS} rows, round ${r + 1}/${ROUNDS}: ${cases.map((c) => c.best.toFixed(2)).join(' ')}\n`);
  }
  return [
    `## ${ROWS} training rows`,
    '',
    '| network | budget (ratio) | wall seconds | x no budget | test accuracy |',
    '| --- | --- | ---: | ---: | ---: |',
    ...cases.map((c) => {
      const dense = cases.find((d) => d.hidden.join() === c.hidden.join() && d.ratio === undefined) ?? c;
      return `| ${[784, ...c.hidden, 10].join('-')} | ${c.ratio ?? 'none'} | ${c.best.toFixed(2)} | ${(c.best / dense.best).toFixed(2)} | ${c.accuracy.toFixed(4)} |`;
    }),
    '',
  ];
}

async function main(): Promise<void> {
  const tables: string[] = [];
  for (const rows of ROWS_LIST) tables.push(...(await table(rows)));
  const text = [
    '# What a budget costs in wall time',
    '',
    `Made by \`npx tsx scripts/budget-overhead.ts --train-rows ${ROWS_LIST.join(',')} --epochs ${EPOCHS} --rounds ${ROUNDS}\` on ${new Date().toISOString().slice(0, 10)}:`,
    `MNIST (the full 10000-row test split), ${EPOCHS} epochs, adam lr 1e-3, seed 0, the default engine; wall time of trainRun (training,`,
    'evaluation each epoch, scoring and projections), the fastest of the interleaved rounds (2 cores, shared).',
    '',
    ...tables,
  ].join('\n');
  fs.mkdirSync(path.dirname(REPORT), { recursive: true });
  fs.writeFileSync(REPORT, text);
  process.stdout.write(`${text}\nwrote ${REPORT}\n`);
}

main().catch((e) => {
  process.stderr.write(`${(e as Error).stack}\n`);
  process.exit(1);
});
