/**
 * The importer table and its entry point: a user's model file (ONNX, or a tfjs LayersModel's
 * model.json) to an ImportedModel. The importer is chosen by file name; a file no importer
 * accepts is refused listing what is supported.
 */
import * as fs from 'fs';
import { GsError } from '../errors';
import { importOnnx } from './onnx-import';
import { importTfjs } from './tfjs-import';
import type { ImportedModel, Importer } from './types';

export const IMPORTERS: Importer[] = [
  {
    name: 'onnx',
    describe: 'ONNX (.onnx) from torch.onnx.export, tf2onnx / keras2onnx or skl2onnx',
    accepts: (file) => /\.onnx$/i.test(file),
    read: (file) => importOnnx(file),
  },
  {
    name: 'tfjs-layers',
    describe: 'tfjs LayersModel (model.json + weight shards, as tensorflowjs_converter writes from Keras)',
    accepts: (file) => /\.json$/i.test(file) || (fs.existsSync(file) && fs.statSync(file).isDirectory()),
    read: (file) => importTfjs(fs.existsSync(file) && fs.statSync(file).isDirectory() ? `${file.replace(/[\\/]+$/, '')}/model.json` : file),
  },
];

/** Reads a model file with the importer that accepts it. */
export function importModel(file: string): ImportedModel {
  const imp = IMPORTERS.find((i) => i.accepts(file));
  if (!imp) {
    throw new GsError(
      'BAD_OPTION',
      `${file}: not a model file gs-compress can import; expected ${IMPORTERS.map((i) => i.describe).join('; or ')}`,
    );
  }
  if (!fs.existsSync(file)) throw new GsError('NOT_FOUND', `${file} not found`);
  const m = imp.read(file);
  const outputs = m.network.layers[m.network.layers.length - 1].outSize;
  if (outputs === 1 && m.outputForm === 'logits') {
    throw new GsError(
      'BAD_MODEL',
      `${file}: the model has a single linear output (a regressor?); gs-compress imports classifiers (two or more outputs: logits, Softmax or LogSoftmax) — regression import is not supported yet`,
    );
  }
  return m;
}

export { importOnnx, SUPPORTED_ONNX_OPS } from './onnx-import';
export { importTfjs, SUPPORTED_TFJS_LAYERS } from './tfjs-import';
export { assembleSteps } from './assemble';
export type { ImportStep, ImportedModel, Importer, OriginalModel } from './types';
