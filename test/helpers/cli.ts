/** Runs the CLI's main() in this process and captures what it writes to stdout and stderr. */
import { main } from '../../src/cli/main';

export async function runCli(args: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const so = jest.spyOn(process.stdout, 'write').mockImplementation((s) => ((out += String(s)), true));
  const se = jest.spyOn(process.stderr, 'write').mockImplementation((s) => ((err += String(s)), true));
  try {
    return { code: await main(args), out, err };
  } finally {
    so.mockRestore();
    se.mockRestore();
    process.exitCode = undefined;
  }
}

/** The same, also capturing what yargs prints through console.log (help text) and keeping the
 * test process alive when yargs exits after --help. */
export async function runCliWithHelp(args: string[]): Promise<{ code: number; out: string; err: string; log: string }> {
  let log = '';
  const cl = jest.spyOn(console, 'log').mockImplementation((...s: unknown[]) => void (log += `${s.join(' ')}\n`));
  const ex = jest.spyOn(process, 'exit').mockImplementation((() => undefined) as never);
  try {
    return { ...(await runCli(args)), log };
  } finally {
    cl.mockRestore();
    ex.mockRestore();
  }
}
