/**
 * Time per epoch of the layers engine (src/train/layers-engine/, the training engine for networks of
 * any layer types) with both convolution kernel sets, the TypeScript reference ('layers-js', as under
 * --engine fused-js) and the WebAssembly SIMD ones ('layers-wasm', where the runtime has them), on LeNet-5 (initArchNetwork('lenet5', [1, 28, 28], 10, 0)) and MNIST
 * rows: the images come flat [784] and the network reads them as [1, 28, 28] (Network.inputShape).
 * Trains through trainNetwork (adam, batch 32, no validation split) and prints each epoch's
 * seconds (training and evaluation), the test accuracy, and the training time per epoch alone
 * (runEpoch on the same rows), then the ratios. A measuring stick, not a test.
 *
 * Measured (defaults: 1000 rows, 2 epochs, batch 32; Node 20, one x86-64 core, figures vary by
 * ~10% from run to run): layers-js about 2.9-3.4 s per epoch with evaluation of 1000 test rows and
 * 1.45-1.65 s of training steps (~1.5 ms per row); layers-wasm 1.0-1.2 s per epoch and 0.55-0.65 s
 * of training steps (~0.6 ms per row): about 2.5x on the training steps, 2.7-3x on whole epochs. What is
 * left is the TypeScript dense layers, pooling and activations (float64).
 *
 * Run: npx tsx scripts/bench-layers-engine.ts [--rows 1000] [--epochs 2] [--arch lenet5]
 */
import { loadDataset } from '../src/data';
import { initArchNetwork } from '../src/network/create-arch';
import { resolveTrainConfig } from '../src/train/config';
import { wasmPassAvailable } from '../src/train/fused/wasm-pass';
import { createLayersEngine } from '../src/train/layers-engine';
import { trainNetwork } from '../src/train/train';
import { Rng } from '../src/util/rng';
import { scriptArgs } from './lib/script-args';

const { arg } = scriptArgs({
  command: 'npx tsx scripts/bench-layers-engine.ts',
  describe: 'Times epochs of the layers engine on a CNN (LeNet-5 by default) and MNIST rows; prints seconds per epoch. Writes nothing.',
  options: [
    { name: '--rows', value: 'N', describe: 'MNIST training rows (default 1000)' },
    { name: '--epochs', value: 'N', describe: 'epochs (default 2)' },
    { name: '--arch', value: 'SPEC', describe: 'the --arch spec (default lenet5)' },
    { name: '--batch', value: 'N', describe: 'batch size (default 32)' },
  ],
});
const rows = Number(arg('--rows') ?? 1000);
const epochs = Number(arg('--epochs') ?? 2);
const arch = arg('--arch') ?? 'lenet5';
const batchSize = Number(arg('--batch') ?? 32);

async function main(): Promise<void> {
  const data = await loadDataset({ data: 'mnist', maxTrainRows: rows, maxTestRows: 1000 });
  const init = initArchNetwork(arch, [1, 28, 28], data.classLabels.length, 0, {
    classLabels: data.classLabels,
    featureNames: data.featureNames,
  });
  console.log(`${arch} on ${data.train.rows} MNIST training rows, ${data.test.rows} test rows, batch ${batchSize}`);
  const kernelSets: ('js' | 'wasm')[] = wasmPassAvailable() ? ['js', 'wasm'] : ['js'];
  if (kernelSets.length === 1) console.log('(the WebAssembly SIMD kernels are unavailable here: TypeScript kernels only)');
  const figures: { name: string; epoch: number; steps: number }[] = [];
  for (const kernels of kernelSets) {
    // --engine fused-js keeps the layers engine on the TypeScript kernels
    const cfg = resolveTrainConfig({
      optimizer: 'adam',
      lr: 1e-3,
      epochs,
      batchSize,
      seed: 0,
      valFraction: 0,
      engine: kernels === 'js' ? 'fused-js' : 'fused',
    });
    const r = await trainNetwork(data, cfg, { init, trainEvalRows: 0 });
    for (const h of r.history) {
      console.log(
        `${r.engine} epoch ${h.epoch}: ${h.seconds.toFixed(2)} s (training + evaluation), loss ${h.dataLoss.toFixed(4)}, test accuracy ${h.testAccuracy.toFixed(4)}`,
      );
    }
    // the training steps alone
    const engine = createLayersEngine(
      init.layers,
      [1, 28, 28],
      { x: data.train.features, y: data.train.labels, rows: data.train.rows, cols: 784, classes: 10 },
      cfg,
      { kernels },
    );
    const order = new Rng(1).permutation(data.train.rows);
    const t0 = process.hrtime.bigint();
    engine.runEpoch(order);
    const s = Number(process.hrtime.bigint() - t0) / 1e9;
    console.log(`${engine.name}: ${s.toFixed(2)} s per epoch of training steps (${((s / data.train.rows) * 1e3).toFixed(2)} ms per row)`);
    engine.dispose();
    figures.push({ name: engine.name, epoch: r.history.reduce((a, h) => a + h.seconds, 0) / r.history.length, steps: s });
  }
  for (const f of figures) {
    console.log(`${f.name}: ${f.epoch.toFixed(2)} s per epoch with evaluation, ${f.steps.toFixed(2)} s of training steps`);
  }
  if (figures.length === 2) {
    const [a, b] = figures;
    console.log(
      `${b.name} vs ${a.name}: ${(a.epoch / b.epoch).toFixed(1)}x per epoch, ${(a.steps / b.steps).toFixed(1)}x on the training steps`,
    );
  }
}

void main();
