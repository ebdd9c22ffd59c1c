/** `gs-compress experiment`: paper experiments that need no network training (group-design: Section 3.5, Figure 3). */
import type { Argv, CommandModule } from 'yargs';
import { GsError } from '../../errors';
import { describeDesign, GROUP_DESIGN_DEFAULTS, groupDesignTable, runGroupDesign, writeGroupDesign } from '../../experiment';
import { ProgressBar } from '../progress';
import { formatTable } from '../table';
import { prepareOutputDir } from '../../util/output-path';

interface ExperimentArgs {
  name: string;
  out: string;
  seeds: number;
  'first-seed': number;
  features: number;
  'group-size': number;
  support: number;
  samples: number;
  noise: number;
  ratios: string;
  json: boolean;
}

const D = GROUP_DESIGN_DEFAULTS;

function parseRatios(s: string): number[] {
  const r = s.split(',').map((t) => Number(t.trim()));
  if (r.length === 0 || r.some((v) => !(v >= 1) || !Number.isFinite(v)))
    throw new GsError('BAD_OPTION', `--ratios must be comma-separated numbers >= 1, got "${s}"`);
  return r;
}

function positiveInt(name: string, v: number): number {
  if (!(Number.isInteger(v) && v >= 1)) throw new GsError('BAD_OPTION', `--${name} must be a positive integer, got ${v}`);
  return v;
}

export const experimentCommand: CommandModule<object, ExperimentArgs> = {
  command: 'experiment <name>',
  describe:
    'Run a paper experiment without network training; group-design: group lasso against lasso as the cover ratio of a group-sparse regression varies (Section 3.5, Figure 3)',
  builder: (y: Argv) =>
    y
      .positional('name', { type: 'string', choices: ['group-design'], describe: 'The experiment' })
      .option('out', {
        type: 'string',
        default: 'gs-group-design',
        describe: 'Folder for group-design.md, group-design.json and group-design.svg',
      })
      .option('seeds', { type: 'number', default: D.seeds, describe: 'Problems drawn per cover ratio (errors are averaged)' })
      .option('first-seed', { type: 'number', default: D.firstSeed, describe: 'Seeds are first-seed .. first-seed + seeds - 1' })
      .option('features', { type: 'number', default: D.p, describe: 'p, features (a multiple of --group-size)' })
      .option('group-size', { type: 'number', default: D.groupSize, describe: 'g, features per group' })
      .option('support', { type: 'number', default: D.k, describe: 'k, nonzeros of the true weights' })
      .option('samples', { type: 'number', default: D.samples, describe: 'n, training rows (as many again for validation)' })
      .option('noise', { type: 'number', default: D.noise, describe: 'Standard deviation of the label noise' })
      .option('ratios', {
        type: 'string',
        default: D.coverRatios.join(','),
        describe: 'Cover ratios (groups touched x group size / k), rounded to whole groups',
      })
      .option('json', { type: 'boolean', default: false, describe: 'Print the result as JSON instead of the table' })
      .example('$0 experiment group-design', 'the default design (a few seconds)')
      .example('$0 experiment group-design --seeds 20 --out fig3', 'more seeds') as unknown as Argv<ExperimentArgs>,
  handler: async (a) => {
    if (!(a.noise >= 0)) throw new GsError('BAD_OPTION', `--noise must be >= 0, got ${a.noise}`);
    // its three files are replaced on a second run: only the folder's writability is checked
    prepareOutputDir(a.out, { option: '--out', allowExisting: true });
    const samples = positiveInt('samples', a.samples);
    const options = {
      p: positiveInt('features', a.features),
      groupSize: positiveInt('group-size', a['group-size']),
      k: positiveInt('support', a.support),
      samples,
      validationSamples: samples,
      noise: a.noise,
      coverRatios: parseRatios(a.ratios),
      seeds: positiveInt('seeds', a.seeds),
      firstSeed: a['first-seed'],
    };
    const bar = new ProgressBar(!a.json && Boolean(process.stderr.isTTY));
    const result = runGroupDesign(options, (done, total) => bar.update('group-design', done, total));
    bar.clear();
    const files = await writeGroupDesign(a.out, result);
    if (a.json) {
      process.stdout.write(
        `${JSON.stringify({ files, options: result.options, rows: result.rows.map(({ trials: _t, ...row }) => row), seconds: result.seconds })}\n`,
      );
      return;
    }
    const { header, rows } = groupDesignTable(result);
    process.stdout.write(`${describeDesign(result)}\n\n${formatTable(header, rows)}\n\n`);
    process.stdout.write(`wrote ${files.markdown}, ${files.json}, ${files.svg} (${result.seconds.toFixed(1)} s)\n`);
  },
};
