/**
 * Running an exported model with onnxruntime (CPU): onnxruntime-node, or onnxruntime-web's
 * WebAssembly build where the native addon is not installed (runtime.ts picks; `runtime` says
 * which ran). A model is opened once and fed in chunks so large data sets do not build one huge
 * tensor. Undecodable files and models onnxruntime rejects become GsError BAD_MODEL; a feature
 * width the model does not take is BAD_INPUT.
 */
import type * as Ort from 'onnxruntime-common';
import { GsError } from '../errors';
import { INPUT_NAME, LABEL, PREDICTION, PROBABILITIES } from './export';
import { type OnnxInfo, readModelFile, readOnnxInfo } from './read';
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
}

/** An open onnxruntime session on a gs-compress style model (features -> probabilities, label). */
export class OnnxModel {
  private constructor(
    readonly session: Ort.InferenceSession,
    readonly rt: OrtRuntime,
    readonly info: OnnxInfo,
    readonly inputWidth: number | null,
    readonly classes: number,
    private readonly chunkRows: number,
    /** A regressor: one `prediction` output, returned as `probabilities` with labels 0. */
    readonly regression = false,
  ) {}

  static async open(model: Uint8Array | string, opts: OpenOptions = {}): Promise<OnnxModel> {
    const file = typeof model === 'string' ? model : '<model bytes>';
    const bytes = typeof model === 'string' ? readModelFile(model) : model;
    const info = readOnnxInfo(bytes, file);
    const input = info.inputs.find((i) => i.name === INPUT_NAME);
    const pred = info.outputs.find((o) => o.name === PREDICTION);
    const probs = info.outputs.find((o) => o.name === PROBABILITIES) ?? (info.outputs.length === 1 ? pred : undefined);
    if (!input || !probs || !(pred || info.outputs.some((o) => o.name === LABEL))) {
      throw new GsError(
        'BAD_MODEL',
        `${file}: expected input '${INPUT_NAME}' and outputs '${PROBABILITIES}', '${LABEL}' (a classifier) or '${PREDICTION}' (a regressor) (is it a gs-compress export?)`,
      );
    }
    const width = typeof input.shape[1] === 'number' ? input.shape[1] : null;
    const classes = typeof probs.shape[1] === 'number' ? probs.shape[1] : (info.interface?.classLabels.length ?? 0);
    if (classes < 1) throw new GsError('BAD_MODEL', `${file}: cannot tell the number of outputs from '${probs.name}' or the metadata`);
    const rt = loadRuntime(opts.runtime);
    let session: Ort.InferenceSession;
    try {
      setWebThreads(rt, opts.threads);
      const so: Ort.InferenceSession.SessionOptions = opts.threads ? { intraOpNumThreads: opts.threads } : {};
      session = await rt.ort.InferenceSession.create(bytes, so);
    } catch (e) {
      throw new GsError('BAD_MODEL', `${file}: not a valid ONNX model (onnxruntime: ${(e as Error).message.split('\n')[0]})`);
    }
    return new OnnxModel(session, rt, info, width, classes, opts.chunkRows ?? 8192, probs === pred);
  }

  /** "onnxruntime-node 1.30.0" or "onnxruntime-web 1.30.0": what runs this model. */
  get runtime(): string {
    return runtimeLabel(this.rt);
  }

  /** One session.run on rows x cols features, as given (no chunking). */
  async runBatch(features: Float32Array, rows: number, cols: number): Promise<OnnxPrediction> {
    const out = await this.session.run({ [INPUT_NAME]: new this.rt.ort.Tensor('float32', features, [rows, cols]) });
    if (this.regression) return { probabilities: out[PREDICTION].data as Float32Array, labels: new Int32Array(rows) };
    const probabilities = out[PROBABILITIES].data as Float32Array;
    const labels = Int32Array.from(out[LABEL].data as BigInt64Array, (v) => Number(v));
    return { probabilities, labels };
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
          `${this.info.file}: ${PROBABILITIES} has ${part.probabilities.length} values for ${n} rows, expected ${classes} per row`,
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
