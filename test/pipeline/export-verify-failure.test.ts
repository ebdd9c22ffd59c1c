/**
 * An export that fails verification is not kept: `prune --export` and `compress` exit with
 * VERIFY_FAILED (code 1), say that nothing was written, and leave no file at the final name, no
 * manifest and no temporary file. The failure is injected by mocking onnxruntime's verdict.
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import type { VerifyInput, VerifyResult } from '../../src/onnx/verify';
import { compressModel } from '../../src/pipeline/compress-model';
import { Rng } from '../../src/util/rng';
import { runCli } from '../helpers/cli';
import { plantedModelData } from './planted-model-data';

const mockVerdict = { fail: false };
jest.mock('../../src/onnx/verify', () => {
  const actual = jest.requireActual<typeof import('../../src/onnx/verify')>('../../src/onnx/verify');
  return {
    ...actual,
    verifyOnnx: async (input: VerifyInput): Promise<VerifyResult> => {
      const v = await actual.verifyOnnx(input);
      return mockVerdict.fail ? { ...v, ok: false } : v;
    },
  };
});

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'gs-verify-fail-'));
const p = (f: string) => path.join(dir, f);
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));
afterEach(() => (mockVerdict.fail = false));

/** Every file under d, relative. */
function filesUnder(d: string): string[] {
  if (!fs.existsSync(d)) return [];
  return (fs.readdirSync(d, { recursive: true }) as string[]).filter((f) => fs.statSync(path.join(d, f)).isFile()).sort();
}

test('prune --export: a model that fails verification is not written', async () => {
  const rng = new Rng(3);
  const lines = ['a,b,c,d,y'];
  for (let i = 0; i < 200; i++) {
    const x = [0, 1, 2, 3].map(() => rng.normal());
    lines.push(`${x.map((v) => v.toFixed(4)).join(',')},${x[0] + x[1] > 0 ? 'p' : 'n'}`);
  }
  fs.writeFileSync(p('d.csv'), `${lines.join('\n')}\n`);
  expect((await runCli(['train', '--data', p('d.csv'), '--hidden', '4', '--epochs', '1', '--out', p('run'), '--json'])).code).toBe(0);
  mockVerdict.fail = true;
  const r = await runCli(['prune', p('run'), '--export', p('out/m.onnx')]);
  expect(r.code).toBe(1);
  expect(r.err).toMatch(
    /error: the ONNX model does not reproduce the trained network \(see above\); nothing was written to .*m\.onnx \(the unverified model was not kept\)/,
  );
  expect(r.out).not.toMatch(/wrote/);
  expect(fs.existsSync(p('out'))).toBe(false); // the folder it would have made is gone too
  // the same export verifies and is written once onnxruntime agrees
  mockVerdict.fail = false;
  const ok = await runCli(['prune', p('run'), '--export', p('out/m.onnx')]);
  expect(ok.code).toBe(0);
  expect(filesUnder(p('out'))).toEqual(['m.manifest.json', 'm.onnx']);
});

test('compress: a slim model that fails verification is not written', async () => {
  const model = path.join(__dirname, '..', 'fixtures', 'import', 'torch-relu.onnx');
  const data = await plantedModelData(model, 300, 100);
  fs.mkdirSync(p('slim'));
  mockVerdict.fail = true;
  await expect(
    compressModel(model, data, { targetRatio: 0.5, epochs: 1, finetuneEpochs: 0, exportPath: p('slim/s.onnx'), producerVersion: 't' }),
  ).rejects.toThrow(/disagrees with the slim network .*; nothing was written to .*s\.onnx \(the unverified model was not kept\)/);
  expect(filesUnder(p('slim'))).toEqual([]);
});
