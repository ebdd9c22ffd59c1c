/**
 * The results store, results.jsonl: one complete JSON line per finished run. Lines are appended
 * with a single write of line + '\n' followed by fsync, so a crash can at worst leave a partial
 * last line. Reading is tolerant: a truncated last line, an unparsable line or a repeated id is
 * dropped (and that configuration redone); repairStore rewrites the file atomically with only the
 * good lines before a sweep appends to it again.
 *
 * Stores written before ids came from content hashes (their data specs hold absolute paths and
 * no hash) are migrated on reading: each such record gets the id its configuration has now
 * (config-id.ts) and a portable data spec, when its data files can be found; the next repair
 * writes the migrated lines back. A record whose files are gone keeps its old id (which is the
 * id its path still gives).
 */
import * as fs from 'fs';
import * as path from 'path';
import { portableSpec, PATH_KEYS } from '../data/portable';
import { GsError } from '../errors';
import { writeFileAtomic } from '../util/fs-atomic';
import { configId } from './config-id';
import type { RunRecord } from './types';
import { summaryScore } from '../network/tasks';
import { summaryNamesByTask } from '../pipeline/run-record';

export const STORE_FILE = 'results.jsonl';
export const RUNS_DIR = 'runs';

export interface StoreContents {
  file: string;
  records: RunRecord[];
  /** Lines dropped: truncated, not JSON, not a run record, or an id seen before. */
  dropped: number;
  /** The file needs rewriting (something was dropped, a record was migrated, or the last line lacks its newline). */
  needsRepair: boolean;
  /** Records given their content-based id (written before ids came from content hashes). */
  migrated: number;
}

/** A record whose data spec names a file by path without a content hash (a store from before content hashes). */
function needsMigration(r: RunRecord): boolean {
  const d = (r.config.data ?? {}) as Record<string, unknown>;
  return PATH_KEYS.some((k) => typeof d[k] === 'string' && path.isAbsolute(d[k]) && d[`${k}Hash`] === undefined);
}

/** The record under its content-based id with a portable data spec, or itself when its files cannot be found. */
export function migrateRecord(given: RunRecord, storeDir: string): RunRecord {
  // a regressor's R^2 under its own names (records before run-record version 3 kept it in *Accuracy)
  const named = summaryNamesByTask(given.summary);
  const r = named === given.summary ? given : { ...given, summary: named };
  if (!needsMigration(r)) return r;
  const data = portableSpec(r.config.data, storeDir, { cwd: storeDir });
  if (!PATH_KEYS.some((k) => data[`${k}Hash`] !== undefined)) return r;
  const config = { ...r.config, data };
  return { ...r, id: configId(config, storeDir), config };
}

/** A store file, or a sweep folder holding results.jsonl. */
export function storeFile(pathOrDir: string): string {
  return fs.existsSync(pathOrDir) && fs.statSync(pathOrDir).isDirectory() ? path.join(pathOrDir, STORE_FILE) : pathOrDir;
}

function isRecord(v: unknown): v is RunRecord {
  const r = v as RunRecord;
  return (
    Boolean(r) &&
    typeof r === 'object' &&
    typeof r.id === 'string' &&
    r.id !== '' &&
    typeof r.runDir === 'string' &&
    Boolean(r.summary) &&
    Number.isFinite(summaryScore(summaryNamesByTask(r.summary), 'test')) &&
    typeof r.summary.nonzeroParams === 'number' &&
    Boolean(r.config)
  );
}

/** Reads a store; a missing file is an empty store unless `mustExist`. */
export function readStore(pathOrDir: string, mustExist = false): StoreContents {
  const file = storeFile(pathOrDir);
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch {
    if (mustExist)
      throw new GsError('NOT_FOUND', `${file} not found: expected a results store (results.jsonl) or a sweep folder holding one`);
    return { file, records: [], dropped: 0, needsRepair: false, migrated: 0 };
  }
  const dir = path.dirname(path.resolve(file));
  let migrated = 0;
  const lines = text.split('\n');
  const tail = lines.pop() ?? ''; // text after the last newline: empty, or a line cut short
  const records: RunRecord[] = [];
  const seen = new Set<string>();
  let dropped = tail.trim() === '' ? 0 : 1;
  for (const line of lines) {
    if (line.trim() === '') continue;
    let v: unknown;
    try {
      v = JSON.parse(line);
    } catch {
      dropped++;
      continue;
    }
    if (!isRecord(v)) {
      dropped++;
      continue;
    }
    const r = migrateRecord(v, dir);
    if (r !== v) migrated++;
    if (seen.has(r.id)) {
      dropped++;
      continue;
    }
    seen.add(r.id);
    records.push(r);
  }
  return { file, records, dropped, needsRepair: dropped > 0 || migrated > 0 || tail !== '', migrated };
}

export function formatRecordLine(r: RunRecord): string {
  return `${JSON.stringify(r)}\n`;
}

/** Atomically replaces the store with exactly these records. */
export function writeStore(file: string, records: readonly RunRecord[]): void {
  writeFileAtomic(file, records.map(formatRecordLine).join(''));
}

/** Reads the store and, when anything was dropped, rewrites it atomically with the good lines. */
export function repairStore(pathOrDir: string): StoreContents {
  const contents = readStore(pathOrDir);
  if (contents.needsRepair) writeStore(contents.file, contents.records);
  return contents;
}

/** Appends one record as a single write of a complete line, then fsyncs. */
export function appendRecord(file: string, record: RunRecord): void {
  fs.mkdirSync(path.dirname(path.resolve(file)), { recursive: true });
  const fd = fs.openSync(file, 'a');
  try {
    fs.appendFileSync(fd, formatRecordLine(record));
    fs.fsyncSync(fd);
  } finally {
    fs.closeSync(fd);
  }
}

/** The absolute run directory of a record in the store `file`. */
export function runDirOf(file: string, record: RunRecord): string {
  return path.resolve(path.dirname(path.resolve(file)), record.runDir);
}
