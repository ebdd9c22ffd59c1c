/**
 * Rebuilds the committed models (models/<dataset>.onnx, -tfjs/, .json, .md and README.md) from the
 * sweep runs they were made from, without training: prune, export, verify, describe, as
 * scripts/reproduce-paper.ts does at its end. For when the export, the records or the card change.
 * The data each run records is found by content hash (beside the run, in the working folder or in
 * $GS_DATA_DIR); a model whose data is not found is left as it is.
 *
 * Run: npx tsx scripts/rebuild-models.ts [--models models] [--datasets mnist,sdd,covtype]
 */
import * as path from 'path';
import { loadDataset } from '../src/data/load';
import { loadRun } from '../src/network/run-io';
import { runDataSpec } from '../src/pipeline/compress';
import type { RunRecord } from '../src/sweep/types';
import { writeFileAtomic } from '../src/util/fs-atomic';
import { exportModel, modelCard, modelFiles, modelsIndex, readModelRecord, type ModelRecord } from './lib/paper-models';
import { dataFileHash, dataKey, REPO_ROOT } from './lib/paper-repro';
import { scriptArgs } from './lib/script-args';

const { arg } = scriptArgs({
  command: 'npx tsx scripts/rebuild-models.ts',
  describe:
    'Rebuilds the committed models (models/<dataset>.onnx, -tfjs/, .json, .md and README.md) from the sweep runs they were made from, without training.',
  options: [
    { name: '--models', value: 'DIR', describe: 'The models folder (default models)' },
    { name: '--datasets', value: 'LIST', describe: 'Data sets to rebuild (default mnist,sdd,covtype)' },
  ],
});
const MODELS = path.resolve(arg('--models') ?? path.join(REPO_ROOT, 'models'));
const DATASETS = (arg('--datasets') ?? 'mnist,sdd,covtype').split(',');

async function rebuild(dataset: string): Promise<ModelRecord | null> {
  const old = readModelRecord(MODELS, dataset);
  if (!old) return null;
  const runDir = path.resolve(REPO_ROOT, old.runDir);
  const spec = runDataSpec(loadRun(runDir).info, runDir);
  if (!spec) throw new Error(`${old.runDir} records no data`);
  const data = await loadDataset(spec);
  const recorded = (loadRun(runDir).info.config as { dataSpec?: Parameters<typeof dataKey>[0] }).dataSpec ?? {};
  const info = {
    ...old.data,
    ...dataFileHash(spec, data.ref.kind === 'catalog' ? data.ref.path : undefined),
    specKey: dataKey(recorded),
  };
  // The store record the model came from, as exportModel reads it (its run directory relative to the repository root).
  const record = {
    id: old.runId,
    config: { train: old.config, data: recorded },
    runDir: old.runDir,
    summary: { testAccuracy: old.testAccuracy, nonzeroParams: old.nonzeroBefore },
    history: [],
    finishedAt: old.createdAt,
  } as unknown as RunRecord;
  const m = await exportModel(dataset, record, path.join(REPO_ROOT, 'results.jsonl'), MODELS, data, info, old.quick);
  // Keep the date the model was made (its run did not change); the card says it.
  const kept: ModelRecord = { ...m, createdAt: old.createdAt };
  const files = modelFiles(MODELS, dataset);
  writeFileAtomic(files.json, `${JSON.stringify(kept, null, 1)}\n`);
  writeFileAtomic(files.card, modelCard(kept));
  process.stdout.write(
    `${dataset}: ${kept.paramsBefore} -> ${kept.paramsAfter} parameters, ONNX ${kept.onnxBytes} bytes, accuracy ${kept.onnxAccuracy}, verification ${kept.verification.ok ? 'ok' : 'FAILED'} (agreement ${kept.verification.agreement}, max diff ${kept.verification.maxProbDiff})\n`,
  );
  return kept;
}

async function main(): Promise<void> {
  const models: ModelRecord[] = [];
  for (const d of DATASETS) {
    try {
      const m = await rebuild(d);
      if (m) models.push(m);
      else process.stdout.write(`${d}: no model in ${MODELS}\n`);
    } catch (e) {
      process.stderr.write(`${d}: not rebuilt: ${(e as Error).message}\n`);
      const old = readModelRecord(MODELS, d);
      if (old) models.push(old);
    }
  }
  writeFileAtomic(
    path.join(MODELS, 'README.md'),
    modelsIndex(
      models,
      models.some((m) => m.quick),
    ),
  );
}

void main();
