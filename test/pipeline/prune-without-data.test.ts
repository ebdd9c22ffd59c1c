/**
 * `prune RUN --export` of a run that records no data (an imported model): exact pruning needs
 * none, so the export is checked against the unpruned network on random rows and the output says
 * so; --data checks on real rows instead.
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { runCli as run } from '../helpers/cli';
import { RUN_FILE } from '../../src/network/run-io';
import { Rng } from '../../src/util/rng';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'gs-prune-nodata-'));
const p = (f: string) => path.join(dir, f);
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

type PruneJson = {
  verifiedOn: string | null;
  verification: { ok: boolean; rows: number; agreement: number | null } | null;
  accuracyBefore: number | null;
  report: { parameters: { before: number; after: number } };
};

test('an imported run prunes, exports and verifies on random rows without --data', async () => {
  const fixture = path.join(__dirname, '..', 'fixtures', 'import', 'torch-relu.onnx');
  expect((await run(['import', fixture, '--out', p('imported')])).code).toBe(0);
  const text = await run(['prune', p('imported'), '--export', p('imported.onnx')]);
  expect(text.err).toBe('');
  expect(text.code).toBe(0);
  expect(text.out).toMatch(/the run records no data: checked the export against the unpruned network on 256 random rows/);
  expect(fs.existsSync(p('imported.onnx'))).toBe(true);
  const json = await run(['prune', p('imported'), '--export', p('imported2.onnx'), '--json']);
  const j = JSON.parse(json.out) as PruneJson;
  expect(j.verifiedOn).toBe('random rows');
  expect(j.verification).toMatchObject({ ok: true, rows: 256, agreement: 1 });
  expect(j.accuracyBefore).toBeNull();
});

test('a pruned network without recorded data is checked on random rows, and on real rows with --data', async () => {
  const rng = new Rng(3);
  const lines: string[] = [];
  for (let r = 0; r < 300; r++) {
    const x = Array.from({ length: 6 }, () => rng.normal());
    lines.push(`${x.map((v) => v.toFixed(4)).join(',')},c${x[0] + x[1] > 0 ? 0 : 1}`);
  }
  fs.writeFileSync(p('d.csv'), `${lines.join('\n')}\n`);
  const args = ['--data', p('d.csv'), '--hidden', '8,8', '--penalty', 'gl', '--lambda', '0.003', '--lr', '0.01', '--epochs', '6'];
  expect((await run(['train', ...args, '--out', p('trained')])).code).toBe(0);
  // forget where the data is, as an imported run does
  const record = JSON.parse(fs.readFileSync(p(`trained/${RUN_FILE}`), 'utf8')) as { config: Record<string, unknown>; data?: unknown };
  delete record.config.dataSpec;
  delete record.data;
  fs.writeFileSync(p(`trained/${RUN_FILE}`), JSON.stringify(record));
  const first = await run(['prune', p('trained'), '--export', p('t.onnx'), '--json']);
  expect(first.err).toBe('');
  const random = JSON.parse(first.out) as PruneJson;
  expect(random.report.parameters.after).toBeLessThan(random.report.parameters.before); // the penalty removed something
  expect(random.verifiedOn).toBe('random rows');
  expect(random.verification?.ok).toBe(true);
  const real = await run(['prune', p('trained'), '--export', p('t2.onnx'), '--data', p('d.csv'), '--json']);
  expect(real.code).toBe(0);
  const r = JSON.parse(real.out) as PruneJson;
  expect(r.verifiedOn).toBe('data');
  expect(r.verification?.rows).toBe(90);
  expect(r.accuracyBefore).toBeGreaterThan(0.5);
  // a quantized export is judged by accuracy, which needs data
  const q = await run(['prune', p('trained'), '--export', p('q.onnx'), '--quantize', 'float16']);
  expect(q.code).toBe(1);
  expect(q.err).toMatch(/does not record its data; a quantized export is verified by its accuracy: pass --data/);
});
