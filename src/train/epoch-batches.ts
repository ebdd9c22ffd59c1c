/**
 * What every training engine does around its own minibatch step: check the rows it is given, cut
 * them into batches (the last one may be smaller) and return the mean batch loss; and check a
 * learning rate a schedule sets.
 */

/** Runs `step(order, start, size)` over `order` in batches of `batch`; the mean of the batch losses. */
export function runBatches(
  order: Int32Array,
  rows: number,
  batch: number,
  step: (order: Int32Array, start: number, size: number) => number,
): number {
  for (let i = 0; i < order.length; i++) {
    const r = order[i];
    if (!(r >= 0 && r < rows)) throw new RangeError(`row index ${r} at position ${i} is outside 0..${rows - 1}`);
  }
  let total = 0;
  let batches = 0;
  for (let s = 0; s < order.length; s += batch) {
    total += step(order, s, Math.min(batch, order.length - s));
    batches++;
  }
  return batches === 0 ? 0 : total / batches;
}

/** A learning rate as engines take it: finite and > 0. */
export function checkLearningRate(lr: number): number {
  if (!(lr > 0) || !Number.isFinite(lr)) throw new RangeError(`learning rate must be a finite number > 0, got ${lr}`);
  return lr;
}
