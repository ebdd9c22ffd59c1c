/** `gs-compress prune RUN`: remove dead units, export the compact network to ONNX and verify it. */
import type { CommandModule } from 'yargs';
import { GsError } from '../../errors';
import { compressRun } from '../../pipeline/compress';
import { baseExportFormats, DEFAULT_EXPORT_FORMAT, EXPORT_FORMATS, exportFormat } from '../../pipeline/export-formats/table';
import { formatPruneReport, formatStartLine } from '../../prune';
import { dataOptions, dataSpec, type DataArgs } from '../data-options';
import { exportOptions, givenPath, type ExportArgs } from '../export-options';
import { formatVerification } from '../verify-format';
import { fmtRmse } from '../history-table';
import { sayReplaced } from '../output-options';
import { prepareOutputDir, prepareOutputFile } from '../../util/output-path';

interface PruneArgs extends DataArgs, ExportArgs {
  run: string;
  threshold?: number;
  'max-accuracy-drop': number;
  verify: boolean;
  json: boolean;
  'allow-constant': boolean;
}

export const pruneCommand: CommandModule<object, PruneArgs> = {
  command: 'prune <run>',
  describe: 'Remove dead units and inputs of a trained run (exact), export to ONNX and verify with onnxruntime',
  builder: (y) =>
    exportOptions(
      dataOptions(y).positional('run', {
        type: 'string',
        demandOption: true,
        describe: 'Run directory written by gs-compress train --out',
      }),
    )
      .option('max-accuracy-drop', {
        type: 'number',
        default: 0.5,
        group: 'Verification:',
        describe: 'With --quantize: fail when test accuracy falls by more than this many percentage points against the float network',
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
      .example(
        '$0 prune runs/mnist-gl --export mnist-int8.onnx --quantize int8',
        'lossy: int8 weights, at most 0.5 points of accuracy lost',
      )
      .example('$0 prune runs/mnist-gl --threshold 1e-3 --export mnist.onnx', 'lossy: also drop groups with norm <= 1e-3'),
  handler: async (a) => {
    if (a.threshold !== undefined && !(a.threshold >= 0))
      throw new GsError('BAD_OPTION', `--threshold ${a.threshold}: expected a number >= 0`);
    if (!(a['max-accuracy-drop'] >= 0 && a['max-accuracy-drop'] <= 100))
      throw new GsError('BAD_OPTION', `--max-accuracy-drop ${a['max-accuracy-drop']}: expected percentage points between 0 and 100`);
    // the exports asked for, by the table: each base format's path option, --quantize picking a variant
    const variant = a.quantize ? EXPORT_FORMATS.find((f) => f.quantize === a.quantize) : undefined;
    if (variant && !givenPath(a, variant)) throw new GsError('BAD_OPTION', `--quantize needs --${variant.option} FILE.onnx`);
    const asked = baseExportFormats().flatMap((base) => {
      const given = givenPath(a, base);
      return given ? [{ format: variant?.option === base.option ? variant : base, path: given }] : [];
    });
    // outputs checked before the work (an export may replace a file: said, not refused)
    const prepared = asked.map((e) =>
      e.format.target === 'file'
        ? prepareOutputFile(e.path, { option: `--${e.format.option}` })
        : prepareOutputDir(e.path, { option: `--${e.format.option}`, allowExisting: true }),
    );
    const useData = Boolean(a.data || a.train);
    // a line per step on a TTY (prune takes seconds; piped, its output stays as it was)
    const status = (s: string) => (a.json || !process.stderr.isTTY ? undefined : process.stderr.write(`${s}\n`));
    const r = await compressRun(a.run, {
      onStatus: status,
      threshold: a.threshold,
      exports: asked.map((e) => ({ format: e.format.name, path: e.path })),
      compactInput: a['compact-input'],
      maxAccuracyDrop: a['max-accuracy-drop'] / 100,
      data: useData ? dataSpec(a) : undefined,
      skipVerify: !a.verify,
      allowConstant: a['allow-constant'],
    });
    asked.forEach((e, i) => e.format.target === 'file' && sayReplaced(prepared[i], e.path));
    if (a.json) {
      const { pruned, exports, ...rest } = r;
      process.stdout.write(`${JSON.stringify(rest)}\n`);
    } else {
      process.stdout.write(`${formatPruneReport(r.report)}\n`);
      if (r.started) process.stdout.write(`${formatStartLine(r.started, r.report)}\n`);
      if (r.accuracyBefore !== null && r.accuracyAfter !== null) {
        const cost = r.report.lossy ? ` (lossy pruning cost ${(100 * (r.accuracyBefore - r.accuracyAfter)).toFixed(2)} points)` : '';
        process.stdout.write(
          `test accuracy: trained ${(100 * r.accuracyBefore).toFixed(2)}%, pruned ${(100 * r.accuracyAfter).toFixed(2)}%${cost}\n`,
        );
      }
      if (r.rmseBefore != null && r.rmseAfter != null) {
        const r2 = (v: number | null | undefined) => (v == null ? '-' : v.toFixed(4));
        process.stdout.write(
          `test RMSE: trained ${fmtRmse(r.rmseBefore)}, pruned ${fmtRmse(r.rmseAfter)}; R^2: trained ${r2(r.r2Before)}, pruned ${r2(r.r2After)}\n`,
        );
      }
      for (const e of r.exports) if (e.written) process.stdout.write(`${exportFormat(e.format).wroteLine(e, e.given)}\n`);
      if (r.verifiedOn === 'random rows') {
        process.stdout.write(
          `the run records no data: checked the export against the ${r.report.lossy ? 'thresholded' : 'unpruned'} network on ${r.verification?.rows} random rows (exact pruning needs no data; --data checks on real rows and reports accuracy)\n`,
        );
      }
      if (r.verification) process.stdout.write(`${formatVerification(r.verification)}\n`);
      if (!givenPath(a, DEFAULT_EXPORT_FORMAT))
        process.stdout.write(`(nothing exported: add --${DEFAULT_EXPORT_FORMAT.option} model.onnx)\n`);
    }
    if (r.verification && !r.verification.ok) {
      const v = r.verification;
      throw new GsError(
        'VERIFY_FAILED',
        (v.regression && v.mode === 'lossy'
          ? `the ${a.quantize} model's test RMSE ${fmtRmse(v.regression.onnxRmse ?? NaN)} is more than ${(100 * (v.regression.maxRmseIncrease ?? 0)).toFixed(1)}% above the float model's ${fmtRmse(v.regression.referenceRmse ?? NaN)}`
          : v.mode === 'lossy'
            ? `the ${a.quantize} model loses ${(100 * ((v.referenceAccuracy ?? 0) - (v.onnxAccuracy ?? 0))).toFixed(2)} points of test accuracy, more than --max-accuracy-drop ${a['max-accuracy-drop']}`
            : `the ONNX model does not reproduce the ${r.report.lossy ? 'thresholded' : 'trained'} network (see above)`) +
          (r.notWritten ? `; nothing was written to ${givenPath(a, DEFAULT_EXPORT_FORMAT)} (the unverified model was not kept)` : ''),
      );
    }
  },
};
