/**
 * The importer table and its entry point: a user's model file (ONNX, or a tfjs LayersModel's
 * model.json) to an ImportedModel. The importer is chosen by file name; a file no importer
 * accepts is refused listing what is supported.
 */
import * as fs from 'fs';
import { GsError } from '../errors';
import type { TaskName } from '../network/tasks';
import { outputCount } from '../network/forward';
import { importOnnx } from './onnx-import';
import { importTfjs } from './tfjs-import';
import type { ImportedModel, Importer } from './types';

export const IMPORTERS: Importer[] = [
  {
    name: 'onnx',
    describe: 'ONNX (.onnx) from torch.onnx.export, tf2onnx / keras2onnx or skl2onnx',
    short: 'ONNX',
    file: '.onnx',
    accepts: (file) => /\.onnx$/i.test(file),
    read: (file) => importOnnx(file),
  },
  {
    name: 'tfjs-layers',
    describe:
      'tfjs LayersModel (model.json + weight shards, as tensorflowjs_converter writes from Keras, or gs-compress prune --export-tfjs)',
    short: 'tfjs LayersModel',
    file: 'a tfjs model.json',
    accepts: (file) => /\.json$/i.test(file) || (fs.existsSync(file) && fs.statSync(file).isDirectory()),
    read: (file) => importTfjs(fs.existsSync(file) && fs.statSync(file).isDirectory() ? `${file.replace(/[\\/]+$/, '')}/model.json` : file),
  },
];

/** Reads a model file with the importer that accepts it. `task`: what the user says the model is
 * ('regression' for a linear output trained on squared error, when the graph alone cannot tell). */
/** The importers' short names, for one-line descriptions: "ONNX, tfjs LayersModel". */
export function importerNames(): string {
  return IMPORTERS.map((i) => i.short).join(', ');
}

export function importModel(file: string, opts: { task?: TaskName } = {}): ImportedModel {
  const imp = IMPORTERS.find((i) => i.accepts(file));
  if (!imp) {
    throw new GsError(
      'BAD_OPTION',
      `${file}: not a model file gs-compress can import; expected ${IMPORTERS.map((i) => i.describe).join('; or ')}`,
    );
  }
  if (!fs.existsSync(file)) throw new GsError('NOT_FOUND', `${file} not found`);
  const m = imp.read(file);
  const outputs = outputCount(m.network);
  if (m.regressor && opts.task === 'classification') {
    throw new GsError(
      'BAD_OPTION',
      `${file}: --task classification contradicts the model, a ${m.producer} regressor (output ${m.outputName})`,
    );
  }
  if (opts.task === 'regression' || m.regressor) return asRegressor(file, m, outputs);
  if (outputs === 1 && m.outputForm === 'logits') {
    throw new GsError(
      'BAD_MODEL',
      `${file}: the model has a single linear output (a regressor?); give --task regression to import it as one (classifiers need two or more outputs: logits, Softmax or LogSoftmax)`,
    );
  }
  return m;
}

/** The imported model as a regressor: its linear outputs are the predictions, one target each. */
function asRegressor(file: string, m: ImportedModel, outputs: number): ImportedModel {
  if (m.outputForm !== 'logits') {
    throw new GsError(
      'BAD_MODEL',
      `${file}: --task regression needs a linear output, but the model ends in ${m.outputForm === 'softmax' ? 'Softmax' : 'LogSoftmax'} (a classifier)`,
    );
  }
  const name = m.outputName || 'prediction';
  const targets = outputs === 1 ? [name] : Array.from({ length: outputs }, (_, j) => `${name}[${j}]`);
  return {
    ...m,
    network: { ...m.network, task: 'regression', classLabels: targets },
    notes: [...m.notes, `linear output read as a regression (${outputs} target${outputs === 1 ? '' : 's'}: ${targets.join(', ')})`],
  };
}

export { importOnnx, SUPPORTED_ONNX_OPS } from './onnx-import';
export { importTfjs, SUPPORTED_TFJS_LAYERS } from './tfjs-import';
export { assembleSteps } from './assemble';
export type { ImportStep, ImportedModel, Importer, OriginalModel } from './types';
