/**
 * Running the user's ORIGINAL model, one entry per kind of original an importer keeps
 * (import/types.ts OriginalModel): onnxruntime on an ONNX file (its logits tensor added as an
 * output), tfjs on a LayersModel. An importer of a new format adds its kind there and its runner
 * here; checking, agreement and fine-tuning targets reach it through runOriginal.
 */
import { softmaxRows } from '../network/forward';
import type { OriginalModel } from '../import/types';
import type * as Tf from '@tensorflow/tfjs';

/** What an original gives on raw rows: logits when it exposes them, else probabilities. */
export interface OriginalOutputs {
  logits: Float32Array | null;
  probabilities: Float32Array;
}

interface OriginalRunner<O> {
  run(original: O, x: Float32Array, rows: number): Promise<OriginalOutputs>;
  /** Bytes of the original model (for the size comparison of compress). */
  bytes(original: O): number;
  /** Whether it can run on zero rows (an empty check is refused otherwise). */
  emptyOk: boolean;
}

type Runners = { readonly [K in OriginalModel['kind']]: OriginalRunner<Extract<OriginalModel, { kind: K }>> };

export const ORIGINAL_RUNNERS: Runners = {
  onnx: {
    async run(original, x, rows) {
      const { runOriginalOnnx } = await import('../onnx/original');
      const [z] = await runOriginalOnnx(
        original.bytes,
        { inputName: original.inputName, inputShape: original.inputShape, outputs: [original.logitsName] },
        x,
        rows,
      );
      return { logits: z, probabilities: softmaxRows(z, z.length / Math.max(1, rows)) };
    },
    bytes: (o) => o.bytes.length,
    emptyOk: false,
  },
  tfjs: {
    async run(original, x, rows) {
      const tf = await import('@tensorflow/tfjs');
      // production mode: no console banner recommending tfjs-node (which cannot install without a download)
      tf.enableProdMode();
      const parsed = JSON.parse(original.modelJson) as {
        modelTopology: object;
        weightsManifest: { weights: Tf.io.WeightsManifestEntry[] }[];
      };
      const m = await tf.loadLayersModel(
        tf.io.fromMemory({
          modelTopology: parsed.modelTopology,
          weightSpecs: parsed.weightsManifest.flatMap((g) => g.weights),
          weightData: original.weights.buffer.slice(original.weights.byteOffset, original.weights.byteOffset + original.weights.byteLength),
        }),
      );
      try {
        const shape = original.inputShape;
        // a channels-last CNN read channels first: [rows, C, ...spatial] -> [rows, ...spatial, C]
        const input = () =>
          original.channelsFirst
            ? tf.transpose(tf.tensor(x, [rows, shape[shape.length - 1], ...shape.slice(0, -1)]), [
                0,
                ...shape.slice(0, -1).map((_, a) => a + 2),
                1,
              ])
            : tf.tensor(x, [rows, ...shape]);
        const y = tf.tidy(() => m.predict(input()) as Tf.Tensor);
        const v = Float32Array.from(y.dataSync());
        y.dispose();
        const C = v.length / rows;
        if (original.outputForm === 'softmax') return { logits: null, probabilities: v };
        if (original.outputForm === 'log-softmax') return { logits: null, probabilities: v.map(Math.exp) };
        return { logits: v, probabilities: softmaxRows(v, C) };
      } finally {
        m.dispose();
      }
    },
    bytes: (o) => o.weights.length + o.modelJson.length,
    emptyOk: true,
  },
};

function runnerOf<O extends OriginalModel>(original: O): OriginalRunner<O> {
  return (ORIGINAL_RUNNERS as unknown as Record<string, OriginalRunner<O>>)[original.kind];
}

/** The original model's outputs on raw rows: logits when it exposes them, else probabilities. */
export function runOriginal(original: OriginalModel, x: Float32Array, rows: number): Promise<OriginalOutputs> {
  return runnerOf(original).run(original, x, rows);
}

/** Bytes of the original model. */
export function originalBytes(original: OriginalModel): number {
  return runnerOf(original).bytes(original);
}

/** Whether the original can be checked on zero rows. */
export function runsOnNoRows(original: OriginalModel): boolean {
  return runnerOf(original).emptyOk;
}
