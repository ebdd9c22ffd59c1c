/**
 * The paper reproduction (issue #4, parts 5 and 6): for each data set, the three presets
 * (logreg, baseline, group) as resumable sweeps, the compact model of the group sweep (pruned,
 * exported to ONNX and tfjs, verified, with a model card), and once the Figure 3 group-design
 * experiment; then OUT/REPORT.md (ours beside the paper's figures, curves, Pareto plots, Figure 3,
 * wall times), OUT/figures/*.svg and OUT/<dataset>.html.
 *
 * Run: npx tsx scripts/reproduce-paper.ts [--datasets mnist,sdd,covtype] [--quick] [--workers N]
 *        [--out reports/paper] [--data-dir DIR] [--report-only]
 *
 * Resumable: sweeps skip finished runs, the group-design result and an up-to-date model are
 * kept, and the report is rebuilt from the stores, so a killed reproduction is continued by
 * running the same command again. A failing run is recorded and retried on the next invocation;
 * a failing stage is reported and the next stage runs. --quick shrinks everything for a smoke
 * test (reduced grids, 2 epochs, row limits) and writes its models to OUT/models, never models/.
 * Exit code 1 when a stage or a run failed.
 */
import * as path from 'path';
import { CATALOG_NAMES, isCatalogName, type CatalogName } from '../src/data/catalog';
import { loadDataset } from '../src/data/load';
import { GROUP_DESIGN_FILES, writeGroupDesign } from '../src/experiment/group-design-output';
import { runGroupDesign } from '../src/experiment/group-design';
import { defaultWorkers, runSweep } from '../src/sweep/run-sweep';
import { writeFileAtomic } from '../src/util/fs-atomic';
import { exportModel, modelFiles, modelsIndex, readModelRecord, type ModelRecord } from './lib/paper-models';
import { gatherDataset, readGroupDesign, sweepDir, writePaperReport } from './lib/paper-report';
import {
  dataFileHash,
  dataKey,
  dataSource,
  duration,
  groupDesignOptions,
  readStageLog,
  checkpointStage,
  recordStage,
  REPO_ROOT,
  STAGE_PRESETS,
  stageGrid,
  writeStageLog,
  type DataInfo,
  type StageLog,
} from './lib/paper-repro';
import { scriptArgs } from './lib/script-args';
import { summaryScore } from '../src/network/tasks';

const { argv, arg } = scriptArgs({
  command: 'npx tsx scripts/reproduce-paper.ts',
  describe:
    "Reproduces the paper's experiments (logistic regression, baseline and group-sparsity grids per data set), then writes the report and the committed models; long (hours) unless --quick.",
  options: [
    { name: '--datasets', value: 'LIST', describe: 'Data sets (default mnist,sdd,covtype)' },
    { name: '--quick', describe: 'A shrunken smoke run (minutes)' },
    { name: '--workers', value: 'N', describe: 'Sweep worker processes (default: the number of cores)' },
    { name: '--out', value: 'DIR', describe: 'Output folder (default reports/paper, or reports/paper-quick with --quick)' },
    { name: '--data-dir', value: 'DIR', describe: 'Where catalog data sets are found' },
    { name: '--report-only', describe: 'Rewrite the report from the stored sweeps without training' },
  ],
});
const QUICK = argv.includes('--quick');
const REPORT_ONLY = argv.includes('--report-only');
const OUT = path.resolve(arg('--out') ?? (QUICK ? path.join(REPO_ROOT, 'reports/paper-quick') : path.join(REPO_ROOT, 'reports/paper')));
const MODELS = QUICK ? path.join(OUT, 'models') : path.join(REPO_ROOT, 'models');
const DATA_DIR = arg('--data-dir');
const WORKERS = arg('--workers') !== undefined ? Number(arg('--workers')) : defaultWorkers();

function parseDatasets(): CatalogName[] {
  const list = (arg('--datasets') ?? CATALOG_NAMES.join(','))
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  for (const d of list)
    if (!isCatalogName(d))
      throw new Error(`--datasets: unknown data set ${JSON.stringify(d)}; expected some of ${CATALOG_NAMES.join(', ')}`);
  return [...new Set(list)] as CatalogName[];
}

const say = (s: string) => process.stdout.write(`${s}\n`);
const since = (t: number) => (Date.now() - t) / 1000;

/** Runs one stage: times it, records success or error in the stage log, never throws. */
async function stage(
  log: StageLog,
  key: string,
  body: (checkpoint: (ran: number) => void) => Promise<{ worked: boolean; ran?: number; failed?: { id: string; message: string }[] }>,
): Promise<boolean> {
  const t = Date.now();
  const checkpoint = (ran: number) => {
    checkpointStage(log, key, since(t), ran);
    writeStageLog(OUT, log);
  };
  try {
    const r = await body(checkpoint);
    delete log.stages[key]?.running;
    recordStage(log, key, { ...r, seconds: since(t) });
    return !(r.failed && r.failed.length > 0);
  } catch (e) {
    const message = (e as Error).message ?? String(e);
    say(`[${key}] ERROR: ${message}`);
    delete log.stages[key]?.running;
    recordStage(log, key, { seconds: since(t), worked: true, error: message });
    return false;
  } finally {
    writeStageLog(OUT, log);
  }
}

async function groupDesignStage(log: StageLog): Promise<boolean> {
  return stage(log, 'figure3/group-design', async () => {
    const options = groupDesignOptions(QUICK);
    const prev = readGroupDesign(OUT);
    if (prev && JSON.stringify(prev.options) === JSON.stringify(options)) {
      say('[figure3] group-design: already done');
      return { worked: false };
    }
    say(`[figure3] group-design: ${options.coverRatios.length} cover ratios x ${options.seeds} seed(s)`);
    let last = -1;
    const result = runGroupDesign(options, (done, total) => {
      const pct = Math.floor((10 * done) / total);
      if (pct !== last) say(`[figure3] group-design ${done}/${total}`);
      last = pct;
    });
    await writeGroupDesign(path.join(OUT, 'group-design'), result);
    say(`[figure3] group-design: wrote ${path.join(OUT, 'group-design', GROUP_DESIGN_FILES.markdown)} (${result.seconds.toFixed(1)} s)`);
    return { worked: true };
  });
}

async function dataStage(log: StageLog, name: CatalogName): Promise<boolean> {
  return stage(log, `${name}/data`, async () => {
    const src = dataSource(name, QUICK, DATA_DIR);
    if (!src) throw new Error(`data set ${name} not found (no full file in the catalog's folders and no sample in ../shared/data)`);
    const key = dataKey(src.spec);
    const prev = log.data[name] as (DataInfo & { specKey?: string }) | undefined;
    if (prev && prev.specKey === key) {
      say(`[${name}] data: ${prev.describe} (${prev.trainRows}/${prev.testRows} rows)`);
      return { worked: false };
    }
    const d = await loadDataset(src.spec);
    const info: DataInfo & { specKey: string } = {
      kind: src.kind,
      location: src.location,
      describe: src.describe,
      trainRows: d.train.rows,
      testRows: d.test.rows,
      cols: d.train.cols,
      classes: d.classLabels.length,
      classLabels: d.classLabels,
      testFraction: d.ref.testFraction,
      splitSeed: d.ref.splitSeed,
      ...dataFileHash(src.spec, d.ref.kind === 'catalog' ? d.ref.path : undefined),
      specKey: key,
    };
    log.data[name] = info;
    say(
      `[${name}] data: ${src.describe}; ${info.trainRows} training / ${info.testRows} test rows, ${info.cols} features, ${info.classes} classes${src.kind === 'sample' ? ' (SAMPLE)' : ''}`,
    );
    return { worked: true };
  });
}

async function sweepStage(log: StageLog, name: CatalogName, preset: (typeof STAGE_PRESETS)[number]): Promise<boolean> {
  const key = `${name}/${preset}`;
  return stage(log, key, async (checkpoint) => {
    const src = dataSource(name, QUICK, DATA_DIR);
    if (!src) throw new Error(`no data for ${name}`);
    const grid = stageGrid(preset, src.spec, QUICK);
    const t0 = Date.now();
    let total = 0;
    let skipped = 0;
    let failedCount = 0;
    const result = await runSweep(
      { grid, out: sweepDir(OUT, name, preset), workers: WORKERS },
      {
        onStart: (s) => {
          total = s.total;
          skipped = s.skipped;
          const repaired = s.repairedLines ? `, ${s.repairedLines} damaged store line(s) dropped and redone` : '';
          say(
            `[${key}] ${s.total} configurations: ${s.skipped} already done, ${s.pending} to run on ${s.workers || 'no'} worker(s)${repaired}`,
          );
        },
        onRunDone: (r, p) => {
          const el = since(t0);
          const eta = (el / p.done) * (p.pending - p.done);
          const s = r.summary;
          checkpoint(p.done);
          say(
            `[${key}] runs ${skipped + p.done}/${total} (${r.id}: acc ${summaryScore(s, 'test').toFixed(4)}, ${s.nonzeroParams} nonzero${s.diverged ? ', diverged' : ''}) elapsed ${duration(el)} ETA ${duration(eta)}`,
          );
        },
        onRunFailed: (id, message) => {
          failedCount++;
          say(`[${key}] run ${id} FAILED: ${message.split('\n')[0]}`);
        },
      },
    );
    say(
      `[${key}] done: ${result.records.length}/${result.total} runs in the store, ${result.ran} trained now, ${failedCount} failed, ${duration(result.seconds)}`,
    );
    return { worked: result.ran > 0 || result.failed.length > 0, ran: result.ran, failed: result.failed };
  });
}

async function modelStage(log: StageLog, name: CatalogName): Promise<boolean> {
  return stage(log, `${name}/model`, async () => {
    const v = gatherDataset(OUT, name, QUICK, MODELS, DATA_DIR);
    const chosen = v.groupSparsest;
    if (!chosen || !v.source) throw new Error('the group sweep has no usable run');
    const group = v.presets.group!;
    const prev = readModelRecord(MODELS, name);
    if (prev && prev.runId === chosen.id && prev.quick === QUICK) {
      say(`[${name}/model] ${modelFiles(MODELS, name).onnx} is up to date (run ${chosen.id})`);
      return { worked: false };
    }
    const info = log.data[name];
    if (!info) throw new Error('the data stage has not run');
    const data = await loadDataset(v.source.spec);
    const m = await exportModel(name, chosen, group.storeFile, MODELS, data, info, QUICK);
    say(
      `[${name}/model] run ${chosen.id}: ${m.paramsBefore} -> ${m.paramsAfter} parameters, hidden ${m.hiddenBefore.join(',')} -> ${m.hiddenAfter.join(',')}, ` +
        `${m.keptInputs.length}/${m.inputs} inputs, test acc ${m.testAccuracy.toFixed(4)}; verified (agreement ${m.verification.agreement}); wrote ${m.onnx}, ${m.tfjsDir}/, ${modelFiles(MODELS, name).card}`,
    );
    return { worked: true };
  });
}

function writeModelsIndex(): void {
  const models = CATALOG_NAMES.map((d) => readModelRecord(MODELS, d)).filter((m): m is ModelRecord => m !== null && m.quick === QUICK);
  writeFileAtomic(path.join(MODELS, 'README.md'), modelsIndex(models, QUICK));
}

async function report(log: StageLog, datasets: CatalogName[], t0: number): Promise<void> {
  const t = Date.now();
  try {
    writeModelsIndex();
    const { file, refreshed } = await writePaperReport({
      out: OUT,
      quick: QUICK,
      modelsDir: MODELS,
      log,
      datasets,
      dataDir: DATA_DIR,
      invocationSeconds: since(t0),
    });
    say(
      refreshed
        ? `[report] no sweep stores under ${OUT}/sweeps: kept ${file} as it was and refreshed its paper column and the rows at <= 25% (${duration(since(t))})`
        : `[report] wrote ${file}, figures and HTML reports (${duration(since(t))})`,
    );
  } catch (e) {
    say(`[report] ERROR: ${(e as Error).message}`);
    throw e;
  }
}

async function main(): Promise<number> {
  const t0 = Date.now();
  const datasets = parseDatasets();
  if (!(Number.isInteger(WORKERS) && WORKERS >= 0)) throw new Error(`--workers ${arg('--workers')}: expected a whole number >= 0`);
  const log = readStageLog(OUT, QUICK);
  // --report-only rewrites the report from the stores: it keeps the command that made them
  if (!REPORT_ONLY || !log.command) log.command = `npx tsx scripts/reproduce-paper.ts ${argv.join(' ')}`.trim();
  writeStageLog(OUT, log);
  say(
    `reproduce-paper${QUICK ? ' (QUICK MODE: smoke test)' : ''}: ${datasets.join(', ')} -> ${OUT}; models -> ${MODELS}; ${WORKERS} worker(s)`,
  );
  let ok = true;
  if (!REPORT_ONLY) {
    ok = (await groupDesignStage(log)) && ok;
    for (const name of datasets) {
      const tData = Date.now();
      if (!(await dataStage(log, name))) {
        ok = false;
        continue;
      }
      for (const preset of STAGE_PRESETS) ok = (await sweepStage(log, name, preset)) && ok;
      ok = (await modelStage(log, name)) && ok;
      say(`[${name}] finished in ${duration(since(tData))}`);
      if (name !== datasets[datasets.length - 1]) await report(log, datasets, t0); // a partial report while the next data set trains
    }
  }
  await report(log, datasets, t0);
  say(
    `total wall time ${duration(since(t0))}${ok ? '' : ' — some stages or runs failed (see REPORT.md); run the same command again to retry them'}`,
  );
  return ok ? 0 : 1;
}

main().then(
  (code) => process.exit(code),
  (e) => {
    console.error(e instanceof Error ? e.message : e);
    process.exit(1);
  },
);
