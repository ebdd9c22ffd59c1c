/** `gs-compress quickstart`: the whole product on MNIST in one command (train, prune, export, verify). */
import type { CommandModule } from 'yargs';
import { GsError } from '../../errors';
import { formatPruneReport } from '../../prune';
import { QUICKSTART_CONFIG, QUICKSTART_FINETUNE_EPOCHS, runQuickstart } from '../../pipeline/quickstart';
import { formatHistory } from '../history-table';
import { ProgressBar } from '../progress';
import { formatVerification } from '../verify-format';
import { forceOption, type ForceArgs } from '../output-options';
import { prepareOutputDir } from '../../util/output-path';

interface QuickstartArgs extends ForceArgs {
  out: string;
  epochs?: number;
  'train-rows'?: number;
}

export const quickstartCommand: CommandModule<object, QuickstartArgs> = {
  command: 'quickstart',
  describe: 'Train on MNIST with group lasso, prune, export model.onnx and verify it (a few minutes)',
  builder: (y) =>
    forceOption(y)
      .option('out', { type: 'string', default: 'gs-quickstart', describe: 'Folder for the run and model.onnx' })
      .option('epochs', { type: 'number', describe: `Epochs (default ${QUICKSTART_CONFIG.epochs})` })
      .option('train-rows', { type: 'number', describe: 'Train on a seeded subset of MNIST of this many rows (faster, less accurate)' })
      .epilogue(
        `Setting: MNIST 784-${QUICKSTART_CONFIG.hidden?.join('-')}-10, ${QUICKSTART_CONFIG.optimizer} lr ${QUICKSTART_CONFIG.lr}, ` +
          `${QUICKSTART_CONFIG.penalty} lambda ${QUICKSTART_CONFIG.lambda} (${QUICKSTART_CONFIG.solver} solver), batch ${QUICKSTART_CONFIG.batchSize}, ` +
          `then exact pruning and ${QUICKSTART_FINETUNE_EPOCHS} epochs of fine-tuning without the penalty. ` +
          'Then: gs-compress inspect <out>/model.onnx',
      ),
  handler: async (a) => {
    const outDir = prepareOutputDir(a.out, { option: '--out', force: a.force });
    if (outDir.existed && a.force) process.stderr.write(`replacing the run and model.onnx in ${a.out} (--force)\n`);
    const bar = new ProgressBar();
    const epochs = a.epochs ?? QUICKSTART_CONFIG.epochs;
    process.stderr.write(`gs-compress quickstart: MNIST, group lasso, ${epochs} epochs; writing to ${a.out}/\n`);
    const r = await runQuickstart(
      { outDir: a.out, config: a.epochs ? { epochs: a.epochs } : {}, data: { data: 'mnist', maxTrainRows: a['train-rows'] } },
      {
        onProgress: (e, done, total) => bar.update(`epoch ${e}/${epochs}`, done, total),
        onEpoch: (rec) =>
          bar.log(
            `${rec.phase === 'finetune' ? 'fine-tune ' : ''}epoch ${rec.epoch}/${rec.phase === 'finetune' ? QUICKSTART_FINETUNE_EPOCHS : epochs}  test acc ${rec.testAccuracy.toFixed(4)}  zero params ${rec.zeroParams}/${rec.totalParams}  alive units ${rec.aliveUnits.join(',')}  inputs ${rec.aliveInputs}  ${rec.seconds.toFixed(1)}s`,
          ),
      },
    );
    bar.clear();
    process.stdout.write(`\nTraining (${r.train.engine}, ${r.train.trainSeconds.toFixed(1)} s)\n${formatHistory(r.train.history)}\n\n`);
    process.stdout.write(`${formatPruneReport(r.pruning)}\n\n`);
    process.stdout.write(`wrote ${r.onnxPath} (${r.compress.onnxBytes} bytes); run saved in ${r.runDir}\n`);
    if (r.compress.verification) process.stdout.write(`${formatVerification(r.compress.verification)}\n`);
    if (r.compress.verification && !r.compress.verification.ok) {
      throw new GsError('VERIFY_FAILED', 'the exported model does not reproduce the trained network');
    }
    process.stdout.write(`\nNext: gs-compress inspect ${r.onnxPath}\n`);
  },
};
