/**
 * Soft targets: for distillation, a teacher network's class probabilities at a temperature for
 * every row of a table, softmax(logits / T), with the weight of the hard labels; for label
 * smoothing, the uniform distribution at temperature 1 with weight 1 - epsilon on the labels.
 */
import { GsError } from '../errors';
import { logits } from '../network/forward';
import type { AnyLayer, Network } from '../network/types';
import type { Table } from '../data/types';
import type { SoftTargets } from './types';

export const DEFAULT_DISTILL = { temperature: 4, alpha: 0.5 };

export function softTargets(
  teacher: Network<AnyLayer>,
  table: Pick<Table, 'rows' | 'features'>,
  temperature: number,
  alpha: number,
): SoftTargets {
  if (!(temperature > 0) || !Number.isFinite(temperature))
    throw new GsError('BAD_OPTION', `--distill-temperature ${temperature}: expected a number > 0`);
  if (!(alpha >= 0 && alpha <= 1)) throw new GsError('BAD_OPTION', `--distill-alpha ${alpha}: expected a number in [0, 1]`);
  const z = logits(teacher, table.features, table.rows);
  const C = z.length / Math.max(table.rows, 1);
  const probs = new Float32Array(z.length);
  for (let o = 0; o < z.length; o += C) {
    let m = -Infinity;
    for (let j = 0; j < C; j++) m = Math.max(m, z[o + j] / temperature);
    let s = 0;
    for (let j = 0; j < C; j++) s += Math.exp(z[o + j] / temperature - m);
    for (let j = 0; j < C; j++) probs[o + j] = Math.exp(z[o + j] / temperature - m) / s;
  }
  return { probs, temperature, alpha };
}

/** Label smoothing and distillation both set the soft targets: refuses a run that asks for both. */
export function checkSoftTargetOptions(labelSmoothing: number | undefined, distill: boolean): void {
  if (distill && (labelSmoothing ?? 0) > 0)
    throw new GsError('BAD_OPTION', '--label-smoothing and --distill cannot be combined: choose one');
}

/**
 * Label smoothing as soft targets for the fused engines' distillation loss: every row's target is
 * uniform over the classes at temperature 1, the hard labels weigh 1 - epsilon, so each row's loss
 * is (1 - epsilon) * CE(y, q) + epsilon * KL(u || q), which is the cross-entropy against
 * (1 - epsilon) * onehot(y) + epsilon / classes up to a constant, with the same gradient.
 */
export function smoothedTargets(rows: number, classes: number, epsilon: number): SoftTargets {
  if (!(epsilon >= 0 && epsilon < 1)) throw new GsError('BAD_OPTION', `--label-smoothing ${epsilon}: expected a number in [0, 1)`);
  return { probs: new Float32Array(rows * classes).fill(1 / classes), temperature: 1, alpha: 1 - epsilon };
}
