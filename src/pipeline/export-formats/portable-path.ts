/** Where a run directory is, relative to an export's manifest: forward slashes, never absolute (records stay portable). */
import * as path from 'path';

export function portablePath(fromDir: string, to: string): string {
  return path.relative(fromDir, path.resolve(to)).split(path.sep).join('/') || '.';
}
