/**
 * Stable ids of sweep configurations: the first 12 hex digits of the SHA-256 of the
 * configuration's canonical JSON (keys sorted, undefined dropped) with its data named by
 * identity, not location (data/portable.ts dataIdentity): a catalog name, or the content hash of
 * a file, plus split and reader options. The same grid over the same bytes gets the same ids on
 * any machine, wherever the data is mounted. A spec that records no hash (a store written before
 * content hashes) is hashed from its files when they exist; when they do not, its path stands in,
 * which gives exactly the id it had then. A validation fraction of 0 is hashed as absent (what a
 * configuration from before validation splits means), so those keep their ids; the threads setting
 * is left out (it changes how a run computes, not what).
 */
import { createHash } from 'crypto';
import { dataIdentity } from '../data/portable';
import type { SweepConfig } from './types';

/** JSON with object keys sorted at every level and undefined values dropped. */
export function canonicalJson(value: unknown): string {
  return JSON.stringify(sortKeys(value));
}

function sortKeys(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(sortKeys);
  if (v && typeof v === 'object') {
    const out: Record<string, unknown> = {};
    for (const k of Object.keys(v).sort()) {
      const x = (v as Record<string, unknown>)[k];
      if (x !== undefined) out[k] = sortKeys(x);
    }
    return out;
  }
  return v;
}

/** The id of a configuration; relative data paths without a recorded hash are read from `base` (default: the working folder). */
export function configId(config: SweepConfig, base?: string): string {
  // no validation split (valFraction 0) hashes as absent: configurations from before validation
  // splits trained on the whole training split, so they keep their ids; the default 0.1 is a new id
  // threads change how a run is computed, not what it computes (the same result up to float rounding)
  const train = { ...config.train, threads: undefined, ...(config.train.valFraction === 0 ? { valFraction: undefined } : {}) };
  const text = canonicalJson({ ...config, train, data: dataIdentity(config.data, base) });
  return createHash('sha256').update(text).digest('hex').slice(0, 12);
}
