/**
 * Output paths checked before the work starts: a command that writes a file or a run folder
 * calls prepareOutputFile / prepareOutputDir first, so that an unwritable, misnamed or occupied
 * output is refused in one line before minutes of training, never after. File-system errors
 * (EEXIST, EISDIR, EACCES, ENOENT, ENOTDIR, ...) become GsErrors naming the path.
 */
import * as fs from 'fs';
import * as path from 'path';
import { GsError } from '../errors';
import { noteMadeDir } from './interrupt';

/** The file a run folder holds (network/run-io.ts RUN_FILE; not imported: util imports nothing of ours but errors). */
const RUN_FILE = 'gs-run.json';

function errnoCode(e: unknown): string | undefined {
  const code = (e as { code?: unknown } | null)?.code;
  return typeof code === 'string' ? code : undefined;
}

/** The nearest ancestor of `p` (or `p` itself) that exists, with its stats. */
function nearestExisting(p: string): { at: string; stat: fs.Stats } | null {
  let at = path.resolve(p);
  for (;;) {
    try {
      return { at, stat: fs.statSync(at) };
    } catch {
      const up = path.dirname(at);
      if (up === at) return null;
      at = up;
    }
  }
}

/** The start of a message about `target`: `--out runs/x` when an option names it, else the path. */
function subject(target: string, option?: string): string {
  return option ? `${option} ${target}` : target;
}

/**
 * A GsError with a one-line message for a file-system error met while writing `target`, or
 * `e` itself when it is not one. `option` (e.g. '--export') names where the path came from.
 */
export function outputError(e: unknown, target: string, option?: string): unknown {
  if (e instanceof GsError) return e;
  const code = errnoCode(e);
  const what = subject(target, option);
  // the path the system call failed on (a temporary file, a parent folder) when it says so
  const where = (e as { path?: unknown } | null)?.path;
  let at = typeof where === 'string' ? where : target;
  // a temporary file of ours (the writability probe, an atomic write): name its folder instead
  if (/^\.gs-write-check-|\.tmp-/.test(path.basename(at))) at = path.dirname(at);
  switch (code) {
    case 'EEXIST':
    case 'ENOTDIR': {
      const blocker = nearestExisting(at);
      const file = blocker && !blocker.stat.isDirectory() ? blocker.at : at;
      return new GsError('CANNOT_WRITE', `${what}: ${file} is a file, not a folder`);
    }
    case 'EISDIR':
      return new GsError('CANNOT_WRITE', `${what}: is a folder; give a file name`);
    case 'EACCES':
    case 'EPERM':
      return new GsError(
        'CANNOT_WRITE',
        path.resolve(at) === path.resolve(target) ? `${what}: permission denied` : `${what}: permission denied (cannot write in ${at})`,
      );
    case 'EROFS':
      return new GsError('CANNOT_WRITE', `${what}: read-only file system`);
    case 'ENOENT':
      return new GsError('CANNOT_WRITE', `${what}: a folder on the way does not exist (${path.dirname(at)})`);
    case 'ENOSPC':
    case 'EDQUOT':
      return new GsError('CANNOT_WRITE', `${what}: no space left on the device`);
    case 'ENAMETOOLONG':
      return new GsError('CANNOT_WRITE', `${what}: the name is too long`);
    default:
      return e;
  }
}

/** Runs `fn`, turning a file-system error into the GsError of outputError. */
export function mapOutputErrors<T>(target: string, fn: () => T, option?: string): T {
  try {
    return fn();
  } catch (e) {
    throw outputError(e, target, option);
  }
}

/** Creates `dir` and its parents (mkdir -p), with one-line errors. The folders it made are noted, so
 * that an export that fails or a Ctrl-C takes them away again while they are empty (util/interrupt.ts). */
export function makeDir(dir: string, option?: string, target = dir): void {
  const top = mapOutputErrors(target, () => fs.mkdirSync(dir, { recursive: true }), option);
  if (top) noteMadeDir(dir, top);
}

/** Writes and removes an empty file in `dir`: the one check of writability that holds for every user (root included). */
function probeWritable(dir: string, option: string | undefined, target: string): void {
  const probe = path.join(dir, `.gs-write-check-${process.pid}-${Date.now().toString(36)}`);
  mapOutputErrors(
    target,
    () => {
      fs.writeFileSync(probe, '', { flag: 'wx' });
      fs.rmSync(probe, { force: true });
    },
    option,
  );
}

function statOrNull(p: string): fs.Stats | null {
  try {
    return fs.statSync(p);
  } catch (e) {
    if (errnoCode(e) === 'ENOENT') return null;
    throw e;
  }
}

export interface PreparedOutput {
  /** The absolute path. */
  path: string;
  /** Whether something was there already (a file to be replaced, a folder to be written into). */
  existed: boolean;
}

export interface OutputOptions {
  /** The option the path came from, for messages ('--out', '--export'). */
  option?: string;
}

/**
 * Checks that `file` can be written, before the work that produces it: not a folder, its parent
 * folders created (as the export itself would), the folder writable, an existing file writable.
 * Says whether the file exists (its caller reports the replacement).
 */
export function prepareOutputFile(file: string, opts: OutputOptions = {}): PreparedOutput {
  const abs = path.resolve(file);
  const stat = mapOutputErrors(file, () => statOrNull(abs), opts.option);
  if (stat?.isDirectory()) throw new GsError('CANNOT_WRITE', `${subject(file, opts.option)}: is a folder; give a file name`);
  makeDir(path.dirname(abs), opts.option, file);
  probeWritable(path.dirname(abs), opts.option, file);
  if (stat) mapOutputErrors(file, () => fs.accessSync(abs, fs.constants.W_OK), opts.option);
  return { path: abs, existed: stat !== null };
}

export interface OutputDirOptions extends OutputOptions {
  /** Write into a folder that holds a run or other files (the run's files are replaced). */
  force?: boolean;
  /** Writing into a non-empty folder is this command's way (a sweep resumes in its folder). */
  allowExisting?: boolean;
}

/**
 * Checks that the folder `dir` can be written, before the work that fills it: not a file, not a
 * run or a non-empty folder unless `force` (or `allowExisting`), its parents created and the
 * nearest existing folder writable. The folder itself is left to the writer, so that a failure
 * between the check and the writing leaves nothing behind.
 */
export function prepareOutputDir(dir: string, opts: OutputDirOptions = {}): PreparedOutput {
  const abs = path.resolve(dir);
  const what = subject(dir, opts.option);
  const stat = mapOutputErrors(dir, () => statOrNull(abs), opts.option);
  if (stat && !stat.isDirectory()) throw new GsError('CANNOT_WRITE', `${what}: is a file, not a folder`);
  if (stat) {
    const entries = mapOutputErrors(dir, () => fs.readdirSync(abs), opts.option);
    if (entries.length > 0 && !opts.force && !opts.allowExisting) {
      throw new GsError(
        'CANNOT_WRITE',
        entries.includes(RUN_FILE)
          ? `${what}: holds a run already; give another folder, or --force to replace it`
          : `${what}: the folder is not empty; give a new folder, or --force to write into it`,
      );
    }
    probeWritable(abs, opts.option, dir);
    return { path: abs, existed: true };
  }
  makeDir(path.dirname(abs), opts.option, dir);
  probeWritable(path.dirname(abs), opts.option, dir);
  return { path: abs, existed: false };
}

/** Whether `dir` holds a run (its gs-run.json). */
export function holdsRun(dir: string): boolean {
  return fs.existsSync(path.join(dir, RUN_FILE));
}
