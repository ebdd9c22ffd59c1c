/**
 * Shared pieces of scripts/reproduce-paper.ts: the data each data set is read from (full UCI
 * files when the catalog finds them, else the samples in ../shared/data), the grids (the paper's
 * presets, or a reduced grid in quick mode), the paper's figures quoted in our issue, and the
 * stage log (OUT/stages.json) that keeps wall times, failures and data sizes across invocations
 * so the report can be regenerated at any time.
 */
import * as fs from 'fs';
import * as path from 'path';
import { CATALOG, isCatalogName, locateCatalog, type CatalogName } from '../../src/data/catalog';
import { hashDataPath } from '../../src/data/content-hash';
import { dataIdentity } from '../../src/data/portable';
import type { DataSpec } from '../../src/data/types';
import { GROUP_DESIGN_DEFAULTS, type GroupDesignOptions } from '../../src/experiment/group-design';
import { canonicalJson } from '../../src/sweep/config-id';
import { completeGrid, mergeGridInputs } from '../../src/sweep/grid';
import { presetGrid, type PresetName } from '../../src/sweep/presets';
import type { GridInput, GridSpec } from '../../src/sweep/types';
import { writeFileAtomic } from '../../src/util/fs-atomic';

export const DATASETS: readonly CatalogName[] = ['mnist', 'sdd', 'covtype'];
export const STAGE_PRESETS: readonly PresetName[] = ['logreg', 'baseline', 'group'];
/** Tolerance of the sparsest-within selection: half an accuracy point. */
export const TOLERANCE = 0.005;

/** The folder of the shared data samples: ../shared/data beside the checkout. */
export const SHARED_DATA = path.resolve(__dirname, '../../../shared/data');

export const SAMPLES: Record<'sdd' | 'covtype', { file: string; rows: number; testFraction: number }> = {
  sdd: { file: 'sensorless_sample2200.txt.gz', rows: 2200, testFraction: 0.3 },
  covtype: { file: 'covtype_sample50k.data.gz', rows: 50000, testFraction: 0.3 },
};

/** Row limits of quick mode (seeded subsamples). */
export const QUICK_ROWS = { maxTrainRows: 2000, maxTestRows: 1000 } as const;

/** Quick mode: a few configurations of each preset, 2 epochs. */
export const QUICK_GRIDS: Record<PresetName, GridInput> = {
  logreg: { lr: [1e-3], penalty: ['l1', 'l2'], lambda: [1e-4], epochs: [2] },
  baseline: { optimizer: ['adam', 'adamax'], lr: [5e-3], penalty: ['none', 'l2'], lambda: [1e-4], epochs: [2] },
  group: { optimizer: ['adam', 'rmsprop'], lr: [5e-3], penalty: ['gl', 'sgl'], lambda: [1e-3, 1e-4], epochs: [2] },
};

export const QUICK_GROUP_DESIGN: Partial<GroupDesignOptions> = { seeds: 1, coverRatios: [1, 2, 10] };

export function groupDesignOptions(quick: boolean): GroupDesignOptions {
  return { ...GROUP_DESIGN_DEFAULTS, ...(quick ? QUICK_GROUP_DESIGN : {}) };
}

/** Where a data set is read from. */
export interface DataSource {
  name: CatalogName;
  spec: DataSpec;
  /** 'full': the complete data set (catalog); 'sample': a sample from ../shared/data. */
  kind: 'full' | 'sample';
  /** The file or folder read. */
  location: string;
  describe: string;
}

/** The full data set when the catalog finds it, else (sdd, covtype) the shared sample; null when neither exists. */
export function dataSource(name: CatalogName, quick: boolean, dataDir?: string, sharedDir = SHARED_DATA): DataSource | null {
  const limits = quick ? { ...QUICK_ROWS } : {};
  const entry = CATALOG[name];
  const found = locateCatalog(name, dataDir).found;
  if (found) {
    // where it was found, inside the repository; outside it (a cache folder), the file name only
    const loc = path.isAbsolute(repoPath(found)) ? path.basename(found) : repoPath(found);
    return {
      name,
      spec: { data: name, ...(dataDir ? { dataDir } : {}), ...limits },
      kind: 'full',
      location: loc,
      describe: `the full data set (${entry.rows} rows; catalog \`${name}\`, ${loc})`,
    };
  }
  if (name === 'mnist') return null;
  const s = SAMPLES[name];
  const file = path.join(sharedDir, s.file);
  if (!fs.existsSync(file)) return null;
  return {
    name,
    spec: { data: file, testFraction: s.testFraction, ...limits },
    kind: 'sample',
    location: repoPath(file),
    describe: `a ${s.rows}-row sample (\`../shared/data/${s.file}\`, test fraction ${s.testFraction}) of the ${entry.rows}-row data set; the full file was not found by the catalog`,
  };
}

/** The grid of one preset on one data set (the paper's, or the quick one). */
export function stageGrid(preset: PresetName, spec: DataSpec, quick: boolean): GridSpec {
  return completeGrid(mergeGridInputs(presetGrid(preset), { data: spec }, quick ? QUICK_GRIDS[preset] : undefined));
}

/** What the script learnt about a data set when it loaded it. */
export interface DataInfo {
  kind: 'full' | 'sample';
  location: string;
  describe: string;
  trainRows: number;
  testRows: number;
  cols: number;
  classes: number;
  classLabels: string[];
  testFraction?: number;
  splitSeed?: number;
  /** The data file's name and content hash (`sha256:HEX`; a folder of IDX files has no single hash). */
  file?: string;
  sha256?: string;
}

/** The key that tells whether a data set's source changed between invocations: its identity (name or content hash, split), never a path. */
export function dataKey(spec: DataSpec): string {
  return canonicalJson(dataIdentity(spec));
}

/** The file name and content hash of a data source's file, for the model card (none for a folder). */
export function dataFileHash(spec: DataSpec, found: string | undefined): { file?: string; sha256?: string } {
  const file = found ?? (spec.data && !isCatalogName(spec.data) ? spec.data : undefined);
  if (!file || !fs.existsSync(file) || !fs.statSync(file).isFile()) return {};
  return { file: path.basename(file), sha256: hashDataPath(file) ?? undefined };
}

export interface FailedRun {
  id: string;
  message: string;
}

export interface StageEntry {
  /** Wall seconds summed over the invocations that did work in this stage. */
  seconds: number;
  invocations: number;
  /** Runs trained by this stage, over all invocations. */
  ran?: number;
  /** Failures of the latest invocation (retried on the next one). */
  failed?: FailedRun[];
  /** The stage stopped with this error in its latest invocation. */
  error?: string;
  /** Invocations killed in this stage (their time up to the last checkpoint is in seconds). */
  interrupted?: number;
  /** Set while the stage runs (checkpointed after each run); found on reading = the invocation was killed. */
  running?: { seconds: number; ran: number };
  updatedAt: string;
}

export interface StageLog {
  version: 1;
  quick: boolean;
  /** The command line of the latest invocation. */
  command: string;
  startedAt: string;
  stages: Record<string, StageEntry>;
  data: Record<string, DataInfo>;
}

export const STAGE_LOG = 'stages.json';

export function readStageLog(out: string, quick: boolean): StageLog {
  const file = path.join(out, STAGE_LOG);
  if (fs.existsSync(file)) {
    const log = JSON.parse(fs.readFileSync(file, 'utf8')) as StageLog;
    if (log.quick !== quick) {
      throw new Error(
        `${out} holds a ${log.quick ? 'quick' : 'full'} reproduction; run ${log.quick ? 'with' : 'without'} --quick, or choose another --out`,
      );
    }
    const stages = log.stages ?? {};
    for (const e of Object.values(stages)) {
      if (!e.running) continue; // killed mid-stage: count the time and runs it checkpointed
      e.seconds += e.running.seconds;
      e.ran = (e.ran ?? 0) + e.running.ran;
      e.invocations += 1;
      e.interrupted = (e.interrupted ?? 0) + 1;
      delete e.running;
    }
    return { ...log, stages, data: log.data ?? {} };
  }
  return { version: 1, quick, command: '', startedAt: new Date().toISOString(), stages: {}, data: {} };
}

export function writeStageLog(out: string, log: StageLog): void {
  writeFileAtomic(path.join(out, STAGE_LOG), `${JSON.stringify(log, null, 1)}\n`);
}

/** Adds an invocation's figures to a stage: seconds only count when work was done. */
export function recordStage(
  log: StageLog,
  key: string,
  update: { seconds: number; worked: boolean; ran?: number; failed?: FailedRun[]; error?: string },
): void {
  const prev = log.stages[key] ?? { seconds: 0, invocations: 0, updatedAt: '' };
  const next: StageEntry = {
    seconds: prev.seconds + (update.worked ? update.seconds : 0),
    invocations: prev.invocations + (update.worked ? 1 : 0),
    updatedAt: new Date().toISOString(),
  };
  const ran = (prev.ran ?? 0) + (update.ran ?? 0);
  if (update.ran !== undefined || prev.ran !== undefined) next.ran = ran;
  if (update.failed && update.failed.length > 0) next.failed = update.failed;
  if (update.error) next.error = update.error;
  if (prev.interrupted) next.interrupted = prev.interrupted;
  log.stages[key] = next;
}

/** Marks a stage as running with its time and runs so far (written to disk by the caller). */
export function checkpointStage(log: StageLog, key: string, seconds: number, ran: number): void {
  const e = (log.stages[key] ??= { seconds: 0, invocations: 0, updatedAt: '' });
  e.running = { seconds, ran };
  e.updatedAt = new Date().toISOString();
}

/** 1h02m, 3m05s, 42s. */
export function duration(s: number): string {
  if (!Number.isFinite(s)) return '?';
  if (s < 59.95) return `${s.toFixed(1)}s`;
  const t = Math.round(s);
  if (t < 3600) return `${Math.floor(t / 60)}m${String(t % 60).padStart(2, '0')}s`;
  return `${Math.floor(t / 3600)}h${String(Math.floor((t % 3600) / 60)).padStart(2, '0')}m`;
}

export const REPO_ROOT = path.resolve(__dirname, '../..');

/**
 * A path as a user in the repository's root folder would type it: relative inside the repository
 * or beside it (../shared/data/...), absolute elsewhere.
 */
export function repoPath(p: string): string {
  const rel = path.relative(REPO_ROOT, path.resolve(p));
  if (rel === '') return '.';
  return path.isAbsolute(rel) || rel.startsWith(`..${path.sep}..`) ? path.resolve(p) : rel.split(path.sep).join('/');
}

/** A path relative to `from` (for links in markdown), with forward slashes. */
export function relLink(from: string, to: string): string {
  return path.relative(from, to).split(path.sep).join('/');
}
