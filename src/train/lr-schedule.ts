/**
 * Learning-rate schedules over a training run, as a factor of the configured lr at progress
 * t in [0, 1): constant; cosine (1 + cos(pi t)) / 2; linear 1 - t. Each has a floor so the last
 * steps still move. One table: add a schedule here and it is accepted everywhere.
 */
import { GsError } from '../errors';

export const LR_SCHEDULES = {
  constant: () => 1,
  cosine: (t: number) => 0.5 * (1 + Math.cos(Math.PI * t)),
  linear: (t: number) => 1 - t,
} as const;

export type LrSchedule = keyof typeof LR_SCHEDULES;
export const LR_SCHEDULE_NAMES = Object.keys(LR_SCHEDULES) as LrSchedule[];

/** Smallest factor a decaying schedule reaches. */
const FLOOR = 0.02;

/** lr factor at progress t (fraction of the run's steps done). */
export function lrFactor(schedule: LrSchedule, t: number): number {
  const f = LR_SCHEDULES[schedule](Math.min(1, Math.max(0, t)));
  return schedule === 'constant' ? 1 : FLOOR + (1 - FLOOR) * f;
}

/** Checks a user's schedule name. */
export function checkLrSchedule(name: string): LrSchedule {
  if (!(name in LR_SCHEDULES))
    throw new GsError('BAD_OPTION', `learning-rate schedule ${JSON.stringify(name)}: expected one of ${LR_SCHEDULE_NAMES.join(', ')}`);
  return name as LrSchedule;
}
