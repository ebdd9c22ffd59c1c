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
import type { Activation } from './activations';
import type { TaskName } from './tasks';

/** A fully connected layer. kernel is [inSize, outSize] row-major (tfjs Dense / ONNX MatMul layout):
 * row i holds the outgoing weights of input unit i, which is that unit's group. */
export interface DenseLayer {
  inSize: number;
  outSize: number;
  kernel: Float32Array; // length inSize*outSize, element (i, j) at i*outSize + j
  bias: Float32Array; // length outSize
  /** Activation applied after this layer when it is a hidden layer (absent = relu; see
   * network/activations.ts). The output layer is always linear (logits). */
  activation?: Activation;
}

export interface Network {
  /** Width of the raw feature vector the network reads (all columns of the data). */
  inputWidth: number;
  /** Raw columns that feed the first layer, ascending; length = layers[0].inSize. */
  inputIndices: number[];
  /** Scaling over all inputWidth raw columns, or null when the data is used as is. */
  scaling: Scaling | null;
  /** Hidden layers (ReLU) followed by the output layer (softmax; linear for a regressor). At least one layer. */
  layers: DenseLayer[];
  /** Class labels, index = output unit. */
  classLabels: string[];
  /** Names of all inputWidth raw columns. */
  featureNames: string[];
  /** What the output layer means (network/tasks.ts): absent = classification (softmax over classLabels);
   * 'regression': a linear output, one column per name in classLabels (the target names). */
  task?: TaskName;
}
