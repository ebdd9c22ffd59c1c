/**
 * Choosing among finished runs: the best run, the sparsest run (fewest nonzero parameters) within
 * a tolerance of the best, and the Pareto front of accuracy against nonzero parameters. Runs are
 * compared by their validation score (the task's score, network/tasks.ts summaryScore: accuracy, or R^2 for regression, on
 * rows held out of the training split); the test score is only the final figure shown for the
 * chosen runs. When some run recorded no validation score (--val-fraction 0, or a record written
 * before validation splits existed), every run is compared by its test score instead and
 * `selectionMetric` says so in its note. Diverged and collapsed (constant) runs and runs without a
 * finite score never qualify.
 */
import type { RunRecord } from './types';
import { summaryScore } from '../network/tasks';

export const DEFAULT_TOLERANCE = 0.005;

/** The split whose score runs are compared by. */
export type SelectionKey = 'val' | 'test';

export interface SelectionMetric {
  key: SelectionKey;
  /** Set when selection falls back to the test score: why, in one sentence. */
  note?: string;
}

function alive(records: readonly RunRecord[]): RunRecord[] {
  return records.filter(
    (r) =>
      !r.summary.diverged &&
      !r.summary.collapsed &&
      Number.isFinite(summaryScore(r.summary, 'test')) &&
      Number.isFinite(r.summary.nonzeroParams),
  );
}

/** What `records` are selected by: the validation score when every candidate run has one, else the test score (with a note). */
export function selectionMetric(records: readonly RunRecord[]): SelectionMetric {
  const candidates = alive(records);
  const without = candidates.filter((r) => !Number.isFinite(summaryScore(r.summary, 'val'))).length;
  if (without === 0) return { key: 'val' };
  const all = without === candidates.length;
  return {
    key: 'test',
    note:
      `${all ? (candidates.length === 1 ? 'the run records' : `the ${candidates.length} runs record`) : `${without} of ${candidates.length} runs record`} no validation score ` +
      "(--val-fraction 0, or written before validation splits): selected by test score instead, so the chosen runs' test figures are optimistic",
  };
}

function scoreOf(r: RunRecord, key: SelectionKey): number {
  return summaryScore(r.summary, key);
}

function usable(records: readonly RunRecord[], key: SelectionKey): RunRecord[] {
  return alive(records).filter((r) => Number.isFinite(scoreOf(r, key)));
}

/** Higher score first, then fewer nonzero parameters, then id. */
function byScore(key: SelectionKey) {
  return (a: RunRecord, b: RunRecord): number =>
    scoreOf(b, key) - scoreOf(a, key) || a.summary.nonzeroParams - b.summary.nonzeroParams || a.id.localeCompare(b.id);
}

/** Fewer nonzero parameters first, then higher score, then id. */
function bySize(key: SelectionKey) {
  return (a: RunRecord, b: RunRecord): number =>
    a.summary.nonzeroParams - b.summary.nonzeroParams || scoreOf(b, key) - scoreOf(a, key) || a.id.localeCompare(b.id);
}

/** Records ordered best first by the score they are selected by (`key`, default selectionMetric's). */
export function rankRuns(records: readonly RunRecord[], key: SelectionKey = selectionMetric(records).key): RunRecord[] {
  return [...records].sort((a, b) => {
    const fa = Number.isFinite(scoreOf(a, key));
    const fb = Number.isFinite(scoreOf(b, key));
    return fa === fb ? (fa ? byScore(key)(a, b) : a.id.localeCompare(b.id)) : fa ? -1 : 1;
  });
}

/** The run with the best validation score (test score when not every run has one, see selectionMetric). */
export function selectBest(records: readonly RunRecord[], key: SelectionKey = selectionMetric(records).key): RunRecord | null {
  return usable(records, key).sort(byScore(key))[0] ?? null;
}

/** The run with the fewest nonzero parameters among those within `tolerance` (a fraction, 0.005 = half a point) of the best score. */
export function sparsestWithin(
  records: readonly RunRecord[],
  tolerance = DEFAULT_TOLERANCE,
  key: SelectionKey = selectionMetric(records).key,
): RunRecord | null {
  const best = selectBest(records, key);
  if (!best) return null;
  const floor = scoreOf(best, key) - tolerance - 1e-12;
  return (
    usable(records, key)
      .filter((r) => scoreOf(r, key) >= floor)
      .sort(bySize(key))[0] ?? null
  );
}

/** Runs no other run beats on both counts (as good a score or better with as few nonzero parameters or fewer, one strictly), fewest parameters first. */
export function paretoFront(records: readonly RunRecord[], key: SelectionKey = selectionMetric(records).key): RunRecord[] {
  const front: RunRecord[] = [];
  let bestScore = -Infinity;
  for (const r of usable(records, key).sort(bySize(key))) {
    if (scoreOf(r, key) > bestScore) {
      front.push(r);
      bestScore = scoreOf(r, key);
    }
  }
  return front;
}
