/**
 * `gs-compress import MODEL --out RUN`: turn a user's fully connected model (ONNX from PyTorch,
 * tf2onnx or skl2onnx; a tfjs LayersModel) into a run directory like `train --out` writes, after
 * checking the imported network against the original file on random rows (and on --data rows).
 */
import type { CommandModule } from 'yargs';
import { loadDataset } from '../../data';
import { GsError } from '../../errors';
import { IMPORTERS, importerNames } from '../../import';
import { activationLabel } from '../../network/activations';
import { layerType } from '../../network/layers/table';
import type { AnyLayer } from '../../network/types';
import { hiddenActivation, mixingWidths } from '../../pipeline/init-from';
import { parameterCount } from '../../network/create';
import { isRegression, type TaskName } from '../../network/tasks';
import { saveRun } from '../../network/run-io';
import { describeInterface } from '../../onnx/export';
import { importAndCheck, type ImportCheck } from '../../pipeline/import-check';
import { VERSION } from '../../version';
import { dataOptions, dataSpec, type DataArgs } from '../data-options';
import { UsageError } from '../usage-error';
import { forceOption, sayReplaced, type ForceArgs } from '../output-options';
import { holdsRun, prepareOutputDir } from '../../util/output-path';

interface ImportArgs extends DataArgs, ForceArgs {
  model: string;
  out: string;
  rows?: number;
  tolerance: number;
  json: boolean;
}

function describeCheck(what: string, c: ImportCheck, regression: boolean): string {
  if (regression) return `${what}: ${c.rows} rows, largest output difference ${c.maxLogitDiff?.toExponential(2)} (relative)`;
  const z = c.maxLogitDiff === null ? '' : `, logits ${c.maxLogitDiff.toExponential(2)} (relative)`;
  return `${what}: ${c.rows} rows, largest difference: probabilities ${c.maxProbabilityDiff.toExponential(2)}${z}; ${c.labelDisagreements} labels differ`;
}

export const importCommand: CommandModule<object, ImportArgs> = {
  command: 'import <model>',
  describe: `Import a model you already have, fully connected or convolutional (${importerNames()}) into a run directory, checked against the original`,
  builder: (y) =>
    forceOption(
      dataOptions(
        y.positional('model', {
          type: 'string',
          demandOption: true,
          describe: `The model file: ${IMPORTERS.map((i) => i.describe).join('; ')}`,
        }),
      ),
    )
      .option('out', { type: 'string', demandOption: true, group: 'Output:', describe: 'Run directory to write (as train --out writes)' })
      .option('rows', {
        type: 'number',
        group: 'Check:',
        describe:
          'Random rows to compare the import with the original on (default 256; fewer, down to 16, for a network of many multiply-adds)',
      })
      .option('tolerance', {
        type: 'number',
        default: 1e-5,
        group: 'Check:',
        describe: 'Largest allowed probability difference between the original and the import (logits: 10x, relative)',
      })
      .option('json', { type: 'boolean', default: false, group: 'Output:', describe: 'Print one JSON object instead of text' })
      .example('$0 import mlp.onnx --out runs/mine', 'a torch.onnx.export of an nn.Sequential MLP')
      .example('$0 import regressor.onnx --task regression --out runs/reg', 'a torch MLP ending in Linear, trained on squared error')
      .example('$0 import web_model/model.json --out runs/keras --data my.csv', 'a Keras model converted to tfjs, checked on your data too')
      .example(
        '$0 train --init runs/mine --data my.csv --penalty gl --lambda 1e-4 --out runs/sparse',
        'then fine-tune it with group sparsity',
      )
      .check((a) => {
        if (a.rows !== undefined && (!(a.rows >= 1) || !Number.isInteger(a.rows)))
          throw new UsageError(`--rows ${a.rows}: expected a positive integer`);
        return true;
      }),
  handler: async (a) => {
    if (!(a.tolerance >= 0)) throw new GsError('BAD_OPTION', `--tolerance ${a.tolerance}: expected a number >= 0`);
    const outDir = prepareOutputDir(a.out, { option: '--out', force: a.force });
    const replacing = outDir.existed && holdsRun(outDir.path);
    const status = (s: string) => {
      if (!a.json && process.stderr.isTTY) process.stderr.write(`${s}\n`);
    };
    let rows: { x: Float32Array; rows: number; cols: number } | null = null;
    let dataRef: unknown = null;
    if (a.data || a.train || a.test) {
      status('loading data...');
      const d = await loadDataset(dataSpec(a));
      const t = d.test.rows > 0 ? d.test : d.train;
      rows = { x: t.features, rows: t.rows, cols: t.cols };
      dataRef = d.ref;
    }
    status(`importing ${a.model} and checking it against the original...`);
    const task = a.task as TaskName | undefined;
    const { imported, random, data } = await importAndCheck(a.model, { randomRows: a.rows, rows, tolerance: a.tolerance, task });
    const net = imported.network;
    const summary = {
      imported: {
        format: imported.format,
        producer: imported.producer,
        outputForm: imported.outputForm,
        notes: imported.notes,
        check: { random, data },
      },
      parameters: parameterCount(net),
      // widths: the inputs, then each mixing layer's units or channels
      layers: [layerType(net.layers[0]).inChannels(net.layers[0]), ...mixingWidths(net)],
      activations: net.layers.slice(0, -1).flatMap((l) => {
        const act = hiddenActivation(l);
        return act ? [activationLabel(act)] : [];
      }),
    };
    saveRun(a.out, net, { generatedBy: `gs-compress ${VERSION}`, createdAt: new Date().toISOString(), summary });
    if (replacing) sayReplaced(outDir, a.out);
    if (a.json) {
      process.stdout.write(`${JSON.stringify({ model: a.model, out: a.out, data: dataRef, ...summary })}\n`);
      return;
    }
    const lines = [
      `imported ${a.model} (${imported.format}, ${imported.producer})`,
      `  layers ${summary.layers.join('-')}, activations ${summary.activations.join(', ') || '(none)'}, output ${isRegression(net) ? 'linear (regression)' : imported.outputForm}, ${summary.parameters} parameters`,
      `  scaling ${net.scaling ? 'in front of the first layer' : 'none'}; ${isRegression(net) ? 'regression, targets' : 'classes'} ${net.classLabels.join(', ')}`,
      ...(net.layers.some((l) => l.op !== 'dense') ? [`  ${net.layers.map(layerText).join(' -> ')}`] : []),
      ...imported.notes.map((n) => `  ${n}`),
      `  exports keep its interface: ${describeInterface(net)}`,
      `  ${describeCheck('check on random rows', random, isRegression(net))}`,
      ...(data ? [`  ${describeCheck('check on data rows', data, isRegression(net))}`] : []),
      `wrote ${a.out}`,
    ];
    process.stdout.write(`${lines.join('\n')}\n`);
  },
};

/** One layer of a convolutional network in a line of them: "conv3x3 6", "bn", "maxpool2x2", "dense 10". */
function layerText(l: AnyLayer): string {
  switch (l.op) {
    case 'conv':
      return `conv${l.kernel.join('x')} ${l.cout}`;
    case 'depthwise':
      return `depthwise${l.kernel.join('x')}`;
    case 'pool':
      return `${l.kind}pool${l.kernel.join('x')}`;
    case 'dense':
      return `dense ${l.outSize}`;
    default:
      return l.op;
  }
}
