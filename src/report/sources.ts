/**
 * What a report is made from: sweep stores (results.jsonl, or a sweep folder holding one) and
 * run directories (gs-run.json), in any mix. Stores are read tolerantly by the sweep layer's
 * reader: a truncated last line (a sweep killed mid-write) or any unparsable line is skipped and
 * counted. Ids are made unique across sources (a suffix #2, #3, ...).
 */
import * as fs from 'fs';
import * as path from 'path';
import { GsError } from '../errors';
import { RUN_FILE } from '../network/run-io';
import { readStore, STORE_FILE } from '../sweep/store';
import type { RunRecord } from '../sweep/types';
import { runDirRecord } from '../sweep/run-dir-record';
import { SIZE_PATH_FILE, type SizePathPoint } from './size-path-plot';

export interface SourceInfo {
  path: string;
  kind: 'store' | 'run' | 'path';
  runs: number;
  /** Store lines skipped (truncated, unparsable, repeated id). */
  skippedLines: number;
}

export interface ReportInputs {
  runs: RunRecord[];
  sources: SourceInfo[];
  /** Size paths (folders written by train with a list of budgets): their stops in order. */
  paths?: { path: string; stops: SizePathPoint[] }[];
}

type Kind = SourceInfo['kind'];

function kindOf(p: string): { kind: Kind; file: string } {
  if (!fs.existsSync(p))
    throw new GsError('NOT_FOUND', `${p} not found: expected a results store (results.jsonl), a sweep folder or a run directory`);
  if (fs.statSync(p).isFile()) return { kind: 'store', file: p };
  if (fs.existsSync(path.join(p, RUN_FILE))) return { kind: 'run', file: p };
  if (fs.existsSync(path.join(p, SIZE_PATH_FILE))) return { kind: 'path', file: p };
  if (fs.existsSync(path.join(p, STORE_FILE))) return { kind: 'store', file: path.join(p, STORE_FILE) };
  throw new GsError(
    'NOT_FOUND',
    `${p} holds neither ${RUN_FILE} (a run directory), ${STORE_FILE} (a sweep folder) nor ${SIZE_PATH_FILE} (a size path)`,
  );
}

/** Read every source; an empty store is allowed, a missing path is an error naming it. */
export function loadReportInputs(paths: readonly string[]): ReportInputs {
  if (paths.length === 0) throw new GsError('BAD_OPTION', 'give at least one results store (results.jsonl) or run directory');
  const runs: RunRecord[] = [];
  const sources: SourceInfo[] = [];
  const seen = new Map<string, number>();
  const sizePaths: NonNullable<ReportInputs['paths']> = [];
  const unique = (id: string) => {
    const n = (seen.get(id) ?? 0) + 1;
    seen.set(id, n);
    return n === 1 ? id : `${id}#${n}`;
  };
  for (const p of paths) {
    const { kind, file } = kindOf(p);
    if (kind === 'path') {
      const stops = readSizePath(file);
      for (const st of stops) {
        const r = runDirRecord(path.join(file, st.dir));
        runs.push({ ...r, id: unique(`${path.basename(file)}/${st.dir}`) });
      }
      sizePaths.push({ path: p, stops: stops.map((st) => ({ label: st.dir, params: st.compactParams, testAccuracy: st.testAccuracy })) });
      sources.push({ path: p, kind, runs: stops.length, skippedLines: 0 });
    } else if (kind === 'run') {
      const r = runDirRecord(file);
      runs.push({ ...r, id: unique(r.id) });
      sources.push({ path: p, kind, runs: 1, skippedLines: 0 });
    } else {
      const store = readStore(file, true);
      for (const r of store.records) {
        runs.push({ ...r, id: unique(r.id), history: Array.isArray(r.history) ? r.history : [] });
      }
      sources.push({ path: file, kind, runs: store.records.length, skippedLines: store.dropped });
    }
  }
  return { runs, sources, ...(sizePaths.length ? { paths: sizePaths } : {}) };
}

/** The stops listed in a size path's folder. */
function readSizePath(dir: string): { dir: string; compactParams: number; testAccuracy: number }[] {
  const file = path.join(dir, SIZE_PATH_FILE);
  let parsed: unknown;
  try {
    parsed = JSON.parse(fs.readFileSync(file, 'utf8'));
  } catch (e) {
    throw new GsError('BAD_MODEL', `${file}: not readable JSON (${(e as Error).message})`);
  }
  const stops = (parsed as { stops?: unknown }).stops;
  if (!Array.isArray(stops)) throw new GsError('BAD_MODEL', `${file}: expected an object with a "stops" list`);
  return stops.map((s: unknown, i) => {
    const o = s as { dir?: unknown; compactParams?: unknown; testAccuracy?: unknown; testR2?: unknown };
    if (typeof o.dir !== 'string' || o.dir.includes('..') || path.isAbsolute(o.dir) || typeof o.compactParams !== 'number') {
      throw new GsError('BAD_MODEL', `${file}: stop ${i + 1} needs a relative "dir" and a numeric "compactParams"`);
    }
    return {
      dir: o.dir,
      compactParams: o.compactParams,
      testAccuracy: typeof o.testAccuracy === 'number' ? o.testAccuracy : typeof o.testR2 === 'number' ? o.testR2 : NaN,
    };
  });
}
