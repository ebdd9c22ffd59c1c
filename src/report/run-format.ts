/** How a run is named and its figures written in the report's tables and legends. */
import type { RunRecord } from '../sweep/types';
import { summaryScore } from '../network/tasks';

export function penaltyOf(r: RunRecord): string {
  return String(r.config?.train?.penalty ?? '?');
}

export function lambdaText(r: RunRecord): string {
  const t = r.config?.train;
  if (!t || t.penalty === 'none' || typeof t.lambda !== 'number') return '-';
  return t.lambda.toPrecision(3).replace(/\.?0+(e|$)/, '$1');
}

/**
 * The hidden widths of a run: those it was configured with, or, for a budget run (each stop of a
 * size path) that records its own, the widths it ended at with the configured ones beside them
 * ("19,24 (from 32,32)"); an --arch network's are its channel and unit widths ("2,5,12 (from 4,6,12)").
 */
export function hiddenText(r: RunRecord): string {
  const t = r.config?.train;
  const h = t?.hidden;
  const text = (w: number[]) => (w.length ? w.join(',') : 'none');
  // an --arch network's levels: the channels and units its spec (or the budget's start) had
  const start = r.summary?.startWidths;
  const configured =
    typeof t?.arch === 'string' ? (Array.isArray(start) ? text(start.slice(1, -1)) : t.arch) : Array.isArray(h) ? text(h) : '?';
  const own = r.summary?.hidden;
  if (!Array.isArray(own)) return configured;
  return text(own) === configured ? configured : `${text(own)} (from ${configured})`;
}

/** Short legend label: id, penalty and lambda. */
export function runLabel(r: RunRecord): string {
  const lam = lambdaText(r);
  return `${r.id} ${penaltyOf(r)}${lam === '-' ? '' : ` λ=${lam}`}`;
}

export function fixed(v: number | undefined, digits: number): string {
  return typeof v === 'number' && Number.isFinite(v) ? v.toFixed(digits) : '-';
}

export function count(v: number | undefined): string {
  return typeof v === 'number' && Number.isFinite(v) ? String(v) : '-';
}

export function percentOf(part: number, whole: number): string {
  return Number.isFinite(part) && whole > 0 ? `${((100 * part) / whole).toFixed(1)}%` : '-';
}

/** A score cell: accuracy, or R^2 with its RMSE for regression; '-' when absent (no validation split). */
export function scoreText(task: string | undefined, score: number | undefined, rmse: number | undefined): string {
  if (score === undefined || !Number.isFinite(score)) return '-';
  return task === 'regression' ? `R^2 ${fixed(score, 4)} (RMSE ${rmse?.toPrecision(4) ?? '-'})` : fixed(score, 4);
}

/** The columns shared by the runs and the selection tables. */
export const RUN_COLUMNS = [
  'run',
  'penalty',
  'lambda',
  'hidden',
  'optimizer',
  'lr',
  'epochs',
  'val score (selects)',
  'test score (final)',
  'nonzero params',
  'total params',
  'nonzero %',
  'alive neurons',
  'alive inputs',
  'seconds',
];
export const RUN_NUMERIC_COLUMNS = [5, 6, 7, 8, 9, 10, 11, 12, 13, 14];

export function runCells(r: RunRecord): string[] {
  const t = r.config?.train;
  const s = r.summary;
  return [
    r.id,
    penaltyOf(r),
    lambdaText(r),
    hiddenText(r),
    String(t?.optimizer ?? '?'),
    typeof t?.lr === 'number' ? String(t.lr) : '?',
    typeof t?.epochs === 'number' ? String(t.epochs) : String(r.history.length),
    // the validation score selects, the test score is the final figure; a regression run's score
    // is R^2 (its task's score, summaryScore), shown with its RMSE
    scoreText(s.task, summaryScore(s, 'val'), s.valRmse),
    scoreText(s.task, summaryScore(s, 'test'), s.testRmse),
    count(s.nonzeroParams),
    count(s.totalParams),
    percentOf(s.nonzeroParams, s.totalParams),
    count(s.aliveNeurons),
    Number.isFinite(s.inputs) ? `${count(s.aliveInputs)}/${s.inputs}` : count(s.aliveInputs),
    fixed(s.seconds, 2),
  ];
}
