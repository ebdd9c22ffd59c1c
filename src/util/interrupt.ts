/**
 * Ctrl-C during a long command (train, prune, compress, sweep, import): remove the temporary files
 * being written, say in ONE line what was and was not saved, and exit with 130 (128 + SIGINT).
 *
 * Writers register a temporary file together with the final name it is meant to become
 * (`trackTemp`) and mark the final name written once it is renamed into place (`noteWritten`);
 * commands run inside `withInterrupt`, which installs the handler for their duration and adds a
 * note of their own (e.g. "run folder runs/a kept"). The handler only runs when the event loop
 * does, so long synchronous work must yield now and then (the training loop does, per chunk).
 */
import * as fs from 'fs';
import * as path from 'path';

interface Temp {
  /** The name it becomes, or null for a file that goes with another (a manifest with its model). */
  final: string | null;
  /** The first folder the writer created for it (removed again when left empty), or null. */
  madeDir: string | null;
}

const temps = new Map<string, Temp>();
const written = new Set<string>();
let notes: Array<() => string | null> = [];
let installed = false;

/** A path as a user would like to read it: relative to the working folder when inside it. */
export function shownPath(p: string): string {
  const rel = path.relative(process.cwd(), p);
  return rel && !rel.startsWith('..') && !path.isAbsolute(rel) ? rel : p;
}

/** A temporary file that becomes `final` when complete (null: one that goes with another, not named in the
 * message); returns the function that forgets it. */
export function trackTemp(tmp: string, final: string | null, madeDir: string | null = null): () => void {
  temps.set(tmp, { final: final === null ? null : path.resolve(final), madeDir });
  return () => {
    temps.delete(tmp);
  };
}

/** `final` now holds a complete file (remembered while a command runs under withInterrupt). */
export function noteWritten(final: string): void {
  if (installed) written.add(path.resolve(final));
}

/** Whether `final` was written (renamed into place) during the current command. */
export function wasWritten(final: string): boolean {
  return written.has(path.resolve(final));
}

/** Folders this command made for its outputs before the work (deepest -> the topmost one made). */
const madeDirs = new Map<string, string>();

/** `dir` was made, with its parents up to `top`, for an output that is still to come. */
export function noteMadeDir(dir: string, top: string): void {
  madeDirs.set(path.resolve(dir), path.resolve(top));
}

/** The topmost folder this command made on the way to `dir` (noted by noteMadeDir), or null. */
export function madeDirOf(dir: string): string | null {
  return madeDirs.get(path.resolve(dir)) ?? null;
}

/** Remove `dir` and its parents up to `top` (inclusive) while they are empty. */
export function removeEmptyDirs(dir: string, top: string | null): void {
  if (!top) return;
  let d = path.resolve(dir);
  const stop = path.resolve(top);
  for (;;) {
    try {
      fs.rmdirSync(d);
    } catch {
      return; // not empty (or gone): leave it
    }
    if (d === stop || path.dirname(d) === d) return;
    d = path.dirname(d);
  }
}

/** Removes every registered temporary file; returns the one line that says what was and was not saved. */
export function cleanUpAndDescribe(): string {
  const pending = new Set<string>();
  for (const [tmp, t] of temps) {
    fs.rmSync(tmp, { force: true });
    removeEmptyDirs(path.dirname(tmp), t.madeDir);
    if (t.final !== null && !written.has(t.final)) pending.add(t.final);
  }
  temps.clear();
  for (const [deep, top] of madeDirs) removeEmptyDirs(deep, top);
  const parts = new Set<string>();
  for (const f of pending) parts.add(`nothing written to ${shownPath(f)}`);
  for (const f of written) parts.add(`${shownPath(f)} written`);
  for (const n of notes) {
    const s = n();
    if (s) parts.add(s);
  }
  return `interrupted: ${parts.size > 0 ? [...parts].join('; ') : 'nothing was saved'}`;
}

function onSigint(): void {
  let line: string;
  try {
    line = cleanUpAndDescribe();
  } catch (e) {
    line = `interrupted: ${e instanceof Error ? e.message : String(e)}`;
  }
  process.stderr.write(`${process.stderr.isTTY ? '\r\x1b[K' : ''}${line}\n`);
  process.exit(130);
}

/**
 * Runs `body` with the Ctrl-C handler installed; `note` adds what the command keeps (or null), e.g.
 * "run folder runs/a kept". Nested calls share one handler.
 */
export async function withInterrupt<T>(note: (() => string | null) | null, body: () => Promise<T>): Promise<T> {
  const outer = !installed;
  if (outer) {
    process.on('SIGINT', onSigint);
    installed = true;
  }
  if (note) notes.push(note);
  try {
    return await body();
  } catch (e) {
    // a command that fails takes away the folders it made for its outputs, while they are empty
    if (outer) for (const [deep, top] of madeDirs) removeEmptyDirs(deep, top);
    throw e;
  } finally {
    if (note) notes = notes.filter((n) => n !== note);
    if (outer) {
      process.off('SIGINT', onSigint);
      installed = false;
      written.clear();
      madeDirs.clear();
    }
  }
}
