/** `gs-compress quickstart`: the product's best path on MNIST in one command (train to a budget, prune, export, verify). */
import type { CommandModule } from 'yargs';
import { GsError } from '../../errors';
import { formatPruneReport, formatStartLine } from '../../prune';
import {
  holdsQuickstart,
  QUICKSTART_CONFIG,
  QUICKSTART_FINETUNE_EPOCHS,
  QUICKSTART_SECONDS,
  QUICKSTART_TARGET_RATIO,
  runQuickstart,
} from '../../pipeline/quickstart';
import type { TrainOptions } from '../../train/train';
import type { EpochRecord } from '../../train/types';
import { formatHistory } from '../history-table';
import { ProgressBar } from '../progress';
import { formatVerification } from '../verify-format';
import { forceOption, type ForceArgs } from '../output-options';
import { prepareOutputDir } from '../../util/output-path';

interface QuickstartArgs extends ForceArgs {
  out: string;
  epochs?: number;
  'finetune-epochs'?: number;
  'train-rows'?: number;
}

const pct = (ratio: number) => `${Math.round(100 * ratio)}%`;

export const quickstartCommand: CommandModule<object, QuickstartArgs> = {
  command: 'quickstart',
  describe: `Train on MNIST to ${pct(QUICKSTART_TARGET_RATIO)} of the parameters, prune, export model.onnx and verify it (about ${QUICKSTART_SECONDS} s on 2 cores)`,
  builder: (y) =>
    forceOption(y)
      .option('out', { type: 'string', default: 'gs-quickstart', describe: 'Folder for the run and model.onnx' })
      .option('epochs', { type: 'number', describe: `Epochs of training to the budget (default ${QUICKSTART_CONFIG.epochs})` })
      .option('finetune-epochs', {
        type: 'number',
        describe: `Epochs of fine-tuning the compact network (default ${QUICKSTART_FINETUNE_EPOCHS})`,
      })
      .option('train-rows', { type: 'number', describe: 'Train on a seeded subset of MNIST of this many rows (faster, less accurate)' })
      .epilogue(
        `Setting: MNIST 784-${QUICKSTART_CONFIG.hidden?.join('-')}-10 trained to ${pct(QUICKSTART_TARGET_RATIO)} of its parameters ` +
          `(as train --target-ratio ${QUICKSTART_TARGET_RATIO} with the library's defaults): ${QUICKSTART_CONFIG.epochs} epochs, half dense, ` +
          `then gradual structured pruning to the budget, then ${QUICKSTART_FINETUNE_EPOCHS} epochs of fine-tuning the compact network; ` +
          `exact pruning, ONNX export and verification with onnxruntime. About ${QUICKSTART_SECONDS} s on the 2-core development machine. ` +
          'Then: gs-compress inspect <out>/model.onnx',
      ),
  handler: async (a) => {
    // an earlier quickstart's folder is replaced without --force (running the quick start twice just works)
    const previous = holdsQuickstart(a.out);
    const outDir = prepareOutputDir(a.out, { option: '--out', force: a.force || previous });
    if (outDir.existed && (a.force || previous)) {
      process.stderr.write(
        `replacing the ${previous ? 'earlier quickstart' : 'run and model.onnx'} in ${a.out}${previous ? '' : ' (--force)'}\n`,
      );
    }
    const bar = new ProgressBar();
    const epochs = a.epochs ?? QUICKSTART_CONFIG.epochs ?? 0;
    const ftEpochs = a['finetune-epochs'] ?? QUICKSTART_FINETUNE_EPOCHS;
    process.stderr.write(
      `gs-compress quickstart: MNIST 784-${QUICKSTART_CONFIG.hidden?.join('-')}-10 to ${pct(QUICKSTART_TARGET_RATIO)} of its parameters, ` +
        `${epochs} + ${ftEpochs} fine-tune epochs; writing to ${a.out}/\n`,
    );
    const hooks = (phase: string, total: number): TrainOptions => ({
      onProgress: (e, done, all) => bar.update(`${phase}epoch ${e}/${total}`, done, all),
      onEpoch: (rec: EpochRecord) =>
        bar.log(
          `${phase}epoch ${rec.epoch}/${total}  test acc ${rec.testAccuracy.toFixed(4)}  parameters ${rec.totalParams}  units ${rec.aliveUnits.join(',')}  inputs ${rec.aliveInputs}  ${rec.seconds.toFixed(1)}s`,
        ),
    });
    const r = await runQuickstart(
      {
        outDir: a.out,
        config: a.epochs ? { epochs: a.epochs } : {},
        finetuneEpochs: ftEpochs,
        data: { data: 'mnist', maxTrainRows: a['train-rows'] },
      },
      { train: hooks('', epochs), finetune: hooks('fine-tune ', ftEpochs) },
    );
    bar.clear();
    const acc = r.compress.accuracyAfter;
    process.stdout.write(
      `\nTraining to a budget (${r.train.engine}, ${r.train.trainSeconds.toFixed(1)} s)\n${formatHistory(r.train.history)}\n\n`,
    );
    process.stdout.write(
      `budget ${r.budget.targetParams} parameters (${pct(QUICKSTART_TARGET_RATIO)} of ${r.start.params}): ` +
        `${r.targetMet ? 'met' : 'NOT met'}, ${r.budget.params} parameters` +
        `${acc !== null ? `, test accuracy ${(100 * acc).toFixed(2)}%` : ''}\n\n`,
    );
    process.stdout.write(`${formatPruneReport(r.pruning)}\n${formatStartLine(r.start, r.pruning)}\n\n`);
    process.stdout.write(`wrote ${r.onnxPath} (${r.compress.onnxBytes} bytes); run saved in ${r.runDir}\n`);
    if (r.compress.verification) process.stdout.write(`${formatVerification(r.compress.verification)}\n`);
    if (r.compress.verification && !r.compress.verification.ok) {
      throw new GsError('VERIFY_FAILED', 'the exported model does not reproduce the trained network');
    }
    process.stdout.write(`\nNext: gs-compress inspect ${r.onnxPath}\n`);
  },
};
