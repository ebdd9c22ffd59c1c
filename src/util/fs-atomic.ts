/** Atomic file writes: write a temp file beside the target, then rename it into place. */
import * as fs from 'fs';
import * as path from 'path';
import { outputError } from './output-path';

/** Writes `file` atomically; a file-system error (no permission, a folder in the way, ...) becomes a one-line GsError naming `file`. */
export function writeFileAtomic(file: string, data: string | Uint8Array): void {
  const tmp = `${file}.tmp-${process.pid}-${Date.now().toString(36)}`;
  try {
    fs.mkdirSync(path.dirname(path.resolve(file)), { recursive: true });
    fs.writeFileSync(tmp, data);
    fs.renameSync(tmp, file);
  } catch (e) {
    try {
      fs.rmSync(tmp, { force: true });
    } catch {
      // no temp file to remove (its folder could not be made)
    }
    throw outputError(e, file);
  }
}
