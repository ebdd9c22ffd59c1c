/**
 * The framework-neutral network value that every layer passes around: layer sizes,
 * weights as Float32Arrays, and the preprocessing it expects.
 *
 * Forward pass on a raw feature row x (length inputWidth):
 *   z = x[inputIndices]                               (feature selection; identity before pruning)
 *   z = (z - scaling.mean[inputIndices]) / scaling.std[inputIndices]   (when scaling is present)
 *   for each hidden layer: z = act(z @ kernel + bias)  (act = layer.activation, relu when absent);  last layer: logits = z @ kernel + bias
 *   probabilities = softmax(logits)     (classification; a regressor's logits are its predictions: network/tasks.ts)
 */
import type { Scaling } from '../data/types';
import type { DenseLayer } from './layers/dense';
import type { Layer as AnyLayer } from './layers/table';
import type { TaskName } from './tasks';

export type { DenseLayer } from './layers/dense';
export type { LayerOp } from './layers/table';
/** A layer of any type of the layer table (network/layers/table.ts): dense, conv, pool, gap, flatten, batchnorm. */
export type { AnyLayer };
/** The layer of a Network by default: dense (what training, saving and importing take today). Code that
 * handles every layer type (forward, counts, pruning, export) takes Network<AnyLayer>. */
export type Layer = DenseLayer;

/**
 * The input and output of the user's model a network was imported from (import/), kept so that
 * its exports are drop-in replacements (onnx/export.ts writes them). Absent for networks trained here.
 */
export interface ModelIO {
  /** The input tensor's name and its dims after the (dynamic) batch dimension: [F], or e.g. [1, 28, 28] that the model flattens. */
  inputName: string;
  inputShape: number[];
  /** The output tensor's name and what it holds: the last layer's values (logits; a regressor's predictions), or their softmax or log-softmax. */
  outputName: string;
  outputForm: 'logits' | 'softmax' | 'log-softmax';
}

export interface Network<L extends AnyLayer = DenseLayer> {
  /** Width of the raw feature vector the network reads (all columns of the data). */
  inputWidth: number;
  /** Raw columns that feed the first layer, ascending; length = layers[0].inSize. */
  inputIndices: number[];
  /** Scaling over all inputWidth raw columns, or null when the data is used as is. */
  scaling: Scaling | null;
  /** Hidden layers (each applies its activation) followed by the output layer (softmax; linear for a
   * regressor). At least one layer. Each is a value of a layer type of network/layers/table.ts. */
  layers: L[];
  /** Shape of one example as the first layer reads it (after inputIndices): e.g. [C, H, W] or [C, L] for
   * a convolutional network, whose inputIndices then hold whole channels (H*W columns each, NCHW order).
   * Absent = [inputIndices.length], a flat row (dense networks). */
  inputShape?: number[];
  /** Class labels, index = output unit. */
  classLabels: string[];
  /** Names of all inputWidth raw columns. */
  featureNames: string[];
  /** What the output layer means (network/tasks.ts): absent = classification (softmax over classLabels);
   * 'regression': a linear output, one column per name in classLabels (the target names). */
  task?: TaskName;
  /** The original model's input and output when the network was imported (exports keep them). */
  io?: ModelIO;
}
