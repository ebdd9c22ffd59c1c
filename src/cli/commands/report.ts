/** `gs-compress report`: one self-contained HTML report (plots and tables) from sweep stores and run directories. */
import * as path from 'path';
import type { Argv, CommandModule } from 'yargs';
import { GsError } from '../../errors';
import { buildReport, defaultReportFile, writeReport } from '../../report';
import { DEFAULT_MAX_CURVES } from '../../report/report';
import { runCells, RUN_COLUMNS } from '../../report/run-format';
import { DEFAULT_TOLERANCE } from '../../sweep/select';
import { formatTable } from '../table';
import { prepareOutputFile } from '../../util/output-path';

interface ReportArgs {
  sources: string[];
  out?: string;
  tolerance: number;
  'max-curves': number;
  title?: string;
  json: boolean;
}

export const reportCommand: CommandModule<object, ReportArgs> = {
  command: 'report <sources..>',
  describe: 'Write an HTML report (Pareto plot, loss and accuracy curves, selection and run tables) from sweep stores and run directories',
  builder: (y: Argv) =>
    y
      .positional('sources', {
        type: 'string',
        array: true,
        describe: 'results.jsonl files, sweep folders holding one, or run directories (gs-compress train --out)',
      })
      .option('out', {
        type: 'string',
        describe:
          'The HTML file to write (atomically); default report.html in the run or sweep folder (several sources: their common folder)',
      })
      .option('tolerance', {
        type: 'number',
        default: DEFAULT_TOLERANCE,
        describe: 'Accuracy tolerance of "sparsest within", a fraction (0.005 = half a point)',
      })
      .option('max-curves', {
        type: 'number',
        default: DEFAULT_MAX_CURVES,
        describe: 'Most runs drawn in the curve plots (beyond it: the chosen runs and the Pareto front)',
      })
      .option('title', { type: 'string', describe: 'Title of the report' })
      .option('json', { type: 'boolean', default: false, describe: 'Print one JSON object (file written, selection) instead of text' })
      .example('$0 report sweeps/mnist/results.jsonl --out mnist.html', 'a sweep')
      .example('$0 report runs/mnist-gl runs/mnist-l1 --out runs.html', 'a few run directories') as unknown as Argv<ReportArgs>,
  handler: async (a) => {
    if (!(a.tolerance >= 0)) throw new GsError('BAD_OPTION', `--tolerance must be a number >= 0, got ${a.tolerance}`);
    if (!(Number.isInteger(a['max-curves']) && a['max-curves'] >= 1))
      throw new GsError('BAD_OPTION', `--max-curves must be a positive integer, got ${a['max-curves']}`);
    const out = a.out ?? shortPath(defaultReportFile(a.sources));
    prepareOutputFile(out, { option: a.out ? '--out' : undefined });
    const { html, model } = await buildReport(a.sources, { tolerance: a.tolerance, maxCurves: a['max-curves'], title: a.title });
    writeReport(out, html);
    if (a.json) {
      process.stdout.write(
        `${JSON.stringify({
          out,
          runs: model.runs.length,
          sources: model.sources,
          best: model.best?.id ?? null,
          sparsest: model.sparsest?.id ?? null,
          tolerance: model.tolerance,
          front: model.front.map((r) => r.id),
        })}\n`,
      );
      return;
    }
    for (const s of model.sources) {
      if (s.skippedLines > 0) process.stderr.write(`warning: ${s.path}: skipped ${s.skippedLines} damaged or truncated line(s)\n`);
    }
    const rows = [
      ...(model.best ? [['best accuracy', ...runCells(model.best)]] : []),
      ...(model.sparsest ? [[`sparsest within ${model.tolerance}`, ...runCells(model.sparsest)]] : []),
      ...model.front.map((r, i) => [`front ${i + 1}/${model.front.length}`, ...runCells(r)]),
    ];
    if (rows.length) process.stdout.write(`${formatTable(['chosen as', ...RUN_COLUMNS], rows)}\n\n`);
    process.stdout.write(
      `wrote ${out}: ${model.runs.length} run${model.runs.length === 1 ? '' : 's'} from ${model.sources.length} source${model.sources.length === 1 ? '' : 's'}\n`,
    );
  },
};

/** A path relative to the working folder when it lies inside it, else absolute. */
function shortPath(abs: string): string {
  const rel = path.relative(process.cwd(), abs);
  return rel && !rel.startsWith('..') && !path.isAbsolute(rel) ? rel : abs;
}
