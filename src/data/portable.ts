/**
 * Portable data references, for records that travel (gs-run.json, results.jsonl, model cards):
 * a catalog name stays a name; a file or folder becomes a path relative to the record's folder
 * plus its content hash; the machine's own search folders are not recorded. `resolveSpec` turns
 * such a spec back into one loadDataset reads, looking beside the record, in the working folder
 * and in the data folders, and accepting a file only when its content hash matches.
 * `dataIdentity` is what a configuration's id hashes: content hashes instead of paths.
 */
import * as fs from 'fs';
import * as path from 'path';
import { GsError } from '../errors';
import { isCatalogName } from './catalog';
import { hashDataPath, isContentHash, type ContentHash } from './content-hash';
import type { DataRef, DataSpec } from './types';

/** The spec fields that name files, and the fields holding their content hashes. */
export const PATH_KEYS = ['data', 'train', 'test', 'labels', 'testLabels'] as const;
type PathKey = (typeof PATH_KEYS)[number];
const HASH_KEY: Record<PathKey, 'dataHash' | 'trainHash' | 'testHash' | 'labelsHash' | 'testLabelsHash'> = {
  data: 'dataHash',
  train: 'trainHash',
  test: 'testHash',
  labels: 'labelsHash',
  testLabels: 'testLabelsHash',
};

/** `to` relative to the folder `from`, with forward slashes. */
export function relativePath(from: string, to: string): string {
  const rel = path.relative(path.resolve(from), path.resolve(to));
  return (rel === '' ? '.' : rel).split(path.sep).join('/');
}

/** A `data` value meant as a catalog name (no such file or folder relative to `cwd`). */
function isCatalogValue(key: PathKey, v: string, cwd: string): boolean {
  return key === 'data' && isCatalogName(v) && !fs.existsSync(path.resolve(cwd, v));
}

function dropUndefined(spec: DataSpec): DataSpec {
  for (const k of Object.keys(spec) as (keyof DataSpec)[]) if (spec[k] === undefined) delete spec[k];
  return spec;
}

/**
 * The spec as a record at `base` should hold it: paths (read relative to `cwd`) made relative to
 * `base` with their content hashes; `dataDir` dropped unless `keepDataDir` (then relative too).
 */
export function portableSpec(spec: DataSpec, base: string, opts: { cwd?: string; keepDataDir?: boolean } = {}): DataSpec {
  const cwd = opts.cwd ?? process.cwd();
  const out: DataSpec = { ...spec };
  for (const key of PATH_KEYS) {
    const v = spec[key];
    if (!v || isCatalogValue(key, v, cwd)) continue;
    const abs = path.resolve(cwd, v);
    const hash = spec[HASH_KEY[key]] ?? hashDataPath(abs) ?? undefined;
    if (fs.existsSync(abs)) out[key] = relativePath(base, abs);
    out[HASH_KEY[key]] = hash;
  }
  out.dataDir = opts.keepDataDir && spec.dataDir ? relativePath(base, path.resolve(cwd, spec.dataDir)) : undefined;
  return dropUndefined(out);
}

/** A portable spec recorded at folder `from` rewritten for a record at folder `to` (paths moved, hashes kept). */
export function rebaseSpec(spec: DataSpec, from: string, to: string): DataSpec {
  const out: DataSpec = { ...spec };
  for (const key of PATH_KEYS) {
    const v = spec[key];
    if (!v || isCatalogValue(key, v, from) || path.isAbsolute(v)) continue;
    out[key] = relativePath(to, path.resolve(from, v));
  }
  if (spec.dataDir && !path.isAbsolute(spec.dataDir)) out.dataDir = relativePath(to, path.resolve(from, spec.dataDir));
  return out;
}

/** What identifies the data of a spec: catalog names and content hashes, the split and reader options; never a path. */
export function dataIdentity(spec: DataSpec, base = process.cwd()): Record<string, unknown> {
  const skip = new Set<string>(['dataDir', ...Object.values(HASH_KEY)]);
  const out: Record<string, unknown> = Object.fromEntries(Object.entries(spec).filter(([k]) => !skip.has(k)));
  for (const key of PATH_KEYS) {
    const v = spec[key];
    if (!v) continue;
    const recorded = spec[HASH_KEY[key]];
    if (recorded) out[key] = recorded;
    else if (!isCatalogValue(key, v, base)) out[key] = hashDataPath(path.resolve(base, v)) ?? v;
  }
  return out;
}

export interface ResolveOptions {
  /** The working folder (default process.cwd()). */
  cwd?: string;
  /** Extra folders to look in by file name (e.g. --data-dir); $GS_DATA_DIR is always searched. */
  dataDirs?: string[];
}

/** Every place a recorded path is looked for, in order. */
function candidates(v: string, base: string, opts: ResolveOptions): string[] {
  const cwd = opts.cwd ?? process.cwd();
  const name = path.basename(v.split('/').join(path.sep));
  const dirs = [...(opts.dataDirs ?? []), ...(process.env.GS_DATA_DIR ? [process.env.GS_DATA_DIR] : [])];
  const all = [path.resolve(base, v), path.resolve(cwd, v), path.resolve(cwd, name), ...dirs.map((d) => path.resolve(cwd, d, name))];
  return [...new Set(all)];
}

/**
 * A recorded spec (paths relative to `base`, the record's folder) as one loadDataset can read:
 * each path found beside the record, in the working folder or in a data folder, and, when a hash
 * is recorded, only where the content matches it.
 */
export function resolveSpec(spec: DataSpec, base: string, opts: ResolveOptions = {}): DataSpec {
  const out: DataSpec = { ...spec };
  for (const key of PATH_KEYS) {
    const v = spec[key];
    if (!v || isCatalogValue(key, v, base)) continue;
    const want = spec[HASH_KEY[key]];
    const places = candidates(v, base, opts);
    const existing = places.filter((p) => fs.existsSync(p));
    const hit = want ? existing.find((p) => hashDataPath(p) === want) : existing[0];
    if (hit) {
      out[key] = hit;
      continue;
    }
    const hashNote = want ? ` (content ${want})` : '';
    if (existing.length > 0) {
      throw new GsError(
        'BAD_INPUT',
        `the recorded ${key} file ${v}${hashNote} was not found: ${existing.join(', ')} ${existing.length === 1 ? 'has' : 'have'} different content (${existing.map((p) => hashDataPath(p)).join(', ')}); pass the data explicitly (--data / --train --test) to use it anyway`,
      );
    }
    throw new GsError(
      'NOT_FOUND',
      `the recorded ${key} file ${v}${hashNote} was not found; looked at:\n${places.map((p) => `  ${p}`).join('\n')}\nput the file in one of these places (or set GS_DATA_DIR to its folder), or pass the data explicitly (--data / --train --test)`,
    );
  }
  if (spec.dataDir) out.dataDir = path.resolve(base, spec.dataDir);
  return out;
}

/**
 * The data reference as a record at `base` holds it: files relative to `base` with their content
 * hashes (`hashes[i]` belongs to `files[i]`); a catalog data set by name and file names only.
 * `from` is the folder relative paths of `ref` are read from (a record being moved); an in-memory
 * reference holds absolute paths.
 */
export function portableRef(ref: DataRef, base: string, from = base): DataRef {
  const catalog = ref.kind === 'catalog';
  const abs = (p: string) => path.resolve(from, p);
  const where = (p: string) => (catalog ? path.basename(p) : relativePath(base, abs(p)));
  const out: DataRef = {
    ...ref,
    files: ref.files.map(where),
    hashes: ref.files.map((f, i) => ref.hashes?.[i] || hashDataPath(abs(f)) || ''),
  };
  if (catalog) delete out.path;
  else if (ref.path) out.path = where(ref.path);
  if (ref.train) out.train = where(ref.train);
  if (ref.test) out.test = where(ref.test);
  if (ref.labels) out.labels = where(ref.labels);
  if (ref.testLabels) out.testLabels = where(ref.testLabels);
  return out;
}

/** A recorded spec at folder `from` as a record at folder `to` holds it (relative paths moved, absolute ones made portable). */
export function moveSpec(spec: DataSpec, from: string, to: string): DataSpec {
  return portableSpec(rebaseSpec(spec, from, to), to, { cwd: to, keepDataDir: true });
}

/** Every content hash a spec records. */
export function specHashes(spec: DataSpec): ContentHash[] {
  return PATH_KEYS.map((k) => spec[HASH_KEY[k]]).filter((h): h is ContentHash => isContentHash(h));
}
