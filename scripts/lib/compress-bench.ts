/**
 * The pure parts of the compression benchmark (scripts/bench-compress.ts): parameter counts,
 * the dense baseline's widths for a budget, the JSONL results store (append, tolerant read,
 * resume), aggregation over seeds (mean, sd, min, max) and the "beats both beyond the spread"
 * verdict, and the markdown tables of the report.
 */
import * as fs from 'fs';
import * as path from 'path';
import { DEFAULT_ALLOCATION, DEFAULT_UNIT_SCORE } from '../../src/train/budget/project';
import { DEFAULT_BUDGET_SCHEDULE, defaultBudgetLr, defaultFinetuneLrSchedule } from '../../src/train/budget/schedule';
import { DEFAULT_CONFIG } from '../../src/train/defaults';

/** Parameters of a fully connected network with biases: sizes = [inputs, ...hidden, outputs]. */
export function paramCount(sizes: readonly number[]): number {
  let n = 0;
  for (let k = 1; k < sizes.length; k++) n += sizes[k - 1] * sizes[k] + sizes[k];
  return n;
}

/**
 * Hidden widths of the dense baseline: the starting hidden widths times one common factor f,
 * rounded (at least 1), with the largest f whose network [inputs, ...widths, outputs] has at most
 * `budget` parameters (bisection on f; the count does not decrease as f grows). Inputs and
 * outputs stay as they are: a dense network trained from scratch reads every feature.
 * Returns null when even all-ones hidden widths exceed the budget.
 */
export function denseWidthsForBudget(inputs: number, hidden: readonly number[], outputs: number, budget: number): number[] | null {
  const widths = (f: number) => hidden.map((h) => Math.max(1, Math.round(h * f)));
  const fits = (f: number) => paramCount([inputs, ...widths(f), outputs]) <= budget;
  if (!fits(0)) return null;
  if (fits(1)) return [...hidden];
  let lo = 0;
  let hi = 1;
  for (let i = 0; i < 60; i++) {
    const mid = (lo + hi) / 2;
    if (fits(mid)) lo = mid;
    else hi = mid;
  }
  return widths(lo);
}

/** The parameter budget for a percentage of the starting network (floored: never above the share). */
export function budgetFor(startParams: number, percent: number): number {
  return Math.floor((startParams * percent) / 100);
}

/**
 * An absolute budget as the percentage the store keys by: the share of the starting network,
 * rounded down to 3 decimals, and the budget itself (never above `params`; budgetFor of the
 * returned percentage may be smaller, so callers keep the budget).
 */
export function percentForParams(startParams: number, params: number): { percent: number; budget: number } {
  if (!(Number.isInteger(params) && params > 0)) throw new Error(`--params: expected positive integers, got ${params}`);
  const budget = Math.min(params, startParams);
  return { percent: Math.floor((budget / startParams) * 100 * 1000) / 1000, budget };
}

/** The order budgets are run in: the issue's targets (25%, 10%) first, then the rest from large to small. */
export function budgetOrder(percents: readonly number[]): number[] {
  const rank = (p: number) => (p === 25 ? 0 : p === 10 ? 1 : 2);
  return [...new Set(percents)].sort((a, b) => rank(a) - rank(b) || b - a);
}

/**
 * gs: gs-compress with the budget; gsw: the same with weight decay (`--penalty l2 --lambda
 * GSW_LAMBDA`); gsl: weight decay and label smoothing (`--label-smoothing GSL_SMOOTHING`); gsd:
 * the same with --distill; dense: from scratch; peer: magnitude pruning.
 */
export type Method = 'gs' | 'gsw' | 'gsl' | 'gsd' | 'dense' | 'peer';
export const METHODS: readonly Method[] = ['gs', 'gsw', 'gsl', 'gsd', 'dense', 'peer'];
/** Our variants beside the default gs: reported only where they were run. */
export const OPTIONAL_METHODS: readonly Method[] = ['gsw', 'gsl', 'gsd'];
/** The weight decay of the gsw and gsl methods (lambda of `--penalty l2`, kept through the fine-tuning). */
export const GSW_LAMBDA = 1e-4;
/** The label smoothing of the gsl method. */
export const GSL_SMOOTHING = 0.1;
/** What each of our methods adds to `train --target-params` (the one place a variant's flags are spelled). */
export const GS_EXTRA_ARGS: Partial<Record<Method, readonly string[]>> = {
  gs: [],
  gsw: ['--penalty', 'l2', '--lambda', String(GSW_LAMBDA)],
  gsl: ['--penalty', 'l2', '--lambda', String(GSW_LAMBDA), '--label-smoothing', String(GSL_SMOOTHING)],
  gsd: ['--distill'],
};
export const METHOD_LABEL: Record<Method, string> = {
  gs: 'gs-compress (budget)',
  gsw: `gs-compress (budget, ${(GS_EXTRA_ARGS.gsw ?? []).join(' ')})`,
  gsl: `gs-compress (budget, ${(GS_EXTRA_ARGS.gsl ?? []).join(' ')})`,
  gsd: 'gs-compress (budget, --distill)',
  dense: 'dense from scratch',
  peer: 'magnitude pruning (PyTorch)',
};

/** One finished run of the benchmark: one line of the results store. */
export interface BenchRecord {
  /** Identity: case, budget percentage, method, seed, epochs (see runKey). */
  key: string;
  case: string;
  /** The starting network [inputs, ...hidden, outputs] and its parameter count. */
  start: number[];
  startParams: number;
  budgetPercent: number;
  budget: number;
  method: Method;
  seed: number;
  epochs: number;
  finetuneEpochs: number;
  /** Final network's layer sizes and parameter count (after exact pruning, for gs). */
  layerSizes: number[] | null;
  params: number;
  testAccuracy: number;
  seconds: number;
  /** Method-specific extras (the command line, accuracy before fine-tuning, ...). */
  detail: Record<string, unknown>;
  finishedAt: string;
  /** What the method computed (see algorithmOf); absent in runs made before it was recorded. */
  algorithm?: string;
  /** Adam's learning rate of the run (every method of a case gets caseLr); absent: LEGACY_LR. */
  lr?: number;
}

/** The learning rate of the runs stored before records carried one. */
export const LEGACY_LR = 1e-3;

/**
 * The learning rate every method gets on a case: what `train --target-params` picks for that
 * data when no --lr is given (defaultBudgetLr: 5e-3 below 50000 training rows, else 1e-3), so
 * gs runs as a user's would and the alternatives run with the same lr. A case without known
 * training rows gets DEFAULT_CONFIG.lr.
 */
export function caseLr(caseName: string): number {
  const rows = CASE_TRAIN_ROWS[caseName];
  return rows === undefined ? DEFAULT_CONFIG.lr : defaultBudgetLr(rows, 'adam', DEFAULT_CONFIG.lr);
}

/**
 * What each of our methods computes on a case, as the budget trainer's defaults at the time of
 * the run (the fine-tuning lr schedule depends on the training rows and the lr): a stored run of a tagged
 * method whose tag differs (or is absent) was made by another algorithm and is superseded: left
 * out of the report and redone. The peer and the dense baseline do not depend on our algorithm
 * and carry no tag.
 */
export function gsAlgorithm(trainRows: number, lr: number): string {
  return `budget v2: score ${DEFAULT_UNIT_SCORE}, allocation ${DEFAULT_ALLOCATION}, warm-up ${DEFAULT_BUDGET_SCHEDULE.warmup}, at the budget by ${DEFAULT_BUDGET_SCHEDULE.rampEnd}, fine-tune lr ${defaultFinetuneLrSchedule(trainRows, lr)}`;
}

/** Training rows of the benchmark's cases (their fixed splits), for the algorithm tags. */
export const CASE_TRAIN_ROWS: Record<string, number> = {
  sdd: 1540,
  covtype: 35000,
  mnist: 60000,
  'mnist-300-100': 60000,
  'mnist-500-300': 60000,
};

/** The tag of a method's runs on a case (undefined: the method carries none). */
export function algorithmOf(method: Method, caseName: string): string | undefined {
  const gs = gsAlgorithm(CASE_TRAIN_ROWS[caseName] ?? 0, caseLr(caseName));
  if (method === 'gs') return gs;
  if (method === 'gsd') return `${gs}, distill`;
  if (method === 'gsw') return `${gs}, l2 ${GSW_LAMBDA}`;
  if (method === 'gsl') return `${gs}, l2 ${GSW_LAMBDA}, label smoothing ${GSL_SMOOTHING}`;
  return undefined;
}

/**
 * The records made by the current algorithm of their method on their case (see algorithmOf), at
 * the case's current learning rate (caseLr; a record without one ran at LEGACY_LR).
 */
export function currentRecords<T extends Pick<BenchRecord, 'method' | 'case' | 'algorithm' | 'lr'>>(
  records: readonly T[],
  tagOf: (method: Method, caseName: string) => string | undefined = algorithmOf,
  lrOf: (caseName: string) => number = caseLr,
): T[] {
  return records.filter((r) => {
    const tag = tagOf(r.method, r.case);
    return (tag === undefined || r.algorithm === tag) && (r.lr ?? LEGACY_LR) === lrOf(r.case);
  });
}

/** A run's identity; the lr joins it only when it is not LEGACY_LR (so older keys stay valid). */
export function runKey(r: {
  case: string;
  budgetPercent: number;
  method: Method;
  seed: number;
  epochs: number;
  finetuneEpochs: number;
  lr?: number;
}): string {
  const lr = r.lr === undefined || r.lr === LEGACY_LR ? '' : `|lr${r.lr}`;
  return `${r.case}|${r.budgetPercent}%|${r.method}|seed${r.seed}|${r.epochs}+${r.finetuneEpochs}${lr}`;
}

function isRecord(v: unknown): v is BenchRecord {
  const r = v as BenchRecord;
  return (
    Boolean(r) &&
    typeof r === 'object' &&
    typeof r.key === 'string' &&
    typeof r.case === 'string' &&
    typeof r.params === 'number' &&
    typeof r.testAccuracy === 'number' &&
    (METHODS as readonly string[]).includes(r.method) &&
    r.key === runKey(r)
  );
}

/**
 * Reads the store: one JSON record per line. A line cut short, unparsable or not a record is
 * skipped (that run is redone); of repeated keys the last line counts.
 */
export function readBenchStore(file: string): BenchRecord[] {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch {
    return [];
  }
  const byKey = new Map<string, BenchRecord>();
  for (const line of text.split('\n')) {
    if (line.trim() === '') continue;
    let v: unknown;
    try {
      v = JSON.parse(line);
    } catch {
      continue;
    }
    if (isRecord(v)) byKey.set(v.key, v);
  }
  return [...byKey.values()];
}

/** Appends one record as one write of line + newline, then fsync; a torn last line is started afresh. */
export function appendBenchRecord(file: string, rec: BenchRecord): void {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  let prefix = '';
  if (fs.existsSync(file)) {
    const size = fs.statSync(file).size;
    if (size > 0) {
      const fd = fs.openSync(file, 'r');
      const last = Buffer.alloc(1);
      fs.readSync(fd, last, 0, 1, size - 1);
      fs.closeSync(fd);
      if (last.toString() !== '\n') prefix = '\n';
    }
  }
  const fd = fs.openSync(file, 'a');
  try {
    fs.writeSync(fd, `${prefix}${JSON.stringify(rec)}\n`);
    fs.fsyncSync(fd);
  } finally {
    fs.closeSync(fd);
  }
}

/** The planned runs whose key is not yet in the store, in plan order. */
export function pendingRuns<T extends { key: string }>(plan: readonly T[], done: readonly { key: string }[]): T[] {
  const have = new Set(done.map((d) => d.key));
  return plan.filter((p) => !have.has(p.key));
}

export interface Spread {
  n: number;
  mean: number;
  sd: number;
  min: number;
  max: number;
}

/** Mean, sample standard deviation (0 for one value), lowest and highest. */
export function spread(xs: readonly number[]): Spread {
  if (xs.length === 0) throw new Error('spread of no values');
  const n = xs.length;
  const mean = xs.reduce((a, b) => a + b, 0) / n;
  const sd = n > 1 ? Math.sqrt(xs.reduce((a, b) => a + (b - mean) ** 2, 0) / (n - 1)) : 0;
  return { n, mean, sd, min: Math.min(...xs), max: Math.max(...xs) };
}

/** One cell of the report: a method at a budget on a case, over its seeds. */
export interface Cell {
  case: string;
  budgetPercent: number;
  budget: number;
  method: Method;
  /** The starting network [inputs, ...hidden, outputs] and its parameter count. */
  start: number[];
  startParams: number;
  params: Spread;
  accuracy: Spread;
  seeds: number[];
  layerSizes: (number[] | null)[];
}

/** Groups records by case, budget and method (same epochs assumed: filter first) and aggregates. */
export function aggregate(records: readonly BenchRecord[]): Cell[] {
  const groups = new Map<string, BenchRecord[]>();
  for (const r of records) {
    const k = `${r.case}|${r.budgetPercent}|${r.method}`;
    const g = groups.get(k);
    if (g) g.push(r);
    else groups.set(k, [r]);
  }
  return [...groups.values()].map((g) => {
    const s = [...g].sort((a, b) => a.seed - b.seed);
    return {
      case: s[0].case,
      budgetPercent: s[0].budgetPercent,
      budget: s[0].budget,
      method: s[0].method,
      start: s[0].start,
      startParams: s[0].startParams,
      params: spread(s.map((r) => r.params)),
      accuracy: spread(s.map((r) => r.testAccuracy)),
      seeds: s.map((r) => r.seed),
      layerSizes: s.map((r) => r.layerSizes),
    };
  });
}

export type Versus = 'beats' | 'loses' | 'overlaps';

/**
 * Compares accuracy over seeds: 'beats' when our lowest seed is above their highest (the ranges
 * do not overlap), 'loses' when our highest is below their lowest, else 'overlaps'.
 */
export function versus(ours: Spread, theirs: Spread): Versus {
  if (ours.min > theirs.max) return 'beats';
  if (ours.max < theirs.min) return 'loses';
  return 'overlaps';
}

/** The verdict of a row: whether gs-compress beats both alternatives beyond the seed spread. */
export function verdict(gs: Spread | undefined, others: { label: string; acc: Spread | undefined }[]): string {
  if (!gs) return 'gs-compress not run';
  const parts: string[] = [];
  let all = true;
  for (const o of others) {
    if (!o.acc) {
      all = false;
      parts.push(`${o.label} not run`);
      continue;
    }
    const v = versus(gs, o.acc);
    if (v !== 'beats') all = false;
    if (v === 'loses') parts.push(`loses to ${o.label}`);
    if (v === 'overlaps') parts.push(`within the spread of ${o.label}`);
  }
  return all ? 'yes' : `no: ${parts.join('; ')}`;
}

export function fmtSpread(s: Spread, digits = 4): string {
  return s.n > 1
    ? `${s.mean.toFixed(digits)} ± ${s.sd.toFixed(digits)} (${s.min.toFixed(digits)}-${s.max.toFixed(digits)})`
    : `${s.mean.toFixed(digits)} (1 seed)`;
}

/** The markdown table of one case: a row per budget, a column group per method, and the verdict. */
export function caseTable(cells: readonly Cell[], caseName: string): string[] {
  const mine = cells.filter((c) => c.case === caseName);
  // gs, dense and peer always; our variants where they were run
  const methods = METHODS.filter((m) => !OPTIONAL_METHODS.includes(m) || mine.some((c) => c.method === m));
  const budgets = [...new Set(mine.map((c) => c.budgetPercent))].sort((a, b) => b - a);
  const head = ['budget', ...methods.flatMap((m) => [`${m}: params`, `${m}: test accuracy`]), 'gs-compress beats both beyond the spread?'];
  const lines = [`| ${head.join(' | ')} |`, `| ${head.map((_, i) => (i === 0 || i === head.length - 1 ? '---' : '---:')).join(' | ')} |`];
  for (const b of budgets) {
    const at = (m: Method) => mine.find((c) => c.budgetPercent === b && c.method === m);
    const budget = mine.find((c) => c.budgetPercent === b)?.budget ?? 0;
    const row = [`${b}% (${budget})`];
    for (const m of methods) {
      const c = at(m);
      row.push(c ? String(Math.round(c.params.mean)) : '-', c ? fmtSpread(c.accuracy) : '-');
    }
    const others = methods.filter((m) => m === 'dense' || m === 'peer').map((m) => ({ label: METHOD_LABEL[m], acc: at(m)?.accuracy }));
    const variants = methods
      .filter((m) => m !== 'gs' && TARGET_METHODS.includes(m) && at(m))
      .map((m) => `; ${m}: ${verdict(at(m)?.accuracy, others)}`);
    row.push(b === 100 ? 'reference: the starting network, dense' : verdict(at('gs')?.accuracy, others) + variants.join(''));
    lines.push(`| ${row.join(' | ')} |`);
  }
  return lines;
}

/** The most accurate cell (by mean over seeds) whose largest network has at most `maxParams` parameters. */
export function bestWithin(cells: readonly Cell[], maxParams: number): Cell | null {
  const ok = cells.filter((c) => c.params.max <= maxParams);
  return ok.reduce<Cell | null>((best, c) => (!best || c.accuracy.mean > best.accuracy.mean ? c : best), null);
}

/**
 * One of the issue's targets: the best gs-compress cell (mean accuracy over seeds) of the named
 * cases whose every seed has at most `maxParams` parameters must reach `minAccuracy`, or, with
 * `againstDense`, the mean of the dense starting network (the case's dense cell at 100%).
 */
export interface Target {
  label: string;
  cases: string[];
  maxParams: number;
  minAccuracy?: number;
  againstDense?: string;
}

export interface TargetCheck {
  target: Target;
  /** The threshold it was held to (null: the dense reference was not run). */
  threshold: number | null;
  best: Cell | null;
  status: 'met' | 'not met' | 'not measured';
}

/** Our methods a target may be met by: the defaults, weight decay, and weight decay with label smoothing (the same epochs as the peers; gsd trains a teacher on top). */
export const TARGET_METHODS: readonly Method[] = ['gs', 'gsw', 'gsl'];

export function checkTargets(cells: readonly Cell[], targets: readonly Target[]): TargetCheck[] {
  return targets.map((target) => {
    const threshold = target.againstDense
      ? (cells.find((c) => c.case === target.againstDense && c.method === 'dense' && c.budgetPercent === 100)?.accuracy.mean ?? null)
      : (target.minAccuracy ?? null);
    const best = bestWithin(
      cells.filter((c) => TARGET_METHODS.includes(c.method) && target.cases.includes(c.case)),
      target.maxParams,
    );
    const status = !best || threshold === null ? 'not measured' : best.accuracy.mean >= threshold ? 'met' : 'not met';
    return { target, threshold, best, status };
  });
}

/** The report's table of target checks. */
export function targetTable(checks: readonly TargetCheck[]): string[] {
  const lines = [
    '| target | threshold | best gs-compress network within it | test accuracy | verdict |',
    '| --- | ---: | --- | ---: | --- |',
  ];
  for (const k of checks) {
    const b = k.best;
    const gap =
      b && k.threshold !== null && k.status === 'not met' ? ` (short by ${(100 * (k.threshold - b.accuracy.mean)).toFixed(2)} points)` : '';
    lines.push(
      `| ${k.target.label} | ${k.threshold?.toFixed(4) ?? 'dense reference not run'} | ${b ? `${b.case} ${b.budgetPercent}%${b.method === 'gs' ? '' : ` (${b.method})`}: ${Math.round(b.params.mean)} params (${b.layerSizes[0]?.join('-') ?? '?'})` : '-'} | ${b ? fmtSpread(b.accuracy) : '-'} | ${k.status}${gap} |`,
    );
  }
  return lines;
}
