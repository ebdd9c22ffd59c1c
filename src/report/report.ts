/**
 * The HTML report: from sweep stores and run directories to one self-contained HTML file with
 * the selection (best accuracy, sparsest within a tolerance of it, the Pareto front), the Pareto
 * plot, loss and test-accuracy curves, and a table of every run.
 *
 * Curves: every run when there are at most `maxCurves` (default 8); otherwise the chosen runs
 * and the Pareto front, fewest parameters first, up to `maxCurves`, so the plot stays readable.
 */
import { writeFileAtomic } from '../util/fs-atomic';
import {
  DEFAULT_TOLERANCE,
  paretoFront,
  rankRuns,
  selectBest,
  selectionMetric,
  sparsestWithin,
  type SelectionMetric,
} from '../sweep/select';
import type { RunRecord } from '../sweep/types';
import { accuracyCurvesSvg, lossCurvesSvg } from './curves';
import { escapeHtml, htmlFigure, htmlPage, htmlTable, type HtmlRow } from './html';
import { paretoSvg, type ChosenPoint, type ParetoPoint } from './pareto-plot';
import { sizePathSvg, type SizePathPoint } from './size-path-plot';
import { penaltyOf, RUN_COLUMNS, RUN_NUMERIC_COLUMNS, runCells, runLabel } from './run-format';
import { loadReportInputs, type SourceInfo } from './sources';
import { summaryScore } from '../network/tasks';

export interface ReportOptions {
  /** Accuracy tolerance of the sparsest-within selection, a fraction (0.005 = half a point). */
  tolerance?: number;
  /** Most runs drawn in the curve plots. */
  maxCurves?: number;
  title?: string;
  /** Shown in the header; default now. */
  generatedAt?: string;
}

export interface ReportModel {
  title: string;
  generatedAt: string;
  sources: SourceInfo[];
  runs: RunRecord[];
  /** What the runs were chosen by: validation score, or test score with a note (selectionMetric). */
  selectedBy: SelectionMetric;
  best: RunRecord | null;
  sparsest: RunRecord | null;
  tolerance: number;
  front: RunRecord[];
  /** Runs drawn in the curve plots. */
  curveRuns: RunRecord[];
  /** Size paths among the sources, plotted each as accuracy against parameters. */
  paths?: { path: string; stops: SizePathPoint[] }[];
}

export const DEFAULT_MAX_CURVES = 8;

export function buildReportModel(
  inputs: { runs: RunRecord[]; sources: SourceInfo[]; paths?: { path: string; stops: SizePathPoint[] }[] },
  o: ReportOptions = {},
): ReportModel {
  const tolerance = o.tolerance ?? DEFAULT_TOLERANCE;
  const maxCurves = Math.max(1, o.maxCurves ?? DEFAULT_MAX_CURVES);
  const runs = inputs.runs;
  const selectedBy = selectionMetric(runs);
  const best = selectBest(runs, selectedBy.key);
  const sparsest = sparsestWithin(runs, tolerance, selectedBy.key);
  const front = paretoFront(runs, selectedBy.key);
  let curveRuns: RunRecord[];
  if (runs.length <= maxCurves) curveRuns = runs;
  else {
    const picked = new Map<string, RunRecord>();
    for (const r of [best, sparsest, ...front]) if (r && picked.size < maxCurves) picked.set(r.id, r);
    curveRuns = [...picked.values()];
  }
  return {
    title: o.title ?? 'gs-compress report',
    generatedAt: o.generatedAt ?? new Date().toISOString(),
    sources: inputs.sources,
    ...(inputs.paths ? { paths: inputs.paths } : {}),
    runs,
    selectedBy,
    best,
    sparsest,
    tolerance,
    front,
    curveRuns,
  };
}

function point(r: RunRecord): ParetoPoint {
  return { id: r.id, penalty: penaltyOf(r), nonzeroParams: r.summary.nonzeroParams, testAccuracy: summaryScore(r.summary, 'test') };
}

function chosenPoints(m: ReportModel): ChosenPoint[] {
  const out: ChosenPoint[] = [];
  if (m.best) out.push({ ...point(m.best), reason: `best ${byWhat(m)} score` });
  if (m.sparsest) {
    const reason = `sparsest within ${(100 * m.tolerance).toPrecision(2)} pt`;
    const same = out.find((c) => c.id === m.sparsest?.id);
    if (same) same.reason = `${same.reason}, ${reason}`;
    else out.push({ ...point(m.sparsest), reason });
  }
  return out;
}

/** 'validation' or 'test': the score the runs were chosen by. */
function byWhat(m: ReportModel): string {
  return m.selectedBy.key === 'val' ? 'validation' : 'test';
}

function selectionRows(m: ReportModel): HtmlRow[] {
  const rows: HtmlRow[] = [];
  if (m.best) rows.push({ cells: [`best ${byWhat(m)} score`, ...runCells(m.best)], run: m.best.id });
  if (m.sparsest)
    rows.push({
      cells: [`sparsest within ${(100 * m.tolerance).toPrecision(2)} points of the best ${byWhat(m)} score`, ...runCells(m.sparsest)],
      run: m.sparsest.id,
    });
  m.front.forEach((r, i) =>
    rows.push({ cells: [`Pareto front ${i + 1}/${m.front.length}`, ...runCells(r)], run: r.id, className: 'front' }),
  );
  return rows;
}

function sourcesHtml(sources: readonly SourceInfo[]): string {
  const items = sources.map((s) => {
    const what =
      s.kind === 'store'
        ? `results store, ${s.runs} run${s.runs === 1 ? '' : 's'}`
        : s.kind === 'path'
          ? `size path, ${s.runs} stop${s.runs === 1 ? '' : 's'}`
          : 'run directory';
    const skipped = s.skippedLines > 0 ? `; ${s.skippedLines} damaged or truncated line${s.skippedLines === 1 ? '' : 's'} skipped` : '';
    return `<li><code>${escapeHtml(s.path)}</code> (${what}${skipped})</li>`;
  });
  return `<ul class="sources">\n${items.join('\n')}\n</ul>`;
}

/** The report as one HTML string (plots rendered now). */
export async function renderReportHtml(m: ReportModel): Promise<string> {
  const parts: string[] = [];
  parts.push(`<h1>${escapeHtml(m.title)}</h1>`);
  parts.push(`<p class="meta">Generated ${escapeHtml(m.generatedAt)} from ${m.runs.length} run${m.runs.length === 1 ? '' : 's'}:</p>`);
  parts.push(sourcesHtml(m.sources));
  if (m.runs.length === 0) {
    parts.push('<p class="note">No finished runs to report.</p>');
    return htmlPage(m.title, parts.join('\n'));
  }
  const frontIds = new Set(m.front.map((r) => r.id));
  const curves = m.curveRuns.map((r) => ({ label: runLabel(r), history: r.history }));
  const [pareto, loss, acc] = await Promise.all([
    paretoSvg(m.runs.map(point), m.front.map(point), chosenPoints(m)),
    lossCurvesSvg(curves),
    accuracyCurvesSvg(curves),
  ]);
  parts.push('<section id="selection">\n<h2>Selection</h2>');
  parts.push(
    `<p class="note">Best ${byWhat(m)} score; the run with the fewest nonzero parameters within ${(100 * m.tolerance).toPrecision(2)} points of it; ` +
      `and the Pareto front (no other run scores as well on ${byWhat(m)} with as few nonzero parameters), fewest parameters first. Diverged runs never qualify. ` +
      (m.selectedBy.note
        ? `Note: ${escapeHtml(m.selectedBy.note)}.</p>`
        : 'Runs are chosen by their validation score (rows held out of the training split, never trained on); the test score is the final figure of the chosen runs.</p>'),
  );
  parts.push(
    htmlTable(
      'selection-table',
      ['chosen as', ...RUN_COLUMNS],
      selectionRows(m),
      RUN_NUMERIC_COLUMNS.map((j) => j + 1),
    ),
  );
  parts.push('</section>');
  parts.push('<section id="pareto">\n<h2>Accuracy against size</h2>');
  parts.push(
    htmlFigure(
      'plot-pareto',
      pareto,
      `Test accuracy (the final figure) against nonzero parameters (log scale), coloured by penalty; the line joins the Pareto front and the circled runs are the chosen ones, both chosen by ${byWhat(m)} score.`,
    ),
  );
  parts.push('</section>');
  if (m.paths?.length) {
    parts.push('<section id="size-paths">\n<h2>Size paths</h2>');
    for (const sp of m.paths) {
      const svg = await sizePathSvg(sp.stops, { title: `Size path ${sp.path}` });
      parts.push(
        htmlFigure(
          'plot-size-path',
          svg,
          `Test accuracy against parameters after exact pruning (log scale) at each budget of the size path in ${escapeHtml(sp.path)}; each stop warm-starts from the one before.`,
        ),
      );
    }
    parts.push('</section>');
  }
  parts.push('<section id="curves">\n<h2>Training curves</h2>');
  if (m.curveRuns.length < m.runs.length) {
    parts.push(`<p class="note">Showing ${m.curveRuns.length} of ${m.runs.length} runs: the chosen runs and the Pareto front.</p>`);
  }
  parts.push(htmlFigure('plot-loss', loss, 'Data loss (solid) and data loss + penalty (dashed) per epoch.'));
  parts.push(htmlFigure('plot-accuracy', acc, 'Test accuracy per epoch.'));
  parts.push('</section>');
  parts.push('<section id="runs">\n<h2>All runs</h2>');
  const sorted = rankRuns(m.runs, m.selectedBy.key);
  const rows: HtmlRow[] = sorted.map((r) => ({
    cells: [...runCells(r), frontIds.has(r.id) ? 'yes' : '', r.summary.diverged ? 'yes' : ''],
    run: r.id,
    className: r.summary.diverged ? 'diverged' : frontIds.has(r.id) ? 'front' : undefined,
  }));
  parts.push(htmlTable('runs-table', [...RUN_COLUMNS, 'on front', 'diverged'], rows, RUN_NUMERIC_COLUMNS));
  parts.push('</section>');
  return htmlPage(m.title, parts.join('\n'));
}

/** Read the sources, select and render: the report's HTML and the model it shows. */
export async function buildReport(paths: readonly string[], o: ReportOptions = {}): Promise<{ html: string; model: ReportModel }> {
  const model = buildReportModel(loadReportInputs(paths), o);
  return { html: await renderReportHtml(model), model };
}

/** Write the report atomically. */
export function writeReport(file: string, html: string): void {
  writeFileAtomic(file, html);
}
