/**
 * The training-speed part of scripts/bench-cnn.ts (--timing) that computes rather than runs: one
 * stored round per case and round number (reports/cnn/cells/SETTINGS/CASE/timing/round-N.json, so
 * a stopped run resumes), the network whose epochs show what pruning saves (the gs cell's widths at
 * a budget, else the uniform shrink of that budget), best and median over the rounds, and the
 * report's lines. A round times, in turn on the same rows, an epoch of training steps of our engine
 * on the dense network, of the PyTorch peer at 1 and at 2 threads, and of our engine on each
 * pruned network, so that load on the machine falls on every side alike.
 */
import * as fs from 'fs';
import * as path from 'path';
import { writeFileAtomic } from '../../src/util/fs-atomic';
import { macsBudget, narrowSpec, specCounts, withWidths, type CnnCell } from './cnn-bench';

/** Our engine's epoch on a pruned network of a budget. */
export interface PrunedTiming {
  /** Percent of the starting network's multiply-adds of the budget it comes from. */
  percent: number;
  spec: string;
  /** 'gs': the widths the budget trainer left (its cell, lowest seed); 'narrow': the uniform shrink. */
  from: 'gs' | 'narrow';
  seconds: number;
}

/** One interleaved round of a case: seconds of one epoch of training steps each. */
export interface TimingRound {
  case: string;
  round: number;
  /** ISO time the round started. */
  date: string;
  /** os.loadavg() (1, 5, 15 minutes, as `uptime` shows) when the round started, and cores. */
  loadAverage: number[];
  cores: number;
  /** Our engine's name (layers-wasm, or layers-js where the WebAssembly kernels are unavailable). */
  engine: string;
  dense: number;
  /** The peer's dense epoch at 1 and at 2 threads (absent without --peer). */
  peer1?: number;
  peer2?: number;
  pruned: PrunedTiming[];
}

export function timingFile(dir: string, caseName: string, round: number): string {
  return path.join(dir, caseName, 'timing', `round-${round}.json`);
}

export function writeTimingRound(dir: string, r: TimingRound): void {
  const file = timingFile(dir, r.case, r.round);
  fs.mkdirSync(path.dirname(file), { recursive: true });
  writeFileAtomic(file, JSON.stringify(r, null, 1) + '\n');
}

/** The stored rounds of a case, by round number. */
export function readTimingRounds(dir: string, caseName: string): TimingRound[] {
  const sub = path.join(dir, caseName, 'timing');
  if (!fs.existsSync(sub)) return [];
  return fs
    .readdirSync(sub)
    .filter((n) => /^round-\d+\.json$/.test(n))
    .map((n) => JSON.parse(fs.readFileSync(path.join(sub, n), 'utf8')) as TimingRound)
    .sort((a, b) => a.round - b.round);
}

/**
 * The pruned network of a budget to time: the widths of the gs cell at that percent (its lowest
 * seed with a result), else the uniformly narrower network of the budget; null when neither exists.
 */
export function prunedSpec(
  cells: readonly CnnCell[],
  caseName: string,
  arch: string,
  percent: number,
): Omit<PrunedTiming, 'seconds'> | null {
  const gs = cells
    .filter((c) => c.case === caseName && c.method === 'gs' && c.percent === percent && Number.isFinite(c.testAccuracy) && c.widths.length)
    .sort((a, b) => a.seed - b.seed)[0];
  if (gs) return { percent, spec: withWidths(arch, gs.widths), from: 'gs' };
  const n = narrowSpec(arch, macsBudget(specCounts(arch).macs, percent));
  return n ? { percent, spec: n.spec, from: 'narrow' } : null;
}

export interface BestMedian {
  best: number;
  median: number;
  n: number;
}

export function bestMedian(xs: readonly number[]): BestMedian {
  if (!xs.length) throw new RangeError('bestMedian: no values');
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return { best: s[0], median: s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2, n: s.length };
}

export interface TimingSummary {
  rounds: number;
  engine: string;
  /** Lowest and highest 1-minute load average at the rounds' starts, and the cores. */
  load: { min: number; max: number; cores: number };
  dates: { first: string; last: string };
  dense: BestMedian;
  peer1: BestMedian | null;
  peer2: BestMedian | null;
  pruned: (Omit<PrunedTiming, 'seconds'> & BestMedian)[];
}

export function summarizeTiming(rounds: readonly TimingRound[]): TimingSummary | null {
  if (!rounds.length) return null;
  const of = (xs: (number | undefined)[]): BestMedian | null => {
    const v = xs.filter((x): x is number => x !== undefined && Number.isFinite(x));
    return v.length ? bestMedian(v) : null;
  };
  const loads = rounds.map((r) => r.loadAverage[0]);
  // a pruned network per (percent, spec): a round that timed another spec at a percent is its own row
  const keys = new Map<string, Omit<PrunedTiming, 'seconds'>>();
  for (const r of rounds) for (const p of r.pruned) keys.set(`${p.percent}|${p.spec}`, { percent: p.percent, spec: p.spec, from: p.from });
  const pruned = [...keys.values()]
    .sort((a, b) => b.percent - a.percent)
    .map((k) => ({
      ...k,
      ...bestMedian(rounds.flatMap((r) => r.pruned.filter((p) => p.percent === k.percent && p.spec === k.spec).map((p) => p.seconds))),
    }));
  const dates = rounds.map((r) => r.date).sort();
  return {
    rounds: rounds.length,
    engine: [...new Set(rounds.map((r) => r.engine))].join(', '),
    load: { min: Math.min(...loads), max: Math.max(...loads), cores: rounds[0].cores },
    dates: { first: dates[0], last: dates[dates.length - 1] },
    dense: bestMedian(rounds.map((r) => r.dense)),
    peer1: of(rounds.map((r) => r.peer1)),
    peer2: of(rounds.map((r) => r.peer2)),
    pruned,
  };
}

const f2 = (x: number): string => x.toFixed(2);
const bm = (b: BestMedian): string => `${f2(b.best)} / ${f2(b.median)}`;

/** The report's training-speed lines of a case (markdown), or a line saying it was not timed. */
export function timingLines(s: TimingSummary | null, trainRows: number, batch: number): string[] {
  if (!s) return ['Training speed: not timed in these settings (`--timing` measures it).'];
  const load = s.load.min === s.load.max ? s.load.min.toFixed(2) : `${s.load.min.toFixed(2)}-${s.load.max.toFixed(2)}`;
  const day = (d: string): string => d.slice(0, 16).replace('T', ' ');
  const [first, last] = [day(s.dates.first), day(s.dates.last)];
  const when = first === last ? first : first.slice(0, 10) === last.slice(0, 10) ? `${first} to ${last.slice(11)}` : `${first} to ${last}`;
  const lines = [
    `Training speed: seconds per epoch of training steps alone (${trainRows} rows, batch ${batch}, Adam; no evaluation), ` +
      `best / median of ${s.rounds} interleaved round${s.rounds === 1 ? '' : 's'} (each round: gs-compress, PyTorch at 1 thread, ` +
      `PyTorch at 2 threads, then gs-compress on the pruned networks); 1-minute load average ${load} on ${s.load.cores} cores ` +
      `at the rounds' starts (${when} UTC).`,
    '',
  ];
  const peers = [s.peer1, s.peer2].filter((p): p is BestMedian => p !== null);
  const peerBest = peers.length ? Math.min(...peers.map((p) => p.best)) : null;
  lines.push(
    `- Dense training: gs-compress (${s.engine}${s.engine.includes('threads') ? '' : ', one thread'}) ${bm(s.dense)}` +
      (s.peer1 ? `; PyTorch 1 thread ${bm(s.peer1)}` : '') +
      (s.peer2 ? `, 2 threads ${bm(s.peer2)}` : '') +
      (peerBest !== null ? `; gs-compress's best takes ${(s.dense.best / peerBest).toFixed(2)}x the time of PyTorch's best.` : '.'),
  );
  for (const p of s.pruned) {
    lines.push(
      `- gs-compress at ${p.percent}% of the multiply-adds (\`${p.spec}\`, ${p.from === 'gs' ? "the budget trainer's widths" : 'the uniform shrink'}, ` +
        `${specCounts(p.spec).macs} MACs): ${bm(p)}, ${(p.best / s.dense.best).toFixed(2)}x its dense epoch.`,
    );
  }
  return lines;
}
