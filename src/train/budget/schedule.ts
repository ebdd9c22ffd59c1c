/**
 * The size schedule of gradual pruning (Zhu & Gupta 2017): after `warmup` dense epochs the allowed
 * size falls from the starting size toward the budget as a cubic, reaching it at epoch `rampEnd`,
 * and is held there to the end. Large steps early, when the network has most slack; small ones late.
 */
import { GsError } from '../../errors';

export interface SizeSchedule {
  /** Dense epochs before the first projection. */
  warmup: number;
  /** Epoch at whose end the network first fits the budget. */
  rampEnd: number;
}

/** Default fractions of the epochs: warm-up, and where the ramp reaches the budget. */
export const DEFAULT_BUDGET_SCHEDULE = { warmup: 0.1, rampEnd: 0.6 };

/** The schedule for `epochs` epochs from fractions of them. */
export function defaultSchedule(
  epochs: number,
  warmupFraction = DEFAULT_BUDGET_SCHEDULE.warmup,
  rampFraction = DEFAULT_BUDGET_SCHEDULE.rampEnd,
): SizeSchedule {
  if (!(warmupFraction >= 0 && warmupFraction <= 1) || !(rampFraction >= warmupFraction && rampFraction <= 1)) {
    throw new GsError('BAD_OPTION', `budget schedule: expected 0 <= warm-up ${warmupFraction} <= ramp end ${rampFraction} <= 1`);
  }
  const warmup = Math.min(epochs, Math.max(1, Math.round(warmupFraction * epochs)));
  const rampEnd = Math.min(epochs, Math.max(warmup, Math.round(rampFraction * epochs)));
  return { warmup, rampEnd };
}

/** Allowed size at the end of `epoch` (1-based), or null before the first projection. */
export function allowedSize(s: SizeSchedule, epoch: number, start: number, budget: number): number | null {
  if (epoch < s.warmup) return null;
  if (epoch >= s.rampEnd) return budget;
  const frac = (epoch - s.warmup + 1) / (s.rampEnd - s.warmup + 1);
  return Math.max(budget, Math.floor(budget + (start - budget) * Math.pow(1 - frac, 3)));
}
