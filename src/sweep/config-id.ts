/**
 * Stable ids of sweep configurations: the first 12 hex digits of the SHA-256 of the
 * configuration's canonical JSON (keys sorted, undefined dropped). The catalog search folder
 * (data.dataDir) is left out: it says where a file is looked up, not what is trained.
 */
import { createHash } from 'crypto';
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

export function configId(config: SweepConfig): string {
  const { dataDir, ...data } = config.data;
  const text = canonicalJson({ ...config, data });
  return createHash('sha256').update(text).digest('hex').slice(0, 12);
}
