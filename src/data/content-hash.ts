/**
 * Content hashes of data files: the SHA-256 of a file's bytes (read in 1 MiB chunks, never whole),
 * computed once and cached, so records and sweep ids can name data by what it is rather than
 * where it lies. The cache is keyed by absolute path, size and modification time: in memory for
 * this process, then a small sidecar beside the file (`.NAME.sha256.json`) when its folder is
 * writable (a folder without write bits counts as read-only, also for root), else one JSON file in the per-user cache folder ($GS_HASH_CACHE names a cache file to
 * use instead of sidecars, e.g. for shared data folders). A folder of MNIST IDX files hashes
 * to the SHA-256 of its four files' roles and hashes.
 */
import { createHash } from 'crypto';
import * as fs from 'fs';
import * as path from 'path';
import { writeFileAtomic } from '../util/fs-atomic';
import { cacheDir } from './catalog';
import { findMnistFiles } from './idx';

/** `sha256:` followed by 64 hex digits. */
export type ContentHash = string;

const PREFIX = 'sha256:';
const CHUNK = 1 << 20;

interface CacheEntry {
  sha256: string;
  size: number;
  mtimeMs: number;
}

const memory = new Map<string, CacheEntry>();

/** Where hashes are cached when a file's own folder is not writable (set by tests; default: the user cache folder). */
let fallbackCacheFile: string | null = null;

/** The shared cache file used when a sidecar cannot be written (undefined: $XDG_CACHE_HOME/gs-compress/hashes.json). */
export function setHashCacheFile(file: string | null): void {
  fallbackCacheFile = file;
}

function userCacheFile(): string {
  const env = process.env.GS_HASH_CACHE;
  return fallbackCacheFile ?? (env ? path.resolve(env) : path.join(cacheDir(), 'hashes.json'));
}

/** The sidecar cache file of `file`. */
export function sidecarOf(file: string): string {
  return path.join(path.dirname(file), `.${path.basename(file)}.sha256.json`);
}

function fresh(e: unknown, st: fs.Stats): e is CacheEntry {
  const c = e as CacheEntry;
  return Boolean(c) && typeof c.sha256 === 'string' && /^[0-9a-f]{64}$/.test(c.sha256) && c.size === st.size && c.mtimeMs === st.mtimeMs;
}

function readJson(file: string): unknown {
  try {
    return JSON.parse(fs.readFileSync(file, 'utf8'));
  } catch {
    return undefined;
  }
}

/** SHA-256 of a file's bytes, streamed in chunks (no cache). */
export function sha256OfFile(file: string): string {
  const h = createHash('sha256');
  const buf = Buffer.allocUnsafe(CHUNK);
  const fd = fs.openSync(file, 'r');
  try {
    for (;;) {
      const n = fs.readSync(fd, buf, 0, CHUNK, null);
      if (n === 0) break;
      h.update(buf.subarray(0, n));
    }
  } finally {
    fs.closeSync(fd);
  }
  return h.digest('hex');
}

/** Whether a sidecar may be written in `dir`: not when the folder is marked read-only (no write bit), even for root. */
function sidecarAllowed(dir: string): boolean {
  try {
    if ((fs.statSync(dir).mode & 0o222) === 0) return false;
    fs.accessSync(dir, fs.constants.W_OK);
    return true;
  } catch {
    return false;
  }
}

function store(abs: string, entry: CacheEntry): void {
  memory.set(abs, entry);
  if (!process.env.GS_HASH_CACHE && sidecarAllowed(path.dirname(abs))) {
    try {
      writeFileAtomic(sidecarOf(abs), `${JSON.stringify({ file: path.basename(abs), ...entry })}\n`);
      return;
    } catch {
      // read-only folder: fall through to the shared cache
    }
  }
  try {
    const file = userCacheFile();
    const all = (readJson(file) as Record<string, CacheEntry> | undefined) ?? {};
    all[abs] = entry;
    fs.mkdirSync(path.dirname(file), { recursive: true });
    writeFileAtomic(file, JSON.stringify(all));
  } catch {
    // no writable cache anywhere: the hash is recomputed next time
  }
}

/** The content hash (`sha256:HEX`) of a file, from the cache when its size and mtime are unchanged. */
export function hashFile(file: string): ContentHash {
  const abs = path.resolve(file);
  const st = fs.statSync(abs);
  const mem = memory.get(abs);
  if (fresh(mem, st)) return PREFIX + mem.sha256;
  const side = process.env.GS_HASH_CACHE ? undefined : readJson(sidecarOf(abs));
  if (fresh(side, st)) {
    memory.set(abs, side);
    return PREFIX + side.sha256;
  }
  const shared = (readJson(userCacheFile()) as Record<string, unknown> | undefined)?.[abs];
  if (fresh(shared, st)) {
    memory.set(abs, shared);
    return PREFIX + shared.sha256;
  }
  const entry = { sha256: sha256OfFile(abs), size: st.size, mtimeMs: st.mtimeMs };
  store(abs, entry);
  return PREFIX + entry.sha256;
}

/** The content hash of a data file, or of an MNIST folder (its four IDX files by role); null when the path does not exist. */
export function hashDataPath(p: string): ContentHash | null {
  let st: fs.Stats;
  try {
    st = fs.statSync(p);
  } catch {
    return null;
  }
  if (st.isFile()) return hashFile(p);
  if (!st.isDirectory()) return null;
  const files = findMnistFiles(p);
  if (!files) return null;
  const h = createHash('sha256');
  for (const role of Object.keys(files).sort()) h.update(`${role} ${hashFile(files[role as keyof typeof files])}\n`);
  return PREFIX + h.digest('hex');
}

/** Whether `s` looks like a content hash. */
export function isContentHash(s: unknown): s is ContentHash {
  return typeof s === 'string' && /^sha256:[0-9a-f]{64}$/.test(s);
}
