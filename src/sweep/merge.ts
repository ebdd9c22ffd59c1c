/**
 * Joining stores (e.g. shards run on several machines): `mergeStores(out, sources)` adds to
 * out/results.jsonl every record whose id it lacks (the first seen wins, out's own records first)
 * and COPIES each added run's directory into out/runs/<id>, so the merged folder stands alone.
 * A record whose run directory is missing keeps an absolute reference to where it was expected.
 * Ids are content-based (config-id.ts), so shards run on machines with the data mounted in
 * different places merge; each added record's data spec is rebased to the merged folder, and
 * stores from before content hashes are migrated as they are read (store.ts).
 * The merged store is written atomically after the copies.
 */
import * as fs from 'fs';
import * as path from 'path';
import { rebaseSpec } from '../data/portable';
import { GsError } from '../errors';
import { readStore, RUNS_DIR, runDirOf, STORE_FILE, writeStore } from './store';
import type { RunRecord } from './types';

export interface MergeResult {
  file: string;
  records: RunRecord[];
  added: number;
  duplicates: number;
  copiedRuns: number;
  /** Ids whose run directory was not found (kept with an absolute reference). */
  missingRuns: string[];
  /** Unreadable lines skipped in the sources. */
  dropped: number;
}

function copyDir(from: string, to: string): void {
  const tmp = `${to}.tmp-${process.pid}`;
  fs.rmSync(tmp, { recursive: true, force: true });
  fs.cpSync(from, tmp, { recursive: true });
  fs.rmSync(to, { recursive: true, force: true });
  fs.renameSync(tmp, to);
}

export function mergeStores(outDir: string, sources: readonly string[]): MergeResult {
  if (sources.length === 0) throw new GsError('BAD_OPTION', 'merge needs at least one store to read');
  if (fs.existsSync(outDir) && !fs.statSync(outDir).isDirectory()) {
    throw new GsError('BAD_OPTION', `${outDir} is a file; the merge target is a folder (its results.jsonl and runs/ are written)`);
  }
  outDir = path.resolve(outDir);
  fs.mkdirSync(outDir, { recursive: true });
  const file = path.join(outDir, STORE_FILE);
  const own = readStore(file);
  const records = [...own.records];
  const ids = new Set(records.map((r) => r.id));
  let added = 0;
  let duplicates = 0;
  let copiedRuns = 0;
  let dropped = own.dropped;
  const missingRuns: string[] = [];
  for (const source of sources) {
    const store = readStore(source, true);
    dropped += store.dropped;
    if (path.resolve(store.file) === path.resolve(file)) continue;
    for (const r of store.records) {
      if (ids.has(r.id)) {
        duplicates++;
        continue;
      }
      ids.add(r.id);
      const from = runDirOf(store.file, r);
      const target = path.join(outDir, RUNS_DIR, r.id);
      let runDir = path.join(RUNS_DIR, r.id);
      if (fs.existsSync(from)) {
        if (path.resolve(from) !== path.resolve(target)) {
          fs.mkdirSync(path.dirname(target), { recursive: true });
          copyDir(from, target);
          copiedRuns++;
        }
      } else {
        missingRuns.push(r.id);
        runDir = from;
      }
      records.push({
        ...r,
        runDir,
        config: { ...r.config, data: rebaseSpec(r.config.data, path.dirname(path.resolve(store.file)), outDir) },
      });
      added++;
    }
  }
  writeStore(file, records);
  return { file, records, added, duplicates, copiedRuns, missingRuns, dropped };
}
