/**
 * The committed model cards: no record in models/ names an absolute path, and each card's verify
 * commands run as printed from a fresh copy of the repository's models/ and from a project that
 * has the package installed (models under node_modules/gs-compress/). MNIST ships, so its check
 * always runs; the sdd and covtype samples do not: with ../shared/data (GS_DATA_DIR) they verify,
 * without it the command fails naming the file's content hash and where it looked.
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { runCli } from '../sweep/helpers';

const REPO = path.resolve(__dirname, '../..');
const MODELS = path.join(REPO, 'models');
const SHARED_DATA = path.resolve(REPO, '../shared/data');
const root = fs.mkdtempSync(path.join(os.tmpdir(), 'gs-cards-'));
const cwd = process.cwd();
const env = { ...process.env };
afterAll(() => {
  process.chdir(cwd);
  process.env = env;
  fs.rmSync(root, { recursive: true, force: true });
});

const datasets = fs
  .readdirSync(MODELS)
  .filter((f) => f.endsWith('.json') && !f.endsWith('.manifest.json'))
  .map((f) => f.replace(/\.json$/, ''));

function allFiles(dir: string): string[] {
  return fs
    .readdirSync(dir, { withFileTypes: true })
    .flatMap((e) => (e.isDirectory() ? allFiles(path.join(dir, e.name)) : [path.join(dir, e.name)]));
}

test('no record in models/ names an absolute path', () => {
  expect(datasets.sort()).toEqual(['covtype', 'mnist', 'sdd']);
  for (const f of allFiles(MODELS)) {
    const text = fs.readFileSync(f).toString('latin1');
    expect({ f, hit: /\/(work|tmp|home|root|Users)\/[\w.-]/.exec(text)?.[0] ?? null }).toEqual({ f, hit: null });
  }
});

/** The `npx gs-compress verify ...` lines of a card, as argument lists. */
function verifyCommands(card: string): string[][] {
  return card
    .split('\n')
    .filter((l) => l.startsWith('npx gs-compress verify '))
    .map((l) => l.slice('npx gs-compress '.length).split(' '));
}

/** A fresh clone's models/ (only what the repository holds) and a project with the package installed. */
function layouts(): { name: string; dir: string }[] {
  const clone = path.join(root, 'clone');
  const project = path.join(root, 'project');
  fs.cpSync(MODELS, path.join(clone, 'models'), { recursive: true });
  fs.cpSync(MODELS, path.join(project, 'node_modules', 'gs-compress', 'models'), { recursive: true });
  return [
    { name: 'clone', dir: clone },
    { name: 'installed', dir: project },
  ];
}

describe.each(datasets)('%s card', (dataset) => {
  const card = fs.readFileSync(path.join(MODELS, `${dataset}.md`), 'utf8');
  const commands = verifyCommands(card);
  const ships = dataset === 'mnist';
  const sample = !ships && fs.existsSync(SHARED_DATA);

  test('says where the data comes from and how to check it', () => {
    expect(commands.map((c) => c[1])).toEqual([`models/${dataset}.onnx`, `node_modules/gs-compress/models/${dataset}.onnx`]); // clone, installed
    if (ships) expect(card).toMatch(/MNIST ships with gs-compress/);
    else {
      expect(card).toMatch(/sha256 `[0-9a-f]{64}` \(check a copy with `sha256sum /);
      expect(card).toMatch(new RegExp(`npx gs-compress data fetch ${dataset}\` \\(downloads https://archive\\.ics\\.uci\\.edu/`));
      expect(card).toContain(`npx gs-compress verify models/${dataset}.onnx --run models/${dataset}-tfjs --data ${dataset}\``);
    }
  });

  test(`its verify commands run from a fresh clone and from the installed package${ships || sample ? '' : ' (sample absent: they say what is missing)'}`, async () => {
    const [clone, installed] = layouts();
    for (const [dir, args] of [
      [clone.dir, commands[0]],
      [installed.dir, commands[1]],
    ] as const) {
      process.chdir(dir);
      delete process.env.GS_DATA_DIR;
      if (sample) process.env.GS_DATA_DIR = SHARED_DATA;
      {
        const r = await runCli([...args, '--json']);
        if (ships || sample) {
          expect({ args, code: r.code, err: r.code === 0 ? '' : r.err }).toEqual({ args, code: 0, err: '' });
          expect(JSON.parse(r.out)).toMatchObject({ ok: true });
        } else {
          expect(r.code).not.toBe(0);
          expect(r.err).toMatch(/\(content sha256:[0-9a-f]{64}\) was not found; looked at:/);
        }
      }
    }
  }, 120_000);
});
