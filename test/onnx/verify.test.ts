/** Verification against the reference network, and clear errors for damaged ONNX files. */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { GsError } from '../../src/errors';
import { logits, predictLabels } from '../../src/network/forward';
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

  test("the reference's outputs given by the caller are what the export is compared with", async () => {
    const onnx = exportOnnx(net, { producerVersion: 't' });
    const given = await verifyOnnx({ onnx, reference: net, referenceOutputs: logits(net, x, 80), features: x, labels, rows: 80 });
    const own = await verifyOnnx({ onnx, reference: net, features: x, labels, rows: 80 });
    expect(given).toEqual(own);
    // outputs of another network: the same export now disagrees, so they were used instead of a pass of its own
    const other = keepInputs(randomNet(10, [8], 3, 12, true), [0, 3, 4, 8]);
    const r = await verifyOnnx({ onnx, reference: net, referenceOutputs: logits(other, x, 80), features: x, labels, rows: 80 });
    expect(r.ok).toBe(false);
    expect(r.maxProbDiff).toBeGreaterThan(1e-3);
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

describe('exact verification and near-ties', () => {
  test('labels may differ where the two classes tie within the tolerance, not where they do not', async () => {
    // output classes 0 and 1 have identical weights: their logits differ by the bias only
    const base = randomNet(6, [5], 3, 21);
    const out = base.layers[1];
    const kernel = out.kernel.slice();
    for (let i = 0; i < out.inSize; i++) kernel[i * 3 + 1] = kernel[i * 3];
    const withBias = (b0: number, b1: number) => ({
      ...base,
      layers: [base.layers[0], { ...out, kernel, bias: Float32Array.of(b0, b1, -20) }],
    });
    const rows = 50;
    const xs = randomData(rows, 6, 22);
    const reference = withBias(0, 1e-6); // picks class 1 on every row
    const tie = await verifyOnnx({ onnx: exportOnnx(withBias(1e-6, 0), { producerVersion: 't' }), reference, features: xs, rows });
    expect(tie).toMatchObject({ ok: true, mode: 'exact', nearTies: rows, disagreementCount: 0, agreement: 0 });
    // the same swap with a gap of 1e-3: probabilities differ by more than the tolerance, labels disagree for real
    const ref2 = withBias(0, 1e-3);
    const real = await verifyOnnx({ onnx: exportOnnx(withBias(1e-3, 0), { producerVersion: 't' }), reference: ref2, features: xs, rows });
    expect(real).toMatchObject({ ok: false, nearTies: 0, disagreementCount: rows });
  });
});
