/**
 * Parameter counts of a compact (exactly pruned) dense stack from its level widths, and the
 * checks of a budget option: --target-params N, or --target-ratio R of the starting network.
 */
import { GsError } from '../../errors';

/** Kernel and bias elements of a dense stack whose levels (inputs, hidden..., outputs) have these widths. */
export function stackSize(widths: readonly number[]): number {
  let s = 0;
  for (let h = 0; h + 1 < widths.length; h++) s += widths[h] * widths[h + 1] + widths[h + 1];
  return s;
}

/** The smallest network a budget may ask for: one input and one unit in every hidden layer. */
export function minimalSize(widths: readonly number[]): number {
  return stackSize(widths.map((w, h) => (h === widths.length - 1 ? w : 1)));
}

/** A budget of parameters for a network with these starting widths, from a count or a ratio. */
export function resolveBudget(widths: readonly number[], target: { params?: number; ratio?: number }): number {
  const full = stackSize(widths);
  const min = minimalSize(widths);
  let n: number;
  if (target.params !== undefined) {
    if (!Number.isInteger(target.params) || target.params < 1) {
      throw new GsError('BAD_OPTION', `--target-params ${target.params}: expected a positive integer`);
    }
    n = target.params;
  } else if (target.ratio !== undefined) {
    if (!(target.ratio > 0 && target.ratio <= 1))
      throw new GsError('BAD_OPTION', `--target-ratio ${target.ratio}: expected a number in (0, 1]`);
    n = Math.floor(target.ratio * full);
  } else {
    throw new GsError('BAD_OPTION', 'a budget needs --target-params N or --target-ratio R');
  }
  if (n < min) {
    throw new GsError(
      'BAD_OPTION',
      `a budget of ${n} parameters is below the smallest network of this shape (${widths.join('-')}): one input and one unit per hidden layer need ${min}`,
    );
  }
  return Math.min(n, full);
}
