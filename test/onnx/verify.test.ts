/** Verification against the reference network, and clear errors for damaged ONNX files. */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { GsError } from '../../src/errors';
import { predictLabels } from '../../src/network/forward';
import { exportOnnx, mapLabels, readOnnxInfo, runOnnx, verifyOnnx } from '../../src/onnx';
import { Rng } from '../../src/util/rng';
import { keepInputs, randomData, randomNet } from './helpers';

const net = keepInputs(randomNet(10, [8], 3, 11, true), [0, 3, 4, 8]);
const x = randomData(80, 10, 12);
const labels = predictLabels(net, x, 80);

async function expectBadModel(p: Promise<unknown> | (() => unknown), file: string): Promise<GsError> {
  let err: unknown;
  try {
    await (typeof p === 'function' ? p() : p);
  } catch (e) {
    err = e;
  }
  expect(err).toBeInstanceOf(GsError);
  expect((err as GsError).code).toBe('BAD_MODEL');
  expect((err as GsError).message).toContain(`${file}: not a valid ONNX model (`);
  return err as GsError;
}

describe('verifyOnnx', () => {
  test('an exact export agrees with its reference, full-width and compact', async () => {
    for (const compactInput of [false, true]) {
      const r = await verifyOnnx({
        onnx: exportOnnx(net, { producerVersion: 't', compactInput }),
        reference: net,
        features: x,
        labels,
        rows: 80,
      });
      expect(r).toMatchObject({ ok: true, agreement: 1, disagreementCount: 0, onnxAccuracy: 1, referenceAccuracy: 1, compactInput });
      expect(r.maxProbDiff).toBeLessThanOrEqual(1e-5);
    }
  });

  test('a deliberately altered model fails', async () => {
    const altered = keepInputs(randomNet(10, [8], 3, 11, true), [0, 3, 4, 8]);
    altered.layers[1] = { ...altered.layers[1], bias: altered.layers[1].bias.map((b, j) => (j === 0 ? b + 0.5 : b)) };
    const r = await verifyOnnx({ onnx: exportOnnx(altered, { producerVersion: 't' }), reference: net, features: x, labels, rows: 80 });
    expect(r.ok).toBe(false);
    expect(r.maxProbDiff).toBeGreaterThan(1e-3);
    expect(r.disagreements.length).toBe(Math.min(10, r.disagreementCount));
  });

  test('without a reference it reports accuracy only', async () => {
    const r = await verifyOnnx({ onnx: exportOnnx(net, { producerVersion: 't' }), features: x, labels, rows: 80, minAccuracy: 0.9 });
    expect(r).toMatchObject({ ok: true, onnxAccuracy: 1, agreement: null, maxProbDiff: null });
  });

  test('labels are mapped by their string value', () => {
    const m = mapLabels(Int32Array.from([0, 1, 2]), ['1', '2', '7'], ['2.0', '1']);
    expect(Array.from(m.labels)).toEqual([1, 0, -1]);
    expect(m.unknown).toEqual(['7']);
  });
});

describe('damaged ONNX files', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'gs-onnx-'));
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));
  const good = exportOnnx(net, { producerVersion: 't' });
  const rng = new Rng(3);
  const junk = Uint8Array.from({ length: 4000 }, () => rng.int(256));
  const files = { 'random.onnx': junk, 'truncated.onnx': good.subarray(0, good.length >> 1), 'empty.onnx': new Uint8Array(0) };

  test.each(Object.keys(files))('%s gives BAD_MODEL from readOnnxInfo, runOnnx and verifyOnnx', async (name) => {
    const file = path.join(dir, name);
    fs.writeFileSync(file, files[name as keyof typeof files]);
    await expectBadModel(() => readOnnxInfo(fs.readFileSync(file), file), file);
    await expectBadModel(runOnnx(file, x, 80, 10), file);
    await expectBadModel(verifyOnnx({ onnx: file, reference: net, features: x, rows: 80 }), file);
  });

  test('a missing file is NOT_FOUND', async () => {
    await expect(runOnnx(path.join(dir, 'nope.onnx'), x, 80, 10)).rejects.toMatchObject({ code: 'NOT_FOUND' });
  });

  test('a wrong feature width is BAD_INPUT', async () => {
    await expect(runOnnx(good, x.subarray(0, 80 * 9), 80, 9)).rejects.toMatchObject({ code: 'BAD_INPUT' });
  });
});
