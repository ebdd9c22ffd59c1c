/**
 * Types shared by the importers: the steps an importer reads out of a user's model file (linear
 * layers, activations, elementwise affine maps such as feature scaling or BatchNormalization, the
 * output form), and the imported model (the Network plus what is needed to run the original).
 */
import type { Activation } from '../network/activations';
import type { AnyLayer, Network } from '../network/types';

/** Where a step came from, for messages: the node or layer name and its op or class. */
export interface Origin {
  name: string;
  op: string;
}

/** One step of a fully connected chain, in the order the model applies them. */
export type ImportStep =
  /** y = x @ kernel + bias, kernel [inSize, outSize] row-major (float64 copies of the file's values). */
  | { op: 'linear'; inSize: number; outSize: number; kernel: Float64Array; bias: Float64Array; from: Origin }
  /** y = (x - shift) / divide per unit (length 1 broadcasts): Sub, Div, Mul, Add of constants,
   * ai.onnx.ml Scaler, BatchNormalization. */
  | { op: 'affine'; shift: Float64Array; divide: Float64Array; from: Origin }
  | { op: 'activation'; activation: Activation; from: Origin }
  /** The model's output: logits as they are, or their softmax / log-softmax. */
  | { op: 'output'; form: 'logits' | 'softmax' | 'log-softmax'; from: Origin };

/** How to run the original file to check the import. */
export type OriginalModel =
  | {
      kind: 'onnx';
      bytes: Uint8Array;
      inputName: string;
      /** Input dims after the batch dimension (e.g. [784] or [1, 28, 28]). */
      inputShape: number[];
      /** Tensor holding the logits (the input of the final Softmax, or the output itself). */
      logitsName: string;
    }
  | {
      kind: 'tfjs';
      modelJson: string;
      weights: Uint8Array;
      inputShape: number[];
      outputForm: 'logits' | 'softmax' | 'log-softmax';
      /** A channels-last CNN read channels first: rows come C x H x W and are transposed for the original. */
      channelsFirst?: boolean;
    };

export interface ImportedModel {
  network: Network<AnyLayer>;
  /** Importer name (onnx, tfjs-layers). */
  format: string;
  /** Producer named in the file, e.g. 'pytorch 1.13.0', 'skl2onnx 1.16.0', 'keras v2.15.0'. */
  producer: string;
  /** What the model outputs after the last linear layer. */
  outputForm: 'logits' | 'softmax' | 'log-softmax';
  /** Human-readable list of what was folded or dropped (Dropout, BatchNormalization, scaling, ZipMap...). */
  notes: string[];
  original: OriginalModel;
  /** Set by the importer when the file itself says the model is a regressor (skl2onnx's `variable`
   * output of MLPRegressor); a torch model needs the user's --task regression. */
  regressor?: boolean;
  /** Name of the model's output tensor (names a regressor's target). */
  outputName?: string;
}

/** An entry of the importer table (import/index.ts). */
export interface Importer {
  name: string;
  /** What it reads, for --help and messages. */
  describe: string;
  /** Its short name in the one-line descriptions of import and compress ("ONNX"). */
  short: string;
  /** The file a user gives it, for compress's MODEL ("a tfjs model.json"). */
  file: string;
  /** True when this importer reads `file` (by name; content is checked when reading). */
  accepts(file: string): boolean;
  read(file: string): ImportedModel;
}
