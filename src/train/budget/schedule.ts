/**
 * The size schedule of gradual pruning (Zhu & Gupta 2017): after `warmup` dense epochs the allowed
 * size falls from the starting size toward the budget as a cubic, reaching it at epoch `rampEnd`,
 * and is held there to the end. Large steps early, when the network has most slack; small ones late.
 */
import { GsError } from '../../errors';
import type { LrSchedule } from '../lr-schedule';

export interface SizeSchedule {
  /** Dense epochs before the first projection. */
  warmup: number;
  /** Epoch at whose end the network first fits the budget. */
  rampEnd: number;
}

/** Default fractions of the epochs: warm-up, and where the ramp reaches the budget. Measured
 * (reports/budget/BUDGET.md): half the epochs dense, then the ramp over the other half, wins on
 * the SDD sample (+2.5 points over 10%/60%) and costs MNIST 0.2 points or less. */
export const DEFAULT_BUDGET_SCHEDULE = { warmup: 0.5, rampEnd: 1 };

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

/** Training rows from which a budget run's fine-tuning decays its learning rate by default. */
export const COSINE_FINETUNE_MIN_ROWS = 50000;

/**
 * The fine-tuning learning-rate schedule of a budget run when none is asked for: cosine decay for a
 * network reading images or sequences, on large training sets, or at a learning rate of
 * SMALL_DATA_BUDGET_LR or more; constant for a flat-input network on a small set at a lower rate.
 * Measured (reports/compress/NOTES.md sections 4 and 7): on MNIST (60000 rows, lr 1e-3) cosine
 * wins 0.25 points at 25% and beyond the seed spread; at lr 1e-3 on the SDD sample (1540 rows,
 * still learning at the last epoch) a decaying lr loses 0.3-2 points; at lr 5e-3 cosine wins 0.5-1.6
 * points at 50-10% on the covtype sample and ties on SDD. CNNs (scripts/bench-cnn.ts settings, 5000
 * rows, lr 1e-3, 8 + 2 epochs, 3 seeds): the Fashion-MNIST net at 25% of its multiply-adds 86.50 ±
 * 0.16% with cosine against 85.25 ± 1.01% constant (the last constant-rate epoch swings by up to 3
 * points); a PyTorch Fashion-MNIST CNN imported and compressed to 30% (10000 rows) 88.18 ± 0.12%
 * against 86.77 ± 0.85%.
 */
export function defaultFinetuneLrSchedule(trainRows: number, lr: number, spatial = false): LrSchedule {
  return spatial || trainRows >= COSINE_FINETUNE_MIN_ROWS || lr >= SMALL_DATA_BUDGET_LR ? 'cosine' : 'constant';
}

/** Adam's learning rate of a budget run from scratch on fewer than COSINE_FINETUNE_MIN_ROWS training rows. */
export const SMALL_DATA_BUDGET_LR = 5e-3;

/**
 * The learning rate of a budget run when none is asked for: Adam from scratch on a small training
 * set (fewer than COSINE_FINETUNE_MIN_ROWS rows, so few steps per epoch) gets SMALL_DATA_BUDGET_LR,
 * the paper's own setting for group sparsity on SDD and covtype; anything else keeps `fallback`
 * (DEFAULT_CONFIG.lr). Measured (reports/compress/NOTES.md section 7, 20 + 10 epochs, with the fine-tuning's
 * cosine decay that defaultFinetuneLrSchedule then picks): on the SDD sample (1540 rows) 5e-3 gains
 * 4 to 8 points at 50-5% over 1e-3, on the covtype sample (35000 rows) 0.8 to 2.6 points; on MNIST
 * (60000) 3e-3 and 5e-3 lose 0.15 and 0.3 points at 25%, so large data keep 1e-3.
 */
export function defaultBudgetLr(trainRows: number, optimizer: string, fallback: number): number {
  return optimizer === 'adam' && trainRows < COSINE_FINETUNE_MIN_ROWS ? SMALL_DATA_BUDGET_LR : fallback;
}
