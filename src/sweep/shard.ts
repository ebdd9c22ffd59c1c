/**
 * Shards: `--shard i/n` runs configurations whose grid index is i-1 modulo n (round robin, so
 * each slice gets a mix of cheap and expensive settings). The slices of 1/n..n/n partition the grid.
 */
import { GsError } from '../errors';

export interface Shard {
  /** 1-based slice number. */
  index: number;
  count: number;
}

export function parseShard(text: string): Shard {
  const m = /^\s*(\d+)\s*\/\s*(\d+)\s*$/.exec(String(text));
  const index = m ? Number(m[1]) : NaN;
  const count = m ? Number(m[2]) : NaN;
  if (!m || count < 1 || index < 1 || index > count) {
    throw new GsError('BAD_OPTION', `--shard ${text}: expected i/n with 1 <= i <= n, e.g. 2/4`);
  }
  return { index, count };
}

/** The items of slice `index` (1-based) of `count`. */
export function shardOf<T>(items: readonly T[], index: number, count: number): T[] {
  if (!(Number.isInteger(count) && count >= 1 && Number.isInteger(index) && index >= 1 && index <= count)) {
    throw new GsError('BAD_OPTION', `shard ${index}/${count}: expected 1 <= i <= n`);
  }
  return items.filter((_, k) => k % count === index - 1);
}
