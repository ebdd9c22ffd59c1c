/**
 * Every script under scripts/ answers --help without running: it prints its usage and exits 0,
 * and writes nothing (bench-train used to run the whole benchmark and overwrite
 * reports/perf/PERF.md). An unknown option is refused with exit code 2, also before any work.
 */
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import { parseScriptArgs, scriptHelp, type ScriptSpec } from '../../scripts/lib/script-args';

const ROOT = path.resolve(__dirname, '..', '..');
const TSX = path.join(ROOT, 'node_modules', '.bin', 'tsx');
const script = (name: string, args: string[]) =>
  spawnSync(TSX, [path.join('scripts', name), ...args], { cwd: ROOT, encoding: 'utf8', timeout: 120000 });

const SPEC: ScriptSpec = {
  command: 'npx tsx scripts/x.ts',
  describe: 'Does x.',
  options: [
    { name: '--epochs', value: 'N', describe: 'Epochs' },
    { name: '--no-torch', describe: 'No torch' },
    { name: '--map', value: 'A=B', describe: 'Repeatable' },
  ],
};

describe('scripts/lib/script-args', () => {
  it('parses values, switches and repeated flags, and refuses what it does not know', () => {
    const p = parseScriptArgs(SPEC, ['--epochs', '3', '--no-torch', '--map', 'a=b', '--map', 'c=d']);
    if (p.help || 'error' in p) throw new Error('expected arguments');
    expect(p.args.arg('--epochs')).toBe('3');
    expect(p.args.has('--no-torch')).toBe(true);
    expect(p.args.all('--map')).toEqual(['a=b', 'c=d']);
    expect(parseScriptArgs(SPEC, ['--epoch', '3'])).toEqual({ help: false, error: 'unknown option --epoch' });
    expect(parseScriptArgs(SPEC, ['--epochs'])).toEqual({ help: false, error: '--epochs needs a value (N)' });
    expect(parseScriptArgs(SPEC, ['x'])).toMatchObject({ error: 'unexpected argument "x"' });
    expect(parseScriptArgs(SPEC, ['--epochs', '3', '-h'])).toEqual({ help: true });
    expect(scriptHelp(SPEC)).toMatch(/^Usage: npx tsx scripts\/x.ts \[options\]\n\nDoes x\.\n\nOptions:\n {2}--epochs N/);
  });
});

describe('every script answers --help without running', () => {
  const scripts = fs.readdirSync(path.join(ROOT, 'scripts')).filter((f) => f.endsWith('.ts'));

  it('bench-train --help prints its usage and leaves reports/perf/PERF.md alone; an unknown option exits 2', () => {
    const perf = path.join(ROOT, 'reports', 'perf', 'PERF.md');
    const before = fs.readFileSync(perf, 'utf8');
    const r = script('bench-train.ts', ['--help']);
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/^Usage: npx tsx scripts\/bench-train.ts \[options\]/);
    expect(r.stdout).toContain('--no-torch');
    expect(fs.readFileSync(perf, 'utf8')).toBe(before);
    const bad = script('bench-train.ts', ['--epoch', '1']);
    expect(bad.status).toBe(2);
    expect(bad.stderr).toMatch(/unknown option --epoch \(see --help\)/);
    expect(fs.readFileSync(perf, 'utf8')).toBe(before);
  });

  it.each(scripts.filter((f) => f !== 'bench-train.ts'))('%s --help', (name) => {
    const r = script(name, ['--help']);
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(new RegExp(`^Usage: npx tsx scripts/${name.replace('.', '\\.')}`));
  });
});
