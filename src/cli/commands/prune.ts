/** `gs-compress prune RUN`: remove dead units, export the compact network to ONNX and verify it. */
import * as path from 'path';
import type { CommandModule } from 'yargs';
import { onnxManifestPath } from '../../network/manifest';
import { GsError } from '../../errors';
import { QUANTIZE_CHOICES, type Quantize } from '../../onnx/quantize';
import { compressRun } from '../../pipeline/compress';
import { formatPruneReport, formatStartLine } from '../../prune';
import { dataOptions, dataSpec, type DataArgs } from '../data-options';
import { formatVerification } from '../verify-format';
import { fmtRmse } from '../history-table';
import { sayReplaced } from '../output-options';
import { prepareOutputDir, prepareOutputFile } from '../../util/output-path';

interface PruneArgs extends DataArgs {
  run: string;
  export?: string;
  'compact-input': boolean;
  'export-tfjs'?: string;
  threshold?: number;
  quantize?: string;
  'max-accuracy-drop': number;
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
      .option('quantize', {
        type: 'string',
        choices: QUANTIZE_CHOICES,
        group: 'Output:',
        describe:
          'LOSSY, opt-in: int8 (weights per output channel, activations quantized per call, MatMulInteger: a quarter of the bytes, fastest in onnxruntime-web with --compact-input); int8-weights (int8 weights turned back into float32 in the graph, float compute: the same size, only the weights rounded, for inputs of very different ranges); float16 (half the bytes). Convolution weights are stored the same way and computed in float32; batch norm is folded into the convolution before it. Verified by accuracy (a regressor: by test RMSE, failing when it is more than 2% above the float one)',
      })
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
    if (a.quantize && !a.export) throw new GsError('BAD_OPTION', '--quantize needs --export FILE.onnx');
    // outputs checked before the work (an export may replace a file: said, not refused)
    const exported = a.export ? prepareOutputFile(a.export, { option: '--export' }) : null;
    if (a['export-tfjs']) prepareOutputDir(a['export-tfjs'], { option: '--export-tfjs', allowExisting: true });
    const useData = Boolean(a.data || a.train);
    // a line per step on a TTY (prune takes seconds; piped, its output stays as it was)
    const status = (s: string) => (a.json || !process.stderr.isTTY ? undefined : process.stderr.write(`${s}\n`));
    const r = await compressRun(a.run, {
      onStatus: status,
      threshold: a.threshold,
      exportPath: a.export,
      compactInput: a['compact-input'],
      quantize: (a.quantize as Quantize | undefined) ?? null,
      maxAccuracyDrop: a['max-accuracy-drop'] / 100,
      exportTfjsDir: a['export-tfjs'],
      data: useData ? dataSpec(a) : undefined,
      skipVerify: !a.verify,
      allowConstant: a['allow-constant'],
    });
    sayReplaced(exported, a.export);
    if (a.json) {
      const { pruned, ...rest } = r;
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
      if (r.onnxPath)
        process.stdout.write(`wrote ${r.onnxPath} (${r.onnxBytes} bytes) and ${path.basename(onnxManifestPath(r.onnxPath))}\n`);
      if (a['export-tfjs']) process.stdout.write(`wrote tfjs LayersModel to ${a['export-tfjs']}\n`);
      if (r.verifiedOn === 'random rows') {
        process.stdout.write(
          `the run records no data: checked the export against the ${r.report.lossy ? 'thresholded' : 'unpruned'} network on ${r.verification?.rows} random rows (exact pruning needs no data; --data checks on real rows and reports accuracy)\n`,
        );
      }
      if (r.verification) process.stdout.write(`${formatVerification(r.verification)}\n`);
      if (!a.export) process.stdout.write('(nothing exported: add --export model.onnx)\n');
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
          (r.notWritten ? `; nothing was written to ${a.export} (the unverified model was not kept)` : ''),
      );
    }
  },
};
