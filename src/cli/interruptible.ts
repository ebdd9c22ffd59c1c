/**
 * Long commands under the Ctrl-C handler (util/interrupt): temporary files removed, one line saying
 * what was and was not saved, exit code 130. `note` says what the command keeps or did not write.
 */
import * as fs from 'fs';
import * as path from 'path';
import type { ArgumentsCamelCase, CommandModule } from 'yargs';
import { shownPath, wasWritten, withInterrupt } from '../util/interrupt';

export function interruptible<A>(
  cmd: CommandModule<object, A>,
  note: (a: ArgumentsCamelCase<A>) => string | null,
): CommandModule<object, A> {
  const handler = cmd.handler;
  return {
    ...cmd,
    handler: (a: ArgumentsCamelCase<A>) =>
      withInterrupt(
        () => note(a),
        async () => handler(a),
      ),
  };
}

/** "run folder r/ kept" when it exists, else "nothing written to r/" (a folder the command writes). */
export function folderNote(what: string, dir: string | null | undefined, kept = ''): string | null {
  if (!dir) return null;
  const shown = `${shownPath(path.resolve(dir))}/`;
  return fs.existsSync(dir) ? `${what} ${shown} kept${kept}` : `nothing written to ${shown}`;
}

/** "nothing written to m.onnx" unless it was (a file the command writes last). */
export function fileNote(file: string | null | undefined): string | null {
  if (!file) return null;
  return wasWritten(file) ? null : `nothing written to ${shownPath(path.resolve(file))}`;
}
