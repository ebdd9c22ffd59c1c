/**
 * Running an exported model with onnxruntime (CPU): onnxruntime-node, or onnxruntime-web's
 * WebAssembly build where the native addon is not installed (runtime.ts picks; `runtime` says
 * which ran). A model is opened once and fed in chunks so large data sets do not build one huge
 * tensor. Undecodable files and models onnxruntime rejects become GsError BAD_MODEL; a feature
 * width the model does not take is BAD_INPUT. An export that keeps an imported model's interface
 * (metadata gs.io) is fed through its original input and read from its original output (logits,
 * probabilities or log-probabilities, turned into probabilities and labels). A user's own original
 * file is run by original.ts.
 */
import type * as Ort from 'onnxruntime-common';
import { GsError } from '../errors';
import { INPUT_NAME, LABEL, PREDICTION, PROBABILITIES } from './export';
import { argmaxRows, softmaxRows } from '../network/forward';
import { type OnnxInfo, type TensorInfo, readModelFile, readOnnxInfo } from './read';
import { loadRuntime, runtimeLabel, setWebThreads, type OrtRuntime, type RuntimeChoice } from './runtime';

export interface OnnxPrediction {
  /** [rows x classes]; for a regressor its predictions [rows x k] (the `prediction` output). */
  probabilities: Float32Array;
  /** [rows]; all 0 for a regressor. */
  labels: Int32Array;
}

export interface OpenOptions {
  /** onnxruntime intra-op threads (default: onnxruntime's choice). */
  threads?: number;
  /** Rows per session.run call in predict(). */
  chunkRows?: number;
  /** Which onnxruntime (default: GS_COMPRESS_ORT, else native when installed, else WebAssembly). */
  runtime?: RuntimeChoice;
  /** What messages call the model (default: its path, or "the ONNX model" for bytes). */
  name?: string;
}

/** How a model's output is read: our probabilities + label, a regressor's prediction, or an
 * imported model's one output in its original form (logits, softmax, log-softmax). */
type OutputRead = 'probabilities+label' | 'prediction' | 'logits' | 'softmax' | 'log-softmax';

/** An open onnxruntime session on a gs-compress model (features -> probabilities, label; or the
 * original interface of an imported model, read from its metadata). */
export class OnnxModel {
  private constructor(
    readonly session: Ort.InferenceSession,
    readonly rt: OrtRuntime,
    readonly info: OnnxInfo,
    readonly inputWidth: number | null,
    readonly classes: number,
    private readonly chunkRows: number,
    /** A regressor: one `prediction` output, returned as `probabilities` with labels 0. */
    readonly regression: boolean,
    private readonly inputName: string,
    /** Dims of a row after the batch dimension (e.g. [1, 28, 28] for an original input the model flattens). */
    private readonly rowDims: number[] | null,
    private readonly outputName: string,
    private readonly read: OutputRead,
  ) {}

  static async open(model: Uint8Array | string, opts: OpenOptions = {}): Promise<OnnxModel> {
    const file = opts.name ?? (typeof model === 'string' ? model : 'the ONNX model');
    const bytes = typeof model === 'string' ? readModelFile(model) : model;
    const info = readOnnxInfo(bytes, file);
    const io = info.interface?.io;
    const inputName = io?.inputName ?? INPUT_NAME;
    const input = info.inputs.find((i) => i.name === inputName);
    let out: TensorInfo | undefined;
    let read: OutputRead;
    if (io) {
      out = info.outputs.find((o) => o.name === io.outputName);
      read = info.interface?.task === 'regression' ? 'prediction' : io.outputForm;
    } else {
      const pred = info.outputs.find((o) => o.name === PREDICTION);
      out = info.outputs.find((o) => o.name === PROBABILITIES) ?? (info.outputs.length === 1 ? pred : undefined);
      read = out && out === pred ? 'prediction' : 'probabilities+label';
      if (read === 'probabilities+label' && !info.outputs.some((o) => o.name === LABEL)) out = undefined;
    }
    if (!input || !out) {
      throw new GsError(
        'BAD_MODEL',
        io
          ? `${file}: expected input '${io.inputName}' and output '${io.outputName}' (as its metadata says)`
          : `${file}: expected input '${INPUT_NAME}' and outputs '${PROBABILITIES}', '${LABEL}' (a classifier) or '${PREDICTION}' (a regressor) (is it a gs-compress export?)`,
      );
    }
    const dims = input.shape.slice(1);
    const rowDims = dims.every((d): d is number => typeof d === 'number' && d > 0) ? dims : null;
    const width = rowDims ? rowDims.reduce((a, b) => a * b, 1) : null;
    const classes = typeof out.shape[1] === 'number' ? out.shape[1] : (info.interface?.classLabels.length ?? 0);
    if (classes < 1) throw new GsError('BAD_MODEL', `${file}: cannot tell the number of outputs from '${out.name}' or the metadata`);
    const rt = loadRuntime(opts.runtime);
    let session: Ort.InferenceSession;
    try {
      setWebThreads(rt, opts.threads);
      const so: Ort.InferenceSession.SessionOptions = opts.threads ? { intraOpNumThreads: opts.threads } : {};
      session = await rt.ort.InferenceSession.create(bytes, so);
    } catch (e) {
      throw new GsError('BAD_MODEL', `${file}: not a valid ONNX model (onnxruntime: ${(e as Error).message.split('\n')[0]})`);
    }
    return new OnnxModel(
      session,
      rt,
      info,
      width,
      classes,
      opts.chunkRows ?? 8192,
      read === 'prediction',
      inputName,
      rowDims,
      out.name,
      read,
    );
  }

  /** "onnxruntime-node 1.30.0" or "onnxruntime-web 1.30.0": what runs this model. */
  get runtime(): string {
    return runtimeLabel(this.rt);
  }

  /** One session.run on rows x cols features, as given (no chunking). */
  async runBatch(features: Float32Array, rows: number, cols: number): Promise<OnnxPrediction> {
    const dims = this.rowDims && this.rowDims.length > 1 ? this.rowDims : [cols];
    const out = await this.session.run({ [this.inputName]: new this.rt.ort.Tensor('float32', features, [rows, ...dims]) });
    const v = out[this.outputName].data as Float32Array;
    if (this.read === 'prediction') return { probabilities: v, labels: new Int32Array(rows) };
    if (this.read === 'probabilities+label') {
      return { probabilities: v, labels: Int32Array.from(out[LABEL].data as BigInt64Array, (x) => Number(x)) };
    }
    const C = v.length / Math.max(1, rows);
    const probabilities = this.read === 'softmax' ? v : this.read === 'log-softmax' ? v.map(Math.exp) : softmaxRows(v, C);
    return { probabilities, labels: argmaxRows(v, C) };
  }

  /** Probabilities and labels for rows x cols row-major features, fed in chunks. */
  async predict(features: Float32Array, rows: number, cols: number): Promise<OnnxPrediction> {
    if (features.length !== rows * cols)
      throw new GsError('BAD_INPUT', `features hold ${features.length} values, expected ${rows} x ${cols}`);
    if (this.inputWidth !== null && cols !== this.inputWidth) {
      throw new GsError('BAD_INPUT', `${this.info.file} takes ${this.inputWidth} feature columns, the data has ${cols}`);
    }
    const classes = this.classes;
    const probabilities = new Float32Array(rows * classes);
    const labels = new Int32Array(rows);
    for (let r0 = 0; r0 < rows; r0 += this.chunkRows) {
      const n = Math.min(this.chunkRows, rows - r0);
      const part = await this.runBatch(features.subarray(r0 * cols, (r0 + n) * cols), n, cols);
      if (part.probabilities.length !== n * classes) {
        throw new GsError(
          'BAD_MODEL',
          `${this.info.file}: ${this.outputName} has ${part.probabilities.length} values for ${n} rows, expected ${classes} per row`,
        );
      }
      probabilities.set(part.probabilities, r0 * classes);
      labels.set(part.labels, r0);
    }
    return { probabilities, labels };
  }

  async close(): Promise<void> {
    await this.session.release();
  }
}

/** Open, predict, close: probabilities [rows x C] and labels of an ONNX model (bytes or file path). */
export async function runOnnx(
  model: Uint8Array | string,
  features: Float32Array,
  rows: number,
  cols: number,
  opts: OpenOptions = {},
): Promise<OnnxPrediction> {
  const m = await OnnxModel.open(model, opts);
  try {
    return await m.predict(features, rows, cols);
  } finally {
    await m.close();
  }
}
