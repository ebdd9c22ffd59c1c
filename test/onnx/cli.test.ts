/** The inspect and verify commands: tables, JSON, exit codes and messages for damaged files. */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { runCli as run } from '../helpers/cli';
import { predictLabels } from '../../src/network/forward';
import { saveRun } from '../../src/network/run-io';
import { exportOnnx } from '../../src/onnx';
import { keepInputs, randomData, randomNet } from './helpers';
import type { OnnxInfo } from '../../src/onnx/read';
import { parseAs } from '../helpers/json';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'gs-onnx-cli-'));
const p = (f: string) => path.join(dir, f);
const net = keepInputs(randomNet(5, [6], 3, 21, true), [0, 2, 4]);

beforeAll(() => {
  const rows = 120;
  const x = randomData(rows, 5, 22);
  const y = predictLabels(net, x, rows);
  const lines = ['x0,x1,x2,x3,x4,label'];
  for (let r = 0; r < rows; r++)
    lines.push(`${Array.from(x.subarray(r * 5, r * 5 + 5), (v) => v.toPrecision(9)).join(',')},${net.classLabels[(y[r] + r) % 3]}`);
  fs.writeFileSync(p('data.csv'), `${lines.join('\n')}\n`);
  saveRun(p('run'), net, { generatedBy: 'test', createdAt: 'now', config: { dataSpec: { data: p('data.csv') } } });
  const good = exportOnnx(net, { producerVersion: 't', compactInput: true });
  fs.writeFileSync(p('model.onnx'), good);
  fs.writeFileSync(p('trunc.onnx'), good.subarray(0, good.length >> 1));
  const altered = { ...net, layers: [net.layers[0], { ...net.layers[1], bias: net.layers[1].bias.map((b, j) => (j === 0 ? b + 5 : b)) }] };
  fs.writeFileSync(p('altered.onnx'), exportOnnx(altered, { producerVersion: 't' }));
});
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

test('inspect prints layers, kept inputs and metadata; --json parses', async () => {
  const t = await run(['inspect', p('model.onnx')]);
  expect(t.code).toBe(0);
  expect(t.out).toContain('inputs kept: 3 of 5 (compact input');
  expect(t.out).toMatch(/layer0\s+Gemm\s+3\s+6\s+relu/);
  const j = parseAs<OnnxInfo>((await run(['inspect', p('model.onnx'), '--json'])).out);
  expect(j.interface?.keptIndices).toEqual([0, 2, 4]);
  const r = parseAs<Record<string, unknown>>((await run(['inspect', p('run'), '--json'])).out);
  expect(r).toMatchObject({ kind: 'run', inputWidth: 5, inputsKept: 3 });
});

test('inspect and verify of a truncated file exit 1 with a clear message', async () => {
  for (const args of [
    ['inspect', p('trunc.onnx')],
    ['verify', p('trunc.onnx'), '--data', p('data.csv')],
  ]) {
    const r = await run(args);
    expect(r.code).toBe(1);
    expect(r.err).toContain(`${p('trunc.onnx')}: not a valid ONNX model (`);
    expect(r.err).not.toContain('    at ');
  }
});

test('verify against the run passes for the exact export and fails for an altered one', async () => {
  const ok = await run(['verify', p('model.onnx'), '--run', p('run')]);
  expect(ok.code).toBe(0);
  expect(ok.out).toContain('OK');
  const bad = await run(['verify', p('altered.onnx'), '--run', p('run')]);
  expect(bad.code).toBe(1);
  expect(bad.err).toMatch(/verification failed: .*first rows: \d/);
});

test('verify names the model file (not "<model bytes>") when the data does not fit it', async () => {
  const lines = ['a,b,c,d,label', '1,2,3,4,c0', '2,3,4,5,c1', '3,4,5,6,c2', '4,5,6,7,c0'];
  fs.writeFileSync(p('narrow.csv'), `${lines.join('\n')}\n`);
  const r = await run(['verify', p('model.onnx'), '--data', p('narrow.csv'), '--split', 'all']);
  expect(r.code).toBe(1);
  expect(r.err).toContain(`${p('model.onnx')} was exported for 5 feature columns, the data has 4`);
  expect(r.err).not.toContain('<model bytes>');
});
