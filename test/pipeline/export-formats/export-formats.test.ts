/**
 * The export-format table walked: every format (ONNX float32, each --quantize variant, the tfjs
 * LayersModel) exports a small trained MLP and a small trained CNN through compressRun and is
 * verified as its entry says (exact or lossy in onnxruntime; the tfjs one, which gs-compress writes
 * without running, checked here in tfjs); prune's options and --help come from the table; and a toy
 * format registered from outside src/ (./toy-format.ts) flows through flag, help, writing,
 * verification, manifest and the "wrote" line with no change in src/.
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { predictProba } from '../../../src/network/forward';
import { onnxManifestPath, TFJS_MANIFEST_FILE, type Manifest } from '../../../src/network/manifest';
import { compressRun } from '../../../src/pipeline/compress';
import { EXPORT_FORMATS, registerExportFormat, type ExportFormat } from '../../../src/pipeline/export-formats/table';
import { runOriginal } from '../../../src/pipeline/original-runners';
import { Rng } from '../../../src/util/rng';
import { runCli, runCliWithHelp } from '../../helpers/cli';
import { TOY_FORMAT } from './toy-format';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'gs-export-formats-'));
const p = (f: string) => path.join(dir, f);
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

/** The built-in formats (before the toy one is registered). */
const BUILT_IN: ExportFormat[] = [...EXPORT_FORMATS];
const RUNS = ['mlp', 'cnn'] as const;

beforeAll(async () => {
  // three separable blobs in 5 columns, one of them noise
  const rng = new Rng(7);
  const rows = ['a,b,c,d,noise,label'];
  for (let i = 0; i < 240; i++) {
    const k = i % 3;
    const x = [0, 1, 2, 3].map((j) => (j % 3 === k ? 2.5 : 0) + rng.normal() * 0.6);
    rows.push([...x, rng.normal()].map((v) => v.toFixed(4)).join(',') + `,k${k}`);
  }
  fs.writeFileSync(p('blobs.csv'), rows.join('\n'));
  const mlp = await runCli(['train', '--data', p('blobs.csv'), '--hidden', '8', '--epochs', '20', '--seed', '0', '--out', p('mlp')]);
  expect(mlp.code).toBe(0);
  const cnn = await runCli([
    'train',
    ...['--data', 'mnist', '--train-rows', '400', '--test-rows', '100', '--epochs', '2', '--arch', 'c4k5-m2-f16', '--seed', '0'],
    ...['--out', p('cnn')],
  ]);
  expect(cnn.code).toBe(0);
}, 120_000);

/** What tfjs computes from a written LayersModel folder on raw rows (the same runner `compress` uses for a tfjs original). */
async function tfjsProbabilities(folder: string, inputShape: number[], x: Float32Array, rows: number): Promise<Float32Array> {
  const modelJson = fs.readFileSync(path.join(folder, 'model.json'), 'utf8');
  const files = (JSON.parse(modelJson) as { weightsManifest: { paths: string[] }[] }).weightsManifest.flatMap((g) => g.paths);
  const weights = Buffer.concat(files.map((f) => fs.readFileSync(path.join(folder, f))));
  const out = await runOriginal({ kind: 'tfjs', modelJson, weights: new Uint8Array(weights), inputShape, outputForm: 'softmax' }, x, rows);
  return out.probabilities;
}

describe.each(RUNS)('the %s run', (run) => {
  test.each(BUILT_IN.map((f) => [f.name, f] as const))(
    'exports as %s and verifies as the table says',
    async (name, f) => {
      const target = p(`${run}-${name}${f.target === 'file' ? '.onnx' : ''}`);
      const r = await compressRun(p(run), { exports: [{ format: name, path: target }], maxAccuracyDrop: 0.05 });
      expect(r.exports.map((e) => [e.format, e.written])).toEqual([[name, true]]);
      const out = r.exports[0];
      expect(out.path).toBe(path.resolve(target));
      expect(out.bytes).toBeGreaterThan(0);
      if (f.target === 'file') expect(fs.statSync(target).size).toBe(out.bytes);
      // the manifest beside it says which format and storage it describes
      const manifestFile = f.target === 'file' ? onnxManifestPath(target) : path.join(target, TFJS_MANIFEST_FILE);
      const manifest = JSON.parse(fs.readFileSync(manifestFile, 'utf8')) as Manifest;
      expect([manifest.modelFormat, manifest.quantization]).toEqual([f.manifestFormat, f.quantize ?? 'none']);
      if (f.verification === 'none') {
        expect(r.verification).toBeNull();
        // written, not run by gs-compress: the folder in tfjs gives the pruned network's probabilities
        const rows = 20;
        const rng = new Rng(5);
        const x = Float32Array.from({ length: rows * r.pruned.inputWidth }, () => rng.next() * 2);
        const shape = r.pruned.inputShape && r.pruned.inputShape.length > 1 ? r.pruned.inputShape : [r.pruned.inputWidth];
        const got = await tfjsProbabilities(target, shape, x, rows);
        const want = predictProba(r.pruned, x, rows);
        expect(got.length).toBe(want.length);
        let worst = 0;
        for (let i = 0; i < want.length; i++) worst = Math.max(worst, Math.abs(got[i] - want[i]));
        expect(worst).toBeLessThan(1e-4);
      } else {
        expect(r.verifiedOn).toBe('data');
        expect(r.verification).toMatchObject({ mode: f.verification, ok: true });
        expect(r.onnxPath).toBe(out.path);
        expect(r.onnxBytes).toBe(out.bytes);
      }
    },
    60_000,
  );
});

test('an export asked for by a name the table does not hold is refused, listing the formats', async () => {
  await expect(compressRun(p('mlp'), { exports: [{ format: 'onnx-int4', path: p('x.onnx') }] })).rejects.toThrow(
    `unknown export format onnx-int4; expected one of ${BUILT_IN.map((f) => f.name).join(', ')}`,
  );
  expect(fs.existsSync(p('x.onnx'))).toBe(false);
});

test("prune's export options and their --help come from the table", async () => {
  const { log } = await runCliWithHelp(['prune', '--help']);
  const flat = log.replace(/\s+/g, ' ');
  for (const f of BUILT_IN) {
    if (f.quantize === null) expect(log).toContain(`--${f.option}`);
    expect(flat).toContain(f.help.replace(/\s+/g, ' '));
  }
  const choices = BUILT_IN.filter((f) => f.quantize !== null).map((f) => `"${f.quantize}"`);
  expect(flat).toContain(`[choices: ${choices.join(', ')}]`);
});

test('a format registered from outside src/ is written, verified and described like the others', async () => {
  registerExportFormat(TOY_FORMAT);
  const help = await runCliWithHelp(['prune', '--help']);
  expect(help.log.replace(/\s+/g, ' ')).toContain(`--export-toy ${TOY_FORMAT.help}`);
  const r = await runCli(['prune', p('mlp'), '--export', p('toy-too.onnx'), '--export-toy', p('toy.json')]);
  expect(r.err).toBe('');
  expect(r.code).toBe(0);
  expect(r.out).toContain(`wrote the toy JSON ${p('toy.json')}`);
  expect(fs.existsSync(p('toy-too.onnx'))).toBe(true);
  const manifest = JSON.parse(fs.readFileSync(p('toy.json.manifest.json'), 'utf8')) as Manifest;
  expect(manifest.modelFormat).toBe('toy-json');
  // verified by its own check through the same path as the others (the ONNX one is reported first)
  const json = await runCli(['prune', p('mlp'), '--export-toy', p('toy2.json'), '--json']);
  expect(json.code).toBe(0);
  expect(JSON.parse(json.out)).toMatchObject({ verifiedOn: 'data', verification: { runtime: 'the toy reader', ok: true } });
  // a network the format cannot write is refused before anything is written
  const cnn = await runCli(['prune', p('cnn'), '--export-toy', p('toy-cnn.json')]);
  expect(cnn.code).not.toBe(0);
  expect(cnn.err).toMatch(/the toy format writes dense networks only/);
  expect(fs.existsSync(p('toy-cnn.json'))).toBe(false);
});
