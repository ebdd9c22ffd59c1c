/**
 * Choosing among finished runs: the best test accuracy, the sparsest run (fewest nonzero
 * parameters) within a tolerance of the best accuracy, and the Pareto front of test accuracy
 * against nonzero parameters. Diverged and collapsed (constant) runs and runs without a finite accuracy never qualify.
 */
import type { RunRecord } from './types';

export const DEFAULT_TOLERANCE = 0.005;

function usable(records: readonly RunRecord[]): RunRecord[] {
  return records.filter(
    (r) =>
      !r.summary.diverged && !r.summary.collapsed && Number.isFinite(r.summary.testAccuracy) && Number.isFinite(r.summary.nonzeroParams),
  );
}

/** Higher accuracy first, then fewer nonzero parameters, then id. */
function byAccuracy(a: RunRecord, b: RunRecord): number {
  return b.summary.testAccuracy - a.summary.testAccuracy || a.summary.nonzeroParams - b.summary.nonzeroParams || a.id.localeCompare(b.id);
}

/** Fewer nonzero parameters first, then higher accuracy, then id. */
function bySize(a: RunRecord, b: RunRecord): number {
  return a.summary.nonzeroParams - b.summary.nonzeroParams || b.summary.testAccuracy - a.summary.testAccuracy || a.id.localeCompare(b.id);
}

export function selectBest(records: readonly RunRecord[]): RunRecord | null {
  return usable(records).sort(byAccuracy)[0] ?? null;
}

/** The run with the fewest nonzero parameters among those within `tolerance` (a fraction, 0.005 = half a point) of the best accuracy. */
export function sparsestWithin(records: readonly RunRecord[], tolerance = DEFAULT_TOLERANCE): RunRecord | null {
  const best = selectBest(records);
  if (!best) return null;
  const floor = best.summary.testAccuracy - tolerance - 1e-12;
  return (
    usable(records)
      .filter((r) => r.summary.testAccuracy >= floor)
      .sort(bySize)[0] ?? null
  );
}

/** Runs no other run beats on both counts (as accurate or more with as few nonzero parameters or fewer, one strictly), fewest parameters first. */
export function paretoFront(records: readonly RunRecord[]): RunRecord[] {
  const front: RunRecord[] = [];
  let bestAcc = -Infinity;
  for (const r of usable(records).sort(bySize)) {
    if (r.summary.testAccuracy > bestAcc) {
      front.push(r);
      bestAcc = r.summary.testAccuracy;
    }
  }
  return front;
}
