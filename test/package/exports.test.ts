/**
 * The built package as a user gets it: compiled into a temporary folder with its package.json,
 * linked into a user's node_modules, and required by name in a fresh Node process. Every subpath
 * of the exports map loads and has its .d.ts; deep paths are closed; and the pruning core (and
 * the root) load without the heavy runtimes in require.cache.
 */
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { parseAs } from '../helpers/json';

const ROOT = path.resolve(__dirname, '../..');
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'gs-package-'));
const pkg = path.join(tmp, 'gs-compress');
const user = path.join(tmp, 'user');
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

interface PackageJson {
  exports: Record<string, string | { types: string; default: string }>;
}
const manifest = parseAs<PackageJson>(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8'));
const SUBPATHS = Object.keys(manifest.exports).filter((k) => k !== './package.json');

/** Heavy dependencies a user of the core should not pay for at import time. */
const HEAVY = {
  'onnxruntime-node': 'onnxruntime-node',
  'onnxruntime-web': 'onnxruntime-web',
  'onnxruntime-common': 'onnxruntime-common',
  tfjs: '@tensorflow/',
  vega: 'vega',
  'vega-lite': 'vega-lite',
  yaml: 'yaml',
};

interface Probe {
  exports: string[];
  heavy: string[];
  result?: unknown;
}

/** Requires `spec` in a fresh Node process started in the user's folder; `after` runs with it as `m`. */
function probe(spec: string, after = 'undefined'): Probe {
  const script = `
    const m = require(${JSON.stringify(spec)});
    const result = (() => ${after})();
    const keys = Object.keys(require.cache);
    const heavy = Object.entries(${JSON.stringify(HEAVY)})
      .filter(([, dir]) => keys.some((k) => k.includes('/node_modules/' + dir + (dir.endsWith('/') ? '' : '/'))))
      .map(([name]) => name);
    process.stdout.write(JSON.stringify({ exports: Object.keys(m), heavy, result }));`;
  const r = spawnSync(process.execPath, ['-e', script], { cwd: user, encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`require(${spec}) failed: ${r.stderr}`);
  return parseAs<Probe>(r.stdout);
}

beforeAll(() => {
  // build exactly what `npm run build` ships (tsconfig.json), into the temporary package
  const tsc = spawnSync(
    process.execPath,
    [require.resolve('typescript/bin/tsc'), '-p', 'tsconfig.json', '--outDir', path.join(pkg, 'dist')],
    {
      cwd: ROOT,
      encoding: 'utf8',
    },
  );
  if (tsc.status !== 0) throw new Error(`tsc failed: ${tsc.stdout}${tsc.stderr}`);
  fs.copyFileSync(path.join(ROOT, 'package.json'), path.join(pkg, 'package.json'));
  fs.symlinkSync(path.join(ROOT, 'node_modules'), path.join(pkg, 'node_modules'), 'dir');
  fs.mkdirSync(path.join(user, 'node_modules'), { recursive: true });
  fs.symlinkSync(pkg, path.join(user, 'node_modules', 'gs-compress'), 'dir');
}, 300000);

test('gs-compress/prune loads without onnxruntime, tfjs, vega or yaml, and prunes', () => {
  const p = probe(
    'gs-compress/prune',
    `(() => {
      const { initNetwork, parameterCount } = require('gs-compress/network');
      const net = initNetwork({ inputWidth: 4, hidden: [3], classes: 2 }, 1);
      for (let j = 0; j < 2; j++) net.layers[1].kernel[2 * 2 + j] = 0; // hidden unit 2 feeds nothing
      const r = m.pruneNetwork(net);
      return [parameterCount(net), parameterCount(r.network)];
    })()`,
  );
  expect(p.exports).toContain('pruneNetwork');
  expect(p.heavy).toEqual([]);
  expect(p.result).toEqual([4 * 3 + 3 + 3 * 2 + 2, 4 * 2 + 2 + 2 * 2 + 2]);
});

test('the root, onnx, train, sweep and report entries load without onnxruntime, tfjs, vega or yaml', () => {
  const root = probe('gs-compress');
  expect(root.exports).toEqual(expect.arrayContaining(['pruneNetwork', 'trainNetwork', 'exportOnnx', 'loadDataset', 'GsError', 'VERSION']));
  expect(root.exports).not.toContain('experiment');
  expect(root.exports.length).toBeLessThan(50);
  expect(root.heavy).toEqual([]);
  expect(probe('gs-compress/onnx').heavy).toEqual([]); // onnxruntime loads when a model runs
  const train = probe('gs-compress/train');
  expect(train.exports).toEqual(expect.arrayContaining(['trainNetwork', 'OPTIMIZER_TABLE', 'ENGINES']));
  expect(train.heavy).toEqual([]);
  expect(probe('gs-compress/sweep').heavy).toEqual([]);
  // ... and yaml arrives when a YAML grid file is read (which also shows the check sees it)
  const grid = path.join(tmp, 'grid.yaml');
  fs.writeFileSync(grid, 'lr: [0.001, 0.01]\npenalty: gl\n');
  const sweep = probe('gs-compress/sweep', `m.readGridFile(${JSON.stringify(grid)}).grid.lr`);
  expect(sweep.result).toEqual([0.001, 0.01]);
  expect(sweep.heavy).toContain('yaml');
  expect(probe('gs-compress/report').heavy).toEqual([]);
});

test('every subpath of the exports map loads and has its declarations; deep paths are closed', () => {
  expect(SUBPATHS.length).toBeGreaterThanOrEqual(10);
  for (const sub of SUBPATHS) {
    const target = manifest.exports[sub];
    if (typeof target === 'string') throw new Error(`${sub}: expected { types, default }`);
    expect(fs.existsSync(path.join(pkg, target.types))).toBe(true);
    expect(fs.existsSync(path.join(pkg, target.default))).toBe(true);
    const spec = sub === '.' ? 'gs-compress' : `gs-compress/${sub.slice(2)}`;
    expect(probe(spec).exports.length).toBeGreaterThan(0);
  }
  expect(fs.readFileSync(path.join(pkg, 'dist/prune/index.d.ts'), 'utf8')).toContain('pruneNetwork');
  const deep = spawnSync(process.execPath, ['-e', "require('gs-compress/dist/prune/prune')"], { cwd: user, encoding: 'utf8' });
  expect(deep.status).not.toBe(0);
  expect(deep.stderr).toContain('ERR_PACKAGE_PATH_NOT_EXPORTED');
});
