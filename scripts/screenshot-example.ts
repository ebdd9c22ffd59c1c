/**
 * Screenshot of the browser example with a digit drawn by mouse, in headless Chromium
 * (playwright-core, /usr/bin/chromium, the project's flags, fresh user-data-dir).
 *
 *   npx tsx scripts/screenshot-example.ts [OUT.png] [--model FILE.onnx]
 *
 * Serves examples/browser on 127.0.0.1 (a free port), draws a "7" and a "3" with mouse strokes,
 * prints what the page predicted, and writes the screenshot of the last one (default
 * reports/browser/example.png).
 */
import * as fs from 'fs';
import * as path from 'path';
import { exampleDir } from '../src/cli/commands/serve-example';
import { onnxManifestPath } from '../src/network/manifest';
import { onnxruntimeWebDist, startStaticServer } from '../src/util/static-server';
import { launchChromium } from '../test/browser/chromium';
import { scriptArgs } from './lib/script-args';

const cli = scriptArgs({
  command: 'npx tsx scripts/screenshot-example.ts',
  describe:
    'Serves examples/browser, draws a "7" and a "3" in a headless chromium, prints what the page predicted and writes the screenshot of the last one (default reports/browser/example.png).',
  options: [{ name: '--model', value: 'FILE.onnx', describe: "The model the page loads (default the example's own)" }],
  positionals: '[OUT.png]',
});
const modelArg = cli.arg('--model');
const model = modelArg !== undefined ? path.resolve(modelArg) : null;
const out = path.resolve(cli.positionals[0] ?? 'reports/browser/example.png');

const DIGITS: Record<string, [number, number][][]> = {
  '7': [
    [
      [80, 70],
      [200, 70],
      [130, 220],
    ],
  ],
  '3': [
    [
      [90, 70],
      [180, 70],
      [130, 135],
      [190, 180],
      [150, 220],
      [85, 215],
    ],
  ],
};

/** The page's globals read inside page.evaluate (the scripts are type-checked without the DOM library). */
interface PageGlobals {
  document: { body: { dataset: Record<string, string | undefined> } };
}

async function main(): Promise<void> {
  const files: Record<string, { file: string }> = model
    ? { '/model.onnx': { file: model }, '/model.manifest.json': { file: onnxManifestPath(model) } }
    : {};
  const server = await startStaticServer({ dirs: { '/': exampleDir(), '/ort/': onnxruntimeWebDist() }, files });
  const browser = await launchChromium();
  try {
    const page = await browser.context.newPage();
    await page.setViewportSize({ width: 760, height: 620 });
    await page.goto(`${server.url}index.html`);
    await page.waitForSelector('body[data-ready]');
    const box = await page.locator('#pad').boundingBox();
    if (!box) throw new Error('no drawing pad on the page');
    for (const [digit, strokes] of Object.entries(DIGITS)) {
      await page.click('#clear');
      for (const s of strokes) {
        await page.mouse.move(box.x + s[0][0], box.y + s[0][1]);
        await page.mouse.down();
        for (const [x, y] of s.slice(1)) await page.mouse.move(box.x + x, box.y + y, { steps: 12 });
        await page.mouse.up();
      }
      await page.waitForFunction(() => (globalThis as unknown as PageGlobals).document.body.dataset.prediction !== undefined);
      await page.waitForTimeout(200);
      const predicted = await page.evaluate(() => (globalThis as unknown as PageGlobals).document.body.dataset.prediction);
      console.log(`drew a ${digit}: the page predicts ${predicted}`);
    }
    console.log(await page.locator('#info').innerText());
    fs.mkdirSync(path.dirname(out), { recursive: true });
    await page.screenshot({ path: out });
    console.log(`wrote ${path.relative(process.cwd(), out)}`);
  } finally {
    await browser.close();
    await server.close();
  }
}

main().catch((e) => {
  console.error(e instanceof Error ? e.message : e);
  process.exit(1);
});
