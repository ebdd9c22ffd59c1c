/**
 * Rewrites run records (gs-run.json) written before records were portable, so they name their
 * data by catalog name, path relative to the run directory and content hash instead of an
 * absolute path of the machine that made them. Weights and everything else stay as they are.
 *
 * Run: npx tsx scripts/portable-records.ts [--map ABS=REL]... DIR...
 *   DIR: run directories, or folders searched for gs-run.json files.
 *   --map ABS=REL: an absolute path prefix and where it lies relative to the working folder
 *     (e.g. --map /work/shared=../shared), for data that lives outside the repository. A file is
 *     hashed where it is found: at the mapped place, else at its recorded absolute path.
 * Prints each file it rewrote and what it could not hash; exits 1 if an absolute path remains.
 */
import * as fs from 'fs';
import * as path from 'path';
import { hashDataPath } from '../src/data/content-hash';
import { relativePath } from '../src/data/portable';
import type { DataRef, DataSpec } from '../src/data/types';
import { RUN_FILE } from '../src/network/run-io';
import { writeFileAtomic } from '../src/util/fs-atomic';
import { scriptArgs } from './lib/script-args';

const cli = scriptArgs({
  command: 'npx tsx scripts/portable-records.ts',
  describe:
    'Rewrites the gs-run.json files of run directories (or of folders searched for them) so their data is referred to portably: relative paths with content hashes.',
  options: [
    {
      name: '--map',
      value: 'ABS=REL',
      describe: 'An absolute path prefix and where it lies relative to the working folder (e.g. /work/shared=../shared); repeatable',
    },
  ],
  positionals: 'DIR...',
});
const maps: { from: string; to: string }[] = [];
const dirs: string[] = cli.positionals;
for (const m of cli.all('--map')) {
  const [from, to] = m.split('=');
  if (!from || !to || !path.isAbsolute(from)) throw new Error(`--map ${m}: expected ABS=REL, e.g. /work/shared=../shared`);
  maps.push({ from: from.replace(/\/$/, ''), to: path.resolve(to) });
}
if (dirs.length === 0) {
  process.stderr.write('usage: npx tsx scripts/portable-records.ts [--map ABS=REL]... DIR...\n');
  process.exit(2);
}

function findRuns(p: string): string[] {
  if (fs.statSync(p).isFile()) return path.basename(p) === RUN_FILE ? [p] : [];
  return fs.readdirSync(p).flatMap((e) => findRuns(path.join(p, e)));
}

/** Where an absolute recorded path lies now (the mapped place), and a place to hash it. */
function place(abs: string): { now: string; hashed: string | null } {
  const m = maps.find((x) => abs === x.from || abs.startsWith(`${x.from}/`));
  const now = m ? path.join(m.to, abs.slice(m.from.length)) : abs;
  return { now, hashed: hashDataPath(now) ?? hashDataPath(abs) };
}

const unhashed: string[] = [];
function hashOf(abs: string): string {
  const h = place(abs).hashed;
  if (!h) unhashed.push(abs);
  return h ?? '';
}

function refFor(ref: DataRef, runDir: string): DataRef {
  const catalog = ref.kind === 'catalog';
  const where = (p: string) => (!path.isAbsolute(p) ? p : catalog ? path.basename(p) : relativePath(runDir, place(p).now));
  const out: DataRef = {
    ...ref,
    files: ref.files.map(where),
    hashes: ref.hashes ?? ref.files.map((f) => (path.isAbsolute(f) ? hashOf(f) : '')),
  };
  if (catalog) delete out.path;
  else if (ref.path) out.path = where(ref.path);
  if (ref.train) out.train = where(ref.train);
  if (ref.test) out.test = where(ref.test);
  return out;
}

function specFor(spec: DataSpec, runDir: string): DataSpec {
  const out: DataSpec = { ...spec };
  for (const [key, hashKey] of [
    ['data', 'dataHash'],
    ['train', 'trainHash'],
    ['test', 'testHash'],
  ] as const) {
    const v = spec[key];
    if (!v || !path.isAbsolute(v)) continue;
    out[key] = relativePath(runDir, place(v).now);
    out[hashKey] = spec[hashKey] ?? (hashOf(v) || undefined);
  }
  if (out.dataDir && path.isAbsolute(out.dataDir)) delete out.dataDir;
  return out;
}

let bad = 0;
for (const file of dirs.flatMap((d) => findRuns(path.resolve(d)))) {
  const runDir = path.dirname(file);
  const text = fs.readFileSync(file, 'utf8');
  const run = JSON.parse(text) as { data?: DataRef; config?: { dataSpec?: DataSpec } };
  if (run.data) run.data = refFor(run.data, runDir);
  if (run.config?.dataSpec) run.config.dataSpec = specFor(run.config.dataSpec, runDir);
  const next = JSON.stringify(run, null, 1);
  if (/"\/(work|tmp|home|root|Users)\//.test(next)) {
    process.stderr.write(`${file}: an absolute path remains\n`);
    bad++;
  }
  if (next !== text) {
    writeFileAtomic(file, next);
    process.stdout.write(`rewrote ${relativePath(process.cwd(), file)}\n`);
  }
}
for (const u of new Set(unhashed)) process.stderr.write(`could not hash ${u} (not found); recorded without a hash\n`);
process.exit(bad ? 1 : 0);
