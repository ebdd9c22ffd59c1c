/**
 * One sweep per output folder at a time: out/.sweep.lock holds the running sweep's pid. A lock
 * left by a process that no longer exists (a sweep killed with kill -9) is taken over.
 */
import * as fs from 'fs';
import * as path from 'path';
import { GsError } from '../errors';

export const LOCK_FILE = '.sweep.lock';

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Takes the lock of `outDir`; returns the function that releases it. */
export function lockSweep(outDir: string): () => void {
  fs.mkdirSync(outDir, { recursive: true });
  const file = path.join(outDir, LOCK_FILE);
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      fs.writeFileSync(file, String(process.pid), { flag: 'wx' });
      return () => {
        try {
          if (fs.readFileSync(file, 'utf8').trim() === String(process.pid)) fs.rmSync(file, { force: true });
        } catch {
          // already gone
        }
      };
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
      const pid = Number(fs.readFileSync(file, 'utf8').trim());
      if (Number.isInteger(pid) && pid > 0 && pid !== process.pid && alive(pid)) {
        throw new GsError(
          'BAD_OPTION',
          `${outDir} is in use by another sweep (pid ${pid}); wait for it or give another --out (remove ${file} if that process is not a sweep)`,
        );
      }
      fs.rmSync(file, { force: true });
    }
  }
  throw new GsError('BAD_OPTION', `could not lock ${file}`);
}
