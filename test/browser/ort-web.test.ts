/**
 * Proven in a browser: exported models (default full-width, compact input, int8, float16; a CNN
 * with float32 and int8 convolution weights on N x C x H x W input; a CNN with residual blocks and
 * a depthwise convolution) run in onnxruntime-web inside headless Chromium, served from 127.0.0.1,
 * and give the probabilities onnxruntime-node gives within 1e-5; the CNNs' tfjs LayersModels
 * (Sequential, and functional with Add) run in tfjs there too.
 */
import * as fs from 'fs';
import * as path from 'path';
import { initArchNetwork } from '../../src/network/create-arch';
import { CNN_TFJS_WEIGHTS_FILE, toCnnLayersModel } from '../../src/network/layers-model-cnn';
import { exportOnnx, runOnnx, type ExportOptions } from '../../src/onnx';
import { onnxruntimeWebDist, startStaticServer, type StaticServer } from '../../src/util/static-server';
import { keepInputs, randomData, randomNet } from '../onnx/helpers';
import { chromiumAvailable, CHROMIUM, launchChromium } from './chromium';

const ROWS = 100;
const D = 40;
const net = keepInputs(randomNet(D, [16, 12], 4, 31, true), [0, 1, 2, 5, 6, 7, 8, 20, 21, 22, 33, 39]);
const x = randomData(ROWS, D, 32);
// name, export options, largest allowed |p_web - p_node|
const VARIANTS: [string, Partial<ExportOptions>, number][] = [
  ['default', {}, 1e-5],
  ['compact', { compactInput: true }, 1e-5],
  ['float16', { quantize: 'float16' }, 1e-5],
  // int8 too, since weights are 7-bit (INT8_WEIGHT_MAX): with 8-bit ones the native x64 kernel
  // saturates and the two differed by 0.012 on these rows
  ['int8', { quantize: 'int8' }, 1e-5],
];

// a CNN: padding, batch norm (folded at export), max and average pooling, per-channel scaling
const cnn = initArchNetwork('c6k3p1-bn-m2-c8k3-a2-f10', [2, 12, 12], 3, 7);
cnn.scaling = {
  mean: Float32Array.from({ length: 288 }, (_, i) => (i < 144 ? 0.2 : -0.4)),
  std: Float32Array.from({ length: 288 }, (_, i) => (i < 144 ? 1.5 : 0.5)),
};
// residual blocks (identity and 1x1 projection) and a depthwise convolution, on the same input
const res = initArchNetwork('c6k3p1-bn-(c6k3p1-bn-c6k3p1-bn)-dk3p1-bn-(c8k3p1s2-bn-c8k3p1-bn)-g', [2, 12, 12], 3, 8);
const cnnRows = 20;
const cnnX = randomData(cnnRows, 288, 33);

const PAGE = `<!doctype html><meta charset="utf-8"><script src="/ort/ort.wasm.min.js"></script>
<script>
  ort.env.wasm.wasmPaths = '/ort/';
  ort.env.wasm.numThreads = 1;
  window.runModel = async (url, data, rows, cols) => {
    const session = await ort.InferenceSession.create(url);
    const out = await session.run({ features: new ort.Tensor('float32', Float32Array.from(data), [rows, cols]) });
    const result = { probabilities: Array.from(out.probabilities.data), labels: Array.from(out.label.data, Number), version: ort.env.versions.web };
    await session.release();
    return result;
  };
  window.runShaped = async (url, data, dims) => {
    const session = await ort.InferenceSession.create(url);
    const out = await session.run({ features: new ort.Tensor('float32', Float32Array.from(data), dims) });
    const result = Array.from(out.probabilities.data);
    await session.release();
    return result;
  };
</script>`;

const TFJS_DIST = path.join(path.dirname(require.resolve('@tensorflow/tfjs/package.json')), 'dist');
const TFJS_PAGE = `<!doctype html><meta charset="utf-8"><script src="/tfjs/tf.min.js"></script>
<script>
  window.runTfjs = async (url, data, dims) => {
    const model = await tf.loadLayersModel(url);
    const y = model.predict(tf.tensor(Float32Array.from(data), dims));
    const result = Array.from(await y.data());
    y.dispose();
    model.dispose();
    return result;
  };
</script>`;

const describeBrowser = chromiumAvailable ? describe : describe.skip;
if (!chromiumAvailable) console.warn(`skipping the browser tests: no Chromium at ${CHROMIUM}`);

describeBrowser('onnxruntime-web in headless Chromium', () => {
  let server: StaticServer;
  const files: Record<string, Uint8Array | string> = { '/index.html': PAGE };
  beforeAll(async () => {
    for (const [name, opts] of VARIANTS) files[`/${name}.onnx`] = exportOnnx(net, { producerVersion: 't', ...opts });
    files['/cnn.onnx'] = exportOnnx(cnn, { producerVersion: 't' });
    files['/cnn-int8.onnx'] = exportOnnx(cnn, { producerVersion: 't', quantize: 'int8' });
    files['/res.onnx'] = exportOnnx(res, { producerVersion: 't' });
    for (const [name, net] of [
      ['cnn', cnn],
      ['res', res],
    ] as const) {
      const tfjsModel = toCnnLayersModel(net, 't');
      files[`/${name}-tfjs/model.json`] = tfjsModel.modelJson;
      files[`/${name}-tfjs/${CNN_TFJS_WEIGHTS_FILE}`] = tfjsModel.weights;
    }
    files['/tfjs.html'] = TFJS_PAGE;
    server = await startStaticServer({ files, dirs: { '/ort/': onnxruntimeWebDist(), '/tfjs/': TFJS_DIST } });
  });
  afterAll(async () => {
    await server?.close();
  });

  test('every export gives onnxruntime-node probabilities on 100 rows (1e-5)', async () => {
    const browser = await launchChromium();
    try {
      const page = await browser.context.newPage();
      const errors: string[] = [];
      page.on('pageerror', (e) => errors.push(e.message));
      await page.goto(`${server.url}index.html`);
      expect(server.url.startsWith('http://127.0.0.1:')).toBe(true);
      for (const [name, opts, tol] of VARIANTS) {
        const feed = opts.compactInput ? x.filter((_, i) => net.inputIndices.includes(i % D)) : x;
        const cols = feed.length / ROWS;
        const node = await runOnnx(files[`/${name}.onnx`], feed, ROWS, cols, { runtime: 'node' });
        const web = await page.evaluate(
          async ([url, data, rows, c]) =>
            (
              globalThis as unknown as {
                runModel: (
                  u: string,
                  d: number[],
                  r: number,
                  c: number,
                ) => Promise<{ probabilities: number[]; labels: number[]; version: string }>;
              }
            ).runModel(url, data, rows, c),
          [`/${name}.onnx`, Array.from(feed), ROWS, cols] as [string, number[], number, number],
        );
        expect(web.version).toMatch(/^1\.\d+\.\d+/);
        expect(web.probabilities).toHaveLength(node.probabilities.length);
        let maxDiff = 0;
        web.probabilities.forEach((p, i) => (maxDiff = Math.max(maxDiff, Math.abs(p - node.probabilities[i]))));
        expect({ name, maxDiff: maxDiff <= tol ? 'ok' : maxDiff }).toEqual({ name, maxDiff: 'ok' });
        const agree = web.labels.filter((l, i) => l === node.labels[i]).length;
        expect(agree).toBeGreaterThanOrEqual(tol > 1e-5 ? 95 : ROWS);
      }
      expect(errors).toEqual([]);
    } finally {
      await browser.close();
    }
  });

  test('CNN exports (ONNX with float32 and int8 convolution weights, residual blocks and a depthwise convolution; the tfjs LayersModels in tfjs) give onnxruntime-node probabilities on N x C x H x W input', async () => {
    const browser = await launchChromium();
    try {
      const page = await browser.context.newPage();
      const errors: string[] = [];
      page.on('pageerror', (e) => errors.push(e.message));
      await page.goto(`${server.url}index.html`);
      for (const name of ['cnn', 'cnn-int8', 'res']) {
        const node = await runOnnx(files[`/${name}.onnx`], cnnX, cnnRows, 288, { runtime: 'node' });
        const web = await page.evaluate(
          async ([url, data, dims]) =>
            (globalThis as unknown as { runShaped: (u: string, d: number[], s: number[]) => Promise<number[]> }).runShaped(url, data, dims),
          [`/${name}.onnx`, Array.from(cnnX), [cnnRows, 2, 12, 12]] as [string, number[], number[]],
        );
        expect(web).toHaveLength(node.probabilities.length);
        let maxDiff = 0;
        web.forEach((p, i) => (maxDiff = Math.max(maxDiff, Math.abs(p - node.probabilities[i]))));
        expect({ name, maxDiff: maxDiff <= 1e-5 ? 'ok' : maxDiff }).toEqual({ name, maxDiff: 'ok' });
      }
      // the tfjs LayersModels of the same CNNs (the residual one functional), in tfjs inside Chromium, on the same raw N x C x H x W values
      await page.goto(`${server.url}tfjs.html`);
      for (const name of ['cnn', 'res']) {
        const node = await runOnnx(files[`/${name}.onnx`], cnnX, cnnRows, 288, { runtime: 'node' });
        const viaTfjs = await page.evaluate(
          async ([url, data, dims]) =>
            (globalThis as unknown as { runTfjs: (u: string, d: number[], s: number[]) => Promise<number[]> }).runTfjs(url, data, dims),
          [`/${name}-tfjs/model.json`, Array.from(cnnX), [cnnRows, 2, 12, 12]] as [string, number[], number[]],
        );
        let worst = 0;
        viaTfjs.forEach((p, i) => (worst = Math.max(worst, Math.abs(p - node.probabilities[i]))));
        expect(viaTfjs).toHaveLength(node.probabilities.length);
        expect({ name, worst: worst < 1e-5 ? 'ok' : worst }).toEqual({ name, worst: 'ok' });
      }
      expect(errors).toEqual([]);
    } finally {
      await browser.close();
    }
  });

  test('the example page is served with the right types, and nothing outside its folders', async () => {
    const ex = await startStaticServer({ dirs: { '/': path.join(__dirname, '../../examples/browser'), '/ort/': onnxruntimeWebDist() } });
    try {
      const page = await fetch(`${ex.url}index.html`);
      expect(page.status).toBe(200);
      expect(page.headers.get('content-type')).toMatch(/text\/html/);
      const wasm = await fetch(`${ex.url}ort/ort-wasm-simd-threaded.wasm`);
      expect(wasm.headers.get('content-type')).toBe('application/wasm');
      expect((await fetch(`${ex.url}..%2F..%2Fpackage.json`)).status).toBe(404);
      expect((await fetch(`${ex.url}ort/../../../package.json`)).status).toBe(404);
      expect(fs.existsSync(path.join(__dirname, '../../examples/browser/model.onnx'))).toBe(true);
    } finally {
      await ex.close();
    }
  });
});
