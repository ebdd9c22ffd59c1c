/**
 * Portable run records: a run trained on data under a temp folder records no absolute path
 * (relative paths and content hashes), and after the whole folder moves, pruning and verifying
 * the run find the data again; copies of the exported run (compress --tfjs) refer to it correctly.
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { hashFile } from '../../src/data/content-hash';
import { compressRun, runDataSpec } from '../../src/pipeline/compress';
import { loadRun } from '../../src/network/run-io';
import { runCli, writeTinyCsv } from '../sweep/helpers';

/** The parts of gs-run.json read here. */
interface RunJson {
  data: { files: string[] };
  config: { dataSpec: { data: string } };
}

const root = fs.mkdtempSync(path.join(os.tmpdir(), 'gs-portable-run-'));
afterAll(() => fs.rmSync(root, { recursive: true, force: true }));

test('saving a run records no absolute path, and a moved folder still finds its data', async () => {
  const project = path.join(root, 'project');
  fs.mkdirSync(path.join(project, 'data'), { recursive: true });
  const csv = writeTinyCsv(path.join(project, 'data'), 200);
  const runDir = path.join(project, 'runs', 'first');
  const t = await runCli([
    'train',
    '--data',
    csv,
    '--hidden',
    '6',
    '--epochs',
    '1',
    '--penalty',
    'gl',
    '--lambda',
    '1e-3',
    '--out',
    runDir,
    '--json',
  ]);
  expect(t.code).toBe(0);
  const text = fs.readFileSync(path.join(runDir, 'gs-run.json'), 'utf8');
  expect(text).not.toContain(root);
  expect(text).not.toMatch(/"\/(tmp|work|home|root)\//);
  const info = JSON.parse(text) as RunJson;
  expect(info.data).toMatchObject({ kind: 'file', path: '../../data/tiny.csv', files: ['../../data/tiny.csv'], hashes: [hashFile(csv)] });
  expect(info.config.dataSpec).toMatchObject({ data: '../../data/tiny.csv', dataHash: hashFile(csv), testFraction: 0.3 });

  const moved = path.join(root, 'moved', 'elsewhere');
  fs.mkdirSync(path.dirname(moved), { recursive: true });
  fs.renameSync(project, moved);
  const movedRun = path.join(moved, 'runs', 'first');
  expect(runDataSpec(loadRun(movedRun).info, movedRun)).toMatchObject({ data: path.join(moved, 'data', 'tiny.csv') });
  const tfjs = path.join(moved, 'export', 'tfjs');
  const c = await compressRun(movedRun, { exportTfjsDir: tfjs });
  expect(c.accuracyBefore).not.toBeNull();
  expect(c.accuracyAfter).toBe(c.accuracyBefore); // exact pruning, on the data found again
  // The exported run directory refers to the data from where it is.
  const exported = JSON.parse(fs.readFileSync(path.join(tfjs, 'gs-run.json'), 'utf8')) as RunJson;
  expect(exported.config.dataSpec.data).toBe('../../data/tiny.csv');
  expect(exported.data.files).toEqual(['../../data/tiny.csv']);
  expect(JSON.stringify(exported)).not.toContain(root);
  const onnx = path.join(moved, 'm.onnx');
  const pr = await runCli(['prune', movedRun, '--export', onnx, '--json']);
  expect(pr.code).toBe(0);
  expect((JSON.parse(pr.out) as { verification: unknown }).verification).toMatchObject({ ok: true });
  const v = await runCli(['verify', onnx, '--run', movedRun, '--json']);
  expect(v.code).toBe(0);
  // Changed bytes under the recorded name are not silently used.
  fs.appendFileSync(path.join(moved, 'data', 'tiny.csv'), '0.1,0.2,0.3,0.4,0.5,0.6,c1\n');
  await expect(compressRun(movedRun)).rejects.toThrow(/different content/);
});
