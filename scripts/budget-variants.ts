/**
 * Variants of the budget trainer side by side (a measuring stick for choosing its defaults, not
 * a benchmark with peers: that is scripts/bench-compress.ts). For one data set, several budgets
 * (percent of the starting network) and seeds, each variant runs trainToBudget in this process
 * with Adam lr 1e-3, batch 32 and --epochs + --finetune-epochs; prints one markdown row per variant
 * and budget: mean ± sample sd of the final test accuracy over the seeds, and the mean parameters.
 *
 * Run: npx tsx scripts/budget-variants.ts --data ../shared/data/sensorless_sample2200.txt.gz
 *        [--hidden 32,32] [--percents 50,25,10,5] [--seeds 0,1,2,3,4,5] [--epochs 20] [--finetune-epochs 10]
 *        --variant '{}' --variant '{"score":"variation"}' --variant '{"allocation":"uniform"}'
 *        --variant '{"warmup":0.3,"ramp":1}' --variant '{"finetuneLr":"cosine"}'
 * A variant is JSON with any of: score (taylor | variation), allocation (global | uniform),
 * warmup and ramp (fractions of --epochs), finetuneLr (constant | cosine | linear), l2 (weight decay,
 * kept through the fine-tuning, e.g. 1e-4), lr (Adam's learning rate, training and fine-tuning;
 * default 1e-3); '{}' is the defaults.
 */
import * as path from 'path';
import { loadDataset } from '../src/data';
import { trainToBudget } from '../src/pipeline/budget';
import { DEFAULT_BUDGET_SCHEDULE, defaultSchedule } from '../src/train/budget/schedule';
import type { Allocation, UnitScore } from '../src/train/budget/project';
import { DEFAULT_CONFIG } from '../src/train/defaults';
import type { LrSchedule } from '../src/train/lr-schedule';
import { budgetFor, paramCount, spread } from './lib/compress-bench';
import { scriptArgs } from './lib/script-args';

interface Variant {
  score?: UnitScore;
  allocation?: Allocation;
  warmup?: number;
  ramp?: number;
  finetuneLr?: LrSchedule;
  /** Weight decay (lambda of the l2 penalty), kept through the fine-tuning. */
  l2?: number;
  /** Adam's learning rate for training and fine-tuning. */
  lr?: number;
}
const KEYS = ['score', 'allocation', 'warmup', 'ramp', 'finetuneLr', 'l2', 'lr'];

const { argv, arg } = scriptArgs({
  command: 'npx tsx scripts/budget-variants.ts',
  describe:
    'Budget-trainer variants side by side: each --variant (a JSON object) runs trainToBudget at every percent and seed. Variant keys: score (taylor|variation), allocation (global|uniform), warmup, ramp (fractions of --epochs), finetuneLr (constant|cosine|linear), l2 (weight decay lambda), lr (learning rate).',
  options: [
    { name: '--data', value: 'FILE|mnist', describe: 'The data (required)' },
    { name: '--hidden', value: 'SIZES', describe: 'Hidden layer sizes (default 32,32)' },
    { name: '--percents', value: 'LIST', describe: 'Budgets in percent of the starting network (default 50,25,10,5)' },
    { name: '--seeds', value: 'LIST', describe: 'Seeds (default 0,1,2)' },
    { name: '--epochs', value: 'N', describe: 'Training epochs (default 20)' },
    { name: '--finetune-epochs', value: 'N', describe: 'Fine-tuning epochs (default 10)' },
    { name: '--variant', value: 'JSON', describe: 'A variant, e.g. \'{}\' or \'{"score":"variation"}\'; repeatable' },
  ],
});
if (arg('--data') === undefined) {
  process.stderr.write('npx tsx scripts/budget-variants.ts: --data is required (see --help)\n');
  process.exit(2);
}
const nums = (name: string, dflt: string) => (arg(name) ?? dflt).split(',').filter(Boolean).map(Number);
const variants = argv
  .map((a, i) => (a === '--variant' ? argv[i + 1] : undefined))
  .filter((v): v is string => v !== undefined)
  .map((v) => {
    const o = JSON.parse(v) as Variant;
    for (const k of Object.keys(o))
      if (!KEYS.includes(k)) throw new Error(`--variant ${v}: unknown key ${k}; expected some of ${KEYS.join(', ')}`);
    return { label: v, o };
  });
if (variants.length === 0) variants.push({ label: '{}', o: {} });

async function main(): Promise<void> {
  const data = await loadDataset({ data: arg('--data') === 'mnist' ? 'mnist' : path.resolve(arg('--data') as string) });
  const hidden = nums('--hidden', '32,32');
  const epochs = Number(arg('--epochs') ?? 20);
  const finetuneEpochs = Number(arg('--finetune-epochs') ?? 10);
  const start = paramCount([data.train.cols, ...hidden, data.classLabels.length]);
  process.stdout.write(
    `${data.name}, ${[data.train.cols, ...hidden, data.classLabels.length].join('-')} (${start} parameters), ${epochs} + ${finetuneEpochs} epochs, seeds ${nums('--seeds', '0,1,2').join(',')}\n\n`,
  );
  process.stdout.write(
    '| variant | budget | test accuracy (mean ± sd, lowest-highest) | parameters (mean) |\n| --- | ---: | ---: | ---: |\n',
  );
  for (const { label, o } of variants) {
    for (const percent of nums('--percents', '50,25,10,5')) {
      const acc: number[] = [];
      const params: number[] = [];
      for (const seed of nums('--seeds', '0,1,2')) {
        const r = await trainToBudget(
          data,
          {
            ...DEFAULT_CONFIG,
            hidden,
            epochs,
            seed,
            ...(o.lr ? { lr: o.lr } : {}),
            ...(o.l2 ? { penalty: 'l2' as const, lambda: o.l2 } : {}),
          },
          {
            targetParams: budgetFor(start, percent),
            finetuneEpochs,
            finetuneLrSchedule: o.finetuneLr ?? 'constant',
            schedule: defaultSchedule(epochs, o.warmup ?? DEFAULT_BUDGET_SCHEDULE.warmup, o.ramp ?? DEFAULT_BUDGET_SCHEDULE.rampEnd),
            ...(o.score ? { score: o.score } : {}),
            ...(o.allocation ? { allocation: o.allocation } : {}),
          },
        );
        acc.push(r.result.history[r.result.history.length - 1].testAccuracy);
        params.push(r.params);
      }
      const s = spread(acc);
      const p = spread(params);
      process.stdout.write(
        `| \`${label}\` | ${percent}% | ${s.mean.toFixed(4)} ± ${s.sd.toFixed(4)} (${s.min.toFixed(4)}-${s.max.toFixed(4)}) | ${Math.round(p.mean)} |\n`,
      );
    }
  }
}

main().catch((e) => {
  console.error(e instanceof Error ? e.message : e);
  process.exit(1);
});
