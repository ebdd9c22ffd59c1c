/** `gs-compress prune RUN`: remove dead units, export the compact network to ONNX and verify it. */
import type { CommandModule } from 'yargs';
import { GsError } from '../../errors';
import { compressRun } from '../../pipeline/compress';
import { formatPruneReport } from '../../prune';
import { dataOptions, dataSpec, type DataArgs } from '../data-options';
import { formatVerification } from '../verify-format';

interface PruneArgs extends DataArgs {
  run: string;
  export?: string;
  'compact-input': boolean;
  'export-tfjs'?: string;
  threshold?: number;
  verify: boolean;
  json: boolean;
  'allow-constant': boolean;
}

export const pruneCommand: CommandModule<object, PruneArgs> = {
  command: 'prune <run>',
  describe: 'Remove dead units and inputs of a trained run (exact), export to ONNX and verify with onnxruntime',
  builder: (y) =>
    dataOptions(y)
      .positional('run', { type: 'string', demandOption: true, describe: 'Run directory written by gs-compress train --out' })
      .option('export', {
        type: 'string',
        group: 'Output:',
        describe: 'Write the compact network as ONNX to this file (it takes the raw features, scaling folded in)',
      })
      .option('compact-input', {
        type: 'boolean',
        default: false,
        group: 'Output:',
        describe: 'ONNX input holds only the kept features (listed in its metadata) instead of all columns',
      })
      .option('export-tfjs', {
        type: 'string',
        group: 'Output:',
        describe: 'Also write the compact network as a tfjs LayersModel run directory',
      })
      .option('threshold', {
        type: 'number',
        group: 'Pruning:',
        describe: 'LOSSY, opt-in: first zero every group (and bias) whose norm is <= this; the accuracy cost is reported',
      })
      .option('verify', {
        type: 'boolean',
        default: true,
        group: 'Verification:',
        describe: "Check the ONNX model against the trained network on the run's test split (or --data); --no-verify skips it",
      })
      .option('json', { type: 'boolean', default: false, group: 'Output:', describe: 'Print one JSON object instead of tables' })
      .option('allow-constant', {
        type: 'boolean',
        default: false,
        group: 'Output:',
        describe: 'Export even when every input or every unit of a hidden layer was removed (the model then predicts one constant class)',
      })
      .example('$0 prune runs/mnist-gl --export mnist.onnx', "exact pruning, ONNX export and verification on the run's test split")
      .example('$0 prune runs/mnist-gl --threshold 1e-3 --export mnist.onnx', 'lossy: also drop groups with norm <= 1e-3') as never,
  handler: async (a) => {
    if (a.threshold !== undefined && !(a.threshold >= 0))
      throw new GsError('BAD_OPTION', `--threshold ${a.threshold}: expected a number >= 0`);
    const useData = Boolean(a.data || a.train);
    const r = await compressRun(a.run, {
      threshold: a.threshold,
      exportPath: a.export,
      compactInput: a['compact-input'],
      exportTfjsDir: a['export-tfjs'],
      data: useData ? dataSpec(a) : undefined,
      skipVerify: !a.verify,
      allowConstant: a['allow-constant'],
    });
    if (a.json) {
      // eslint-disable-next-line @typescript-eslint/no-unused-vars
      const { pruned, ...rest } = r;
      process.stdout.write(`${JSON.stringify(rest)}\n`);
    } else {
      process.stdout.write(`${formatPruneReport(r.report)}\n`);
      if (r.accuracyBefore !== null && r.accuracyAfter !== null) {
        const cost = r.report.lossy ? ` (lossy pruning cost ${(100 * (r.accuracyBefore - r.accuracyAfter)).toFixed(2)} points)` : '';
        process.stdout.write(
          `test accuracy: trained ${(100 * r.accuracyBefore).toFixed(2)}%, pruned ${(100 * r.accuracyAfter).toFixed(2)}%${cost}\n`,
        );
      }
      if (r.onnxPath) process.stdout.write(`wrote ${r.onnxPath} (${r.onnxBytes} bytes)\n`);
      if (a['export-tfjs']) process.stdout.write(`wrote tfjs LayersModel to ${a['export-tfjs']}\n`);
      if (r.verification) process.stdout.write(`${formatVerification(r.verification)}\n`);
      if (!a.export) process.stdout.write('(nothing exported: add --export model.onnx)\n');
    }
    if (r.verification && !r.verification.ok) {
      throw new GsError(
        'VERIFY_FAILED',
        `the ONNX model does not reproduce the ${r.report.lossy ? 'thresholded' : 'trained'} network (see above)`,
      );
    }
  },
};
