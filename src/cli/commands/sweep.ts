/**
 * `gs-compress sweep`: train a grid of configurations on worker processes into a resumable
 * results store; `sweep show STORE` picks the best, the sparsest within a tolerance and the
 * Pareto front; `sweep merge OUT STORE...` joins stores (e.g. shards from several machines).
 */
import * as path from 'path';
import type { Argv, CommandModule } from 'yargs';
import { GsError } from '../../errors';
import {
  completeGrid,
  DEFAULT_TOLERANCE,
  defaultWorkers,
  mergeGridInputs,
  mergeStores,
  paretoFront,
  parseShard,
  PRESETS,
  PRESET_NAMES,
  presetGrid,
  readGridFile,
  readStore,
  runDirOf,
  runSweep,
  rankRuns,
  selectBest,
  selectionMetric,
  sparsestWithin,
  type GridInput,
  type RunRecord,
} from '../../sweep';
import { dataOptions, dataSpec, type DataArgs } from '../data-options';
import { prepareOutputDir } from '../../util/output-path';
import { sweepFlagsGrid, sweepTrainingOptions, type SweepFlagArgs } from '../training-flags';
import { ProgressBar } from '../progress';
import { folderNote, interruptible } from '../interruptible';
import { formatTable } from '../table';
import { fmtRmse } from '../history-table';
import { summaryScore } from '../../network/tasks';

interface SweepArgs extends DataArgs, SweepFlagArgs {
  preset?: string;
  grid?: string;
  out: string;
  workers?: number;
  shard?: string;
  'shard-count'?: number;
  tolerance: number;
  json: boolean;
}

interface ShowArgs {
  store: string;
  tolerance: number;
  all: boolean;
  json: boolean;
}

interface MergeArgs {
  out: string;
  stores: string[];
  json: boolean;
}

function sweepOptions<T>(y: Argv<T>): Argv<T & SweepArgs> {
  return (
    sweepTrainingOptions(dataOptions(y))
      // no yargs defaults here, so that a grid file's values are not overridden by them
      .option('test-fraction', {
        type: 'number',
        default: undefined,
        group: 'Data:',
        describe: 'Share of a single --data file held out for testing (default 0.3)',
      })
      .option('split-seed', {
        type: 'number',
        default: undefined,
        group: 'Data:',
        describe: 'Seed of the train/test split of a single file (default 0)',
      })
      .option('preset', {
        type: 'string',
        choices: PRESET_NAMES,
        group: 'Grid:',
        describe: `A grid of the paper; flags override its lists. ${PRESET_NAMES.map((n) => `${n}: ${PRESETS[n].describe}`).join('; ')}`,
      })
      .option('grid', {
        type: 'string',
        group: 'Grid:',
        describe:
          'JSON or YAML file of lists keyed by these flags\' names (e.g. {"lr": [5e-3, 1e-3], "penalty": ["gl", "sgl"]}); flags override it',
      })
      .option('out', {
        type: 'string',
        demandOption: true,
        group: 'Running:',
        describe: 'Sweep folder: results.jsonl (one line per finished run) and runs/<id>/; running again resumes',
      })
      .option('workers', {
        type: 'number',
        group: 'Running:',
        describe: `Worker processes (default: the number of cores, ${defaultWorkers()} here); 0 trains in this process`,
      })
      .option('shard', {
        type: 'string',
        group: 'Running:',
        describe:
          'i/n: run only the i-th of n slices of the grid (configurations whose index is i-1 mod n), to spread a grid over machines; join with `sweep merge`. auto: the slice of this array-job task (Kubernetes JOB_COMPLETION_INDEX, Slurm SLURM_ARRAY_TASK_ID/COUNT; see deploy/)',
      })
      .option('shard-count', {
        type: 'number',
        group: 'Running:',
        describe:
          "With --shard auto: the number of slices, when the job system does not say (Kubernetes: the Job's completions; or set GS_SHARD_COUNT)",
      })
      .option('tolerance', {
        type: 'number',
        default: DEFAULT_TOLERANCE,
        group: 'Output:',
        describe: 'Accuracy tolerance (a fraction; 0.005 = 0.5 points) for the sparsest near-best run',
      })
      .option('json', {
        type: 'boolean',
        default: false,
        group: 'Output:',
        describe: 'No progress; print one JSON summary at the end',
      }) as Argv<T & SweepArgs>
  );
}

/** What the command line says, as a grid input (only the flags actually given). */
function flagsGrid(a: SweepArgs): GridInput {
  const spec = dataSpec(a);
  return {
    data: Object.fromEntries(Object.entries(spec).filter(([, v]) => v !== undefined)),
    ...(sweepFlagsGrid(a) as Omit<GridInput, 'data'>),
  };
}

/** The grid a sweep command means: preset < grid file < flags. */
export function gridFromArgs(a: SweepArgs): ReturnType<typeof completeGrid> {
  const file = a.grid ? readGridFile(a.grid) : undefined;
  const preset = a.preset ?? file?.preset;
  return completeGrid(mergeGridInputs(preset ? presetGrid(preset) : undefined, file?.grid, flagsGrid(a)));
}

function duration(s: number): string {
  if (!Number.isFinite(s)) return '?';
  const t = Math.round(s);
  if (t < 60) return `${t}s`;
  if (t < 3600) return `${Math.floor(t / 60)}m${String(t % 60).padStart(2, '0')}s`;
  return `${Math.floor(t / 3600)}h${String(Math.floor((t % 3600) / 60)).padStart(2, '0')}m`;
}

/** A path relative to the working folder when it lies inside it, else absolute. */
function shortPath(p: string): string {
  const rel = path.relative(process.cwd(), p);
  return rel && !rel.startsWith('..') && !path.isAbsolute(rel) ? rel : p;
}

/** 1e-5 rather than 0.00001 for small rates and strengths. */
function num(v: number): string {
  return v !== 0 && Math.abs(v) < 1e-3 ? v.toExponential() : String(v);
}

function compact(store: string, r: RunRecord) {
  const t = r.config.train;
  return {
    id: r.id,
    runDir: runDirOf(store, r),
    config: {
      hidden: t.hidden,
      optimizer: t.optimizer,
      lr: t.lr,
      penalty: t.penalty,
      lambda: t.lambda,
      seed: t.seed,
      epochs: t.epochs,
      batchSize: t.batchSize,
      solver: t.solver,
    },
    summary: r.summary,
  };
}

function runTable(store: string, records: RunRecord[]): string {
  // regression runs score by R^2 (kept in valAccuracy / testAccuracy, higher is better) and RMSE;
  // the validation score is what runs are chosen by, the test score the final figure
  const reg = records.some((r) => r.summary.task === 'regression');
  const fmt = (s: RunRecord['summary'], v: number | undefined, rmse: number | undefined) =>
    v === undefined || !Number.isFinite(v)
      ? '-'
      : s.task === 'regression'
        ? `${v.toFixed(4)} (${fmtRmse(rmse ?? NaN)})`
        : `${(100 * v).toFixed(2)}%`;
  return formatTable(
    [
      'id',
      'optimizer',
      'lr',
      'penalty',
      'lambda',
      'hidden',
      'seed',
      reg ? 'val R^2 (RMSE), selects' : 'val acc (selects)',
      reg ? 'test R^2 (RMSE), final' : 'test acc (final)',
      'nonzero',
      'total',
      'pruned',
      'units',
      'inputs',
      'dir',
    ],
    records.map((r) => {
      const t = r.config.train;
      const s = r.summary;
      return [
        r.id,
        t.optimizer,
        num(t.lr),
        t.penalty,
        t.penalty === 'none' ? '-' : num(t.lambda),
        t.hidden.join(',') || 'none',
        t.seed,
        fmt(s, summaryScore(s, 'val'), s.valRmse),
        fmt(s, summaryScore(s, 'test'), s.testRmse),
        s.nonzeroParams,
        s.totalParams,
        s.prunedParams,
        s.aliveUnits.join(',') || '-',
        `${s.aliveInputs}/${s.inputs}`,
        shortPath(runDirOf(store, r)),
      ];
    }),
  );
}

function selection(records: RunRecord[], tolerance: number) {
  const metric = selectionMetric(records);
  return {
    metric,
    best: selectBest(records, metric.key),
    sparsest: sparsestWithin(records, tolerance, metric.key),
    pareto: paretoFront(records, metric.key),
  };
}

function printSelection(store: string, records: RunRecord[], tolerance: number, all: boolean): void {
  const { metric, best, sparsest, pareto } = selection(records, tolerance);
  const out = (s: string) => process.stdout.write(`${s}\n`);
  const diverged = records.filter((r) => r.summary.diverged).length;
  const collapsed = records.filter((r) => r.summary.collapsed).length;
  out(
    `${records.length} runs in ${shortPath(store)}${diverged ? ` (${diverged} diverged, left out)` : ''}` +
      (collapsed ? ` (${collapsed} collapsed to a constant model, left out: a smaller lambda or a budget avoids it)` : ''),
  );
  if (!best || !sparsest) {
    out('no usable run yet');
    return;
  }
  const by = metric.key === 'val' ? 'validation' : 'test';
  out(
    metric.note
      ? `note: ${metric.note}`
      : 'Runs are chosen by validation score (rows held out of the training split); test is the final figure of the chosen runs.',
  );
  out(`\nBest ${by} score:\n${runTable(store, [best])}`);
  out(
    `\nSparsest within ${(100 * tolerance).toFixed(2)} points of the best ${by} score (fewest nonzero parameters):\n${runTable(store, [sparsest])}`,
  );
  out(`\nPareto front (${by} score vs nonzero parameters):\n${runTable(store, pareto)}`);
  if (all) out(`\nAll runs by ${by} score:\n${runTable(store, rankRuns(records, metric.key))}`);
  out(`\nnext: gs-compress prune ${shortPath(runDirOf(store, sparsest))} --export model.onnx`);
}

function selectionJson(store: string, records: RunRecord[], tolerance: number) {
  const { metric, best, sparsest, pareto } = selection(records, tolerance);
  return {
    store,
    runs: records.length,
    tolerance,
    selectedBy: metric.key === 'val' ? 'validation' : 'test',
    ...(metric.note ? { selectionNote: metric.note } : {}),
    best: best && compact(store, best),
    sparsest: sparsest && compact(store, sparsest),
    pareto: pareto.map((r) => compact(store, r)),
  };
}

const runCommand: CommandModule<object, SweepArgs> = {
  command: '$0',
  describe: 'Train every configuration of a grid (resumable)',
  builder: (y) =>
    sweepOptions(y)
      .example(
        '$0 sweep --data mnist --optimizer adam,rmsprop --lr 5e-3,1e-3 --penalty gl,sgl --lambda 1e-4,1e-5 --out sweeps/mnist',
        '16 runs on all cores',
      )
      .example('$0 sweep --data sdd --preset group --out sweeps/sdd', "the paper's group-sparsity grid (72 runs)")
      .example('$0 sweep --data sdd --preset group --shard 2/4 --out sweeps/sdd-2', 'the second of 4 slices, e.g. on a second machine')
      .example(
        '$0 sweep --data sdd --preset group --shard auto --out sweeps/sdd-$SLURM_ARRAY_TASK_ID',
        'one task of a Slurm job array or Kubernetes Indexed Job',
      )
      .example(
        '$0 sweep --data my.csv --hidden "16;32,32" --seed 0,1,2 --penalty none,gl --lambda 1e-4 --out sweeps/mine',
        'two architectures, three seeds',
      ),
  handler: async (a) => {
    const grid = gridFromArgs(a);
    if (a.workers !== undefined && !(Number.isInteger(a.workers) && a.workers >= 0))
      throw new GsError('BAD_OPTION', `--workers ${a.workers}: expected a whole number >= 0`);
    if (!(a.tolerance >= 0)) throw new GsError('BAD_OPTION', `--tolerance ${a.tolerance}: expected a number >= 0`);
    if (a['shard-count'] !== undefined && a.shard === undefined) throw new GsError('BAD_OPTION', '--shard-count goes with --shard auto');
    const shard = a.shard !== undefined ? parseShard(a.shard, { count: a['shard-count'] }) : undefined;
    // a sweep folder is written into again (a run resumes there): only its writability is checked
    prepareOutputDir(a.out, { option: '--out', allowExisting: true });
    const bar = new ProgressBar(!a.json && Boolean(process.stderr.isTTY));
    const t0 = Date.now();
    let total = 0;
    let skipped = 0;
    const result = await runSweep(
      { grid, out: a.out, workers: a.workers, shard },
      {
        onStart: (s) => {
          total = s.total;
          skipped = s.skipped;
          if (a.json) return;
          const where = shard
            ? ` (shard ${shard.index}/${shard.count}${shard.source ? ` from ${shard.source}` : ''} of ${s.gridSize})`
            : '';
          const repaired = s.repairedLines ? `; dropped ${s.repairedLines} unreadable store line(s), redoing them` : '';
          process.stderr.write(
            `sweep: ${s.total} configurations${where}, ${s.skipped} already done, ${s.pending} to run on ${s.workers || 'no'} worker${s.workers === 1 ? '' : 's'}${repaired}\n`,
          );
          if (s.pending > 0) bar.update(`runs ${s.skipped}/${s.total}`, 0, s.pending, 'elapsed 0s');
        },
        onRunDone: (_r, p) => {
          const elapsed = (Date.now() - t0) / 1000;
          const eta = (elapsed / p.done) * (p.pending - p.done);
          bar.update(`runs ${skipped + p.done}/${total}`, p.done, p.pending, `elapsed ${duration(elapsed)} ETA ${duration(eta)}`);
        },
        onRunFailed: (id, message) => !a.json && bar.log(`run ${id} failed: ${message}`),
      },
    );
    bar.clear();
    if (a.json) {
      process.stdout.write(
        `${JSON.stringify({
          out: result.out,
          gridSize: result.gridSize,
          shard: shard ?? null,
          total: result.total,
          skipped: result.skipped,
          ran: result.ran,
          failed: result.failed,
          seconds: result.seconds,
          ...selectionJson(result.store, result.records, a.tolerance),
        })}\n`,
      );
    } else {
      process.stdout.write(
        `ran ${result.ran}, skipped ${result.skipped} (already done), failed ${result.failed.length}, in ${duration(result.seconds)}\n`,
      );
      printSelection(result.store, result.records, a.tolerance, false);
    }
    if (result.failed.length > 0) {
      process.stderr.write(`error: ${result.failed.length} run(s) failed; run the same command again to retry them\n`);
      process.exitCode = 1;
    }
  },
};

const showCommand: CommandModule<object, ShowArgs> = {
  command: 'show <store>',
  describe: 'Best run, sparsest run within a tolerance of it, and the Pareto front of a results store',
  builder: (y) =>
    y
      .positional('store', { type: 'string', demandOption: true, describe: 'results.jsonl, or the sweep folder holding it' })
      .option('tolerance', {
        type: 'number',
        default: DEFAULT_TOLERANCE,
        describe: 'Accuracy tolerance (a fraction; 0.005 = 0.5 points) for the sparsest near-best run',
      })
      .option('all', { type: 'boolean', default: false, describe: 'Also list every run, by test accuracy' })
      .option('json', { type: 'boolean', default: false, describe: 'Print one JSON object' })
      .example('$0 sweep show sweeps/mnist', 'then: gs-compress prune <dir> --export model.onnx'),
  handler: (a) => {
    if (!(a.tolerance >= 0)) throw new GsError('BAD_OPTION', `--tolerance ${a.tolerance}: expected a number >= 0`);
    const store = readStore(a.store, true);
    if (a.json)
      process.stdout.write(
        `${JSON.stringify({ ...selectionJson(store.file, store.records, a.tolerance), droppedLines: store.dropped })}\n`,
      );
    else {
      if (store.dropped) process.stderr.write(`note: ${store.dropped} unreadable line(s) in ${store.file} skipped\n`);
      printSelection(store.file, store.records, a.tolerance, a.all);
    }
  },
};

const mergeCommand: CommandModule<object, MergeArgs> = {
  command: 'merge <out> <stores..>',
  describe: 'Join results stores into OUT (dedupe by id; run directories are copied into OUT/runs)',
  builder: (y) =>
    y
      .positional('out', {
        type: 'string',
        demandOption: true,
        describe: 'Folder of the merged store (OUT/results.jsonl, OUT/runs/); its own runs are kept',
      })
      .positional('stores', { type: 'string', array: true, demandOption: true, describe: 'results.jsonl files or sweep folders' })
      .option('json', { type: 'boolean', default: false, describe: 'Print one JSON object' })
      .example('$0 sweep merge sweeps/sdd sweeps/sdd-1 sweeps/sdd-2', 'join two shards'),
  handler: (a) => {
    prepareOutputDir(a.out, { allowExisting: true });
    const r = mergeStores(a.out, a.stores);
    if (a.json) {
      process.stdout.write(
        `${JSON.stringify({ store: r.file, runs: r.records.length, added: r.added, duplicates: r.duplicates, copiedRuns: r.copiedRuns, missingRuns: r.missingRuns, droppedLines: r.dropped })}\n`,
      );
      return;
    }
    process.stdout.write(
      `${shortPath(r.file)}: ${r.records.length} runs (${r.added} added, ${r.duplicates} duplicate ids skipped, ${r.copiedRuns} run folders copied)\n`,
    );
    if (r.missingRuns.length)
      process.stderr.write(`warning: no run folder for ${r.missingRuns.join(', ')} (kept, pointing where it was expected)\n`);
    if (r.dropped) process.stderr.write(`note: ${r.dropped} unreadable line(s) skipped\n`);
  },
};

export const sweepCommand: CommandModule = {
  command: 'sweep',
  describe: 'Train a grid of configurations in parallel (resumable), then pick the best, the sparsest near-best and the Pareto front',
  builder: (y: Argv) =>
    y
      .command(showCommand)
      .command(mergeCommand)
      .command(
        interruptible(runCommand, (a) =>
          folderNote('sweep store', a.out, ' (finished configurations; the same command resumes)'),
        ) as CommandModule,
      ),
  handler: () => undefined,
};
