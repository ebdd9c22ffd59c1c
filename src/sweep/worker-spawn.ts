/**
 * Forking a sweep worker so that it works both from the compiled package (dist/sweep/*.js, plain
 * node) and from source (this file is .ts under jest or tsx): from source the worker is
 * worker-main.ts, started with tsx's loader (`node --import <tsx>`).
 */
import { fork, type ChildProcess } from 'child_process';
import * as path from 'path';
import { pathToFileURL } from 'url';
import { GsError } from '../errors';

export function workerEntry(): { file: string; execArgv: string[] } {
  const ext = path.extname(__filename);
  const file = path.join(__dirname, `worker-main${ext}`);
  if (ext !== '.ts') return { file, execArgv: [] };
  let loader: string;
  try {
    loader = pathToFileURL(require.resolve('tsx')).href;
  } catch {
    throw new GsError(
      'UNAVAILABLE',
      'sweep workers from TypeScript sources need tsx (npm install tsx), or run the built package (npm run build)',
    );
  }
  return { file, execArgv: ['--import', loader] };
}

export function forkWorker(): ChildProcess {
  const { file, execArgv } = workerEntry();
  // stdout is kept out of the sweep's own output (--json stays clean); stderr shows crashes
  return fork(file, [], { execArgv, stdio: ['ignore', 'ignore', 'inherit', 'ipc'], serialization: 'json' });
}
