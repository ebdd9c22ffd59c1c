/**
 * Fine-tuning from existing weights (`train --init RUN_OR_MODEL`): the starting network comes from
 * a run directory or from a user's model file (imported and checked against the original first);
 * its shape, activation, scaling and class labels win, and options that contradict them are an
 * error. The data's labels are mapped onto the network's classes, or, with labels from the model,
 * replaced by the original model's predictions (distillation into the sparse network).
 */
import * as fs from 'fs';
import * as path from 'path';
import type { SplitDataset, Table } from '../data/types';
import { GsError } from '../errors';
import { activationLabel, activationOf, parseActivation, type Activation } from '../network/activations';
import { argmaxRows, logits, outputCount } from '../network/forward';
import { layerType } from '../network/layers/table';
import { RUN_FILE, loadRun } from '../network/run-io';
import { isRegression, taskOf, type TaskName } from '../network/tasks';
import type { AnyLayer, Network } from '../network/types';
import { mapLabels } from '../onnx/verify';
import type { ImportedModel } from '../import/types';
import { importAndCheck, runOriginal } from './import-check';

export interface InitSource {
  network: Network<AnyLayer>;
  /** 'run' for a run directory, else the importer's format. */
  kind: string;
  /** The imported model when the source was a model file (its original can label rows). */
  imported: ImportedModel | null;
  /** Describes the source for records and messages. */
  describe: string;
}

/** Loads the starting network from a run directory or a model file (imported and checked). */
export async function loadInit(spec: string, opts: { task?: TaskName } = {}): Promise<InitSource> {
  if (fs.existsSync(path.join(spec, RUN_FILE))) {
    const { network } = loadRun(spec);
    return { network, kind: 'run', imported: null, describe: `run ${spec}` };
  }
  const { imported, random } = await importAndCheck(spec, { task: opts.task });
  return {
    network: imported.network,
    kind: imported.format,
    imported,
    describe: `${spec} (${imported.format}, ${imported.producer}; matches the original to ${random.maxProbabilityDiff.toExponential(1)})`,
  };
}

/** The activation a layer applies when hidden (a dense layer's default relu included), or null for none. */
export function hiddenActivation(l: AnyLayer): Activation | null {
  if (l.op === 'dense') return activationOf(l);
  return 'activation' in l ? l.activation : null;
}

/** Units or channels of each mixing layer (dense, convolution), the output layer's included. */
export function mixingWidths(net: Network<AnyLayer>): number[] {
  return net.layers.flatMap((l) => (layerType(l).role === 'mixing' ? [layerType(l).outChannels(l)] : []));
}

/** Hidden widths (units or channels of each mixing layer but the last) and the activation label of a
 * network (the first hidden layer's; all when they differ). */
export function networkShape(net: Network<AnyLayer>): { hidden: number[]; activation: string } {
  const hidden = mixingWidths(net).slice(0, -1);
  const acts = [
    ...new Set(
      net.layers.slice(0, -1).flatMap((l) => {
        const a = hiddenActivation(l);
        return a ? [activationLabel(a)] : [];
      }),
    ),
  ];
  return { hidden, activation: acts.length === 0 ? 'relu' : acts.join('+') };
}

/** Options given with --init must agree with the starting network (undefined = not given). */
export function checkInitOptions(
  net: Network<AnyLayer>,
  source: string,
  given: { hidden?: string; activation?: string; standardize?: boolean; task?: string },
): void {
  const { hidden, activation } = networkShape(net);
  if (given.task !== undefined && given.task !== taskOf(net)) {
    throw new GsError(
      'BAD_OPTION',
      `--task ${given.task} contradicts --init ${source}, which is a ${taskOf(net)} model` +
        (isRegression(net) ? '' : ' (import a regressor with --task regression when its graph alone cannot tell)'),
    );
  }
  if (given.hidden !== undefined && given.hidden.replace(/\s/g, '') !== hidden.join(',')) {
    throw new GsError(
      'BAD_OPTION',
      `--hidden ${given.hidden} contradicts --init ${source}, whose hidden layers are ${hidden.join(',') || '(none)'}; drop --hidden`,
    );
  }
  if (given.activation !== undefined && activationLabel(parseActivation(given.activation, '--activation')) !== activation) {
    throw new GsError(
      'BAD_OPTION',
      `--activation ${given.activation} contradicts --init ${source}, whose activation is ${activation}; drop --activation`,
    );
  }
  if (given.standardize !== undefined) {
    throw new GsError(
      'BAD_OPTION',
      `--standardize/--no-standardize cannot be combined with --init: the scaling comes from ${source} (${net.scaling ? 'it scales its inputs' : 'none'})`,
    );
  }
}

/** The model's predicted class of every row of a table: the original file's when imported, else the network's. */
export async function modelLabels(src: InitSource, t: Table): Promise<Int32Array> {
  const C = outputCount(src.network);
  if (t.rows === 0) return new Int32Array(0);
  if (src.imported) {
    const out: number[] = [];
    const chunk = 4096;
    for (let s = 0; s < t.rows; s += chunk) {
      const n = Math.min(chunk, t.rows - s);
      const { probabilities } = await runOriginal(src.imported.original, t.features.subarray(s * t.cols, (s + n) * t.cols), n);
      out.push(...argmaxRows(probabilities, C));
    }
    return Int32Array.from(out);
  }
  return argmaxRows(logits(src.network, t.features, t.rows), C);
}

/**
 * The data with labels in the network's class order: mapped by value, or (labelsFromModel) the
 * model's own predictions. Refuses data whose width differs or whose classes the network lacks.
 */
export async function alignData(data: SplitDataset, src: InitSource, labelsFromModel: boolean): Promise<SplitDataset> {
  const net = src.network;
  if (data.train.cols !== net.inputWidth) {
    throw new GsError(
      'BAD_INPUT',
      `${data.name} has ${data.train.cols} feature columns, the model ${src.describe} reads ${net.inputWidth}`,
    );
  }
  const classes = net.classLabels;
  if (taskOf(data) !== taskOf(net)) {
    throw new GsError('BAD_INPUT', `${data.name} was read for ${taskOf(data)}, but the model ${src.describe} is a ${taskOf(net)} model`);
  }
  if (isRegression(net)) return alignTargets(data, src, labelsFromModel);
  if (labelsFromModel) {
    const [train, test] = [await modelLabels(src, data.train), await modelLabels(src, data.test)];
    return { ...data, classLabels: classes, train: { ...data.train, labels: train }, test: { ...data.test, labels: test } };
  }
  const remap = (t: Table): Table => {
    const { labels, unknown } = mapLabels(t.labels, data.classLabels, classes);
    if (labels.some((l) => l < 0)) {
      throw new GsError(
        'BAD_INPUT',
        `${data.name} has classes ${unknown.slice(0, 5).join(', ')} that the model ${src.describe} does not know (it has ${classes.slice(0, 10).join(', ')}); use --labels-from-model to train on the model's predictions`,
      );
    }
    return { ...t, labels };
  };
  return { ...data, classLabels: classes, train: remap(data.train), test: remap(data.test) };
}

/** Regression data for a regression network: the data's target column (one per network output),
 * or with labelsFromModel the model's own predictions (the original file's when imported). */
async function alignTargets(data: SplitDataset, src: InitSource, labelsFromModel: boolean): Promise<SplitDataset> {
  const net = src.network;
  const k = outputCount(net);
  if (labelsFromModel) {
    const train = await modelOutputs(src, data.train);
    const test = await modelOutputs(src, data.test);
    return { ...data, classLabels: net.classLabels, train: { ...data.train, targets: train }, test: { ...data.test, targets: test } };
  }
  if (k !== data.classLabels.length) {
    throw new GsError(
      'BAD_INPUT',
      `the model ${src.describe} predicts ${k} targets, ${data.name} has ${data.classLabels.length} target column; use --labels-from-model to train on the model's predictions`,
    );
  }
  return { ...data, classLabels: net.classLabels };
}

/** The model's outputs [rows x k] on a table: the original file's when imported, else the network's. */
export async function modelOutputs(src: InitSource, t: Table): Promise<Float32Array> {
  const k = outputCount(src.network);
  if (!src.imported) return logits(src.network, t.features, t.rows);
  const out = new Float32Array(t.rows * k);
  const chunk = 4096;
  for (let s = 0; s < t.rows; s += chunk) {
    const n = Math.min(chunk, t.rows - s);
    const r = await runOriginal(src.imported.original, t.features.subarray(s * t.cols, (s + n) * t.cols), n);
    out.set((r.logits ?? r.probabilities).subarray(0, n * k), s * k); // a regressor's output, not softmaxed
  }
  return out;
}
