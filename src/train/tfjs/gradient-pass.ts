/**
 * The tfjs engine's minibatch pass: TensorFlow.js computes the forward pass, the task's loss (mean
 * softmax cross-entropy, with its own label smoothing when asked; for regression
 * tf.losses.meanSquaredError, the mean over elements as network/tasks.ts defines it) and its
 * gradient with respect to every kernel and bias (fused matMul+bias+relu per layer, so few tensor
 * operations per step). The data stays on the backend; each step uploads the current parameters
 * and reads the gradients back into the shared flat buffers, where the same optimizer and
 * proximal code as the fused engine updates them.
 */
import * as tf from '@tensorflow/tfjs';
import type { TrainingData } from '../types';
import { GsError } from '../../errors';
import { ACTIVATION_NAMES, alphaOf, type Activation, type ActivationName } from '../../network/activations';
import { layerActivation, layoutEnds, type FlatLayout, type LayerViews } from '../fused/layout';

/** Every activation of the table (network/activations.ts) on a tfjs tensor; the Record type makes a
 * new table entry a compile error here until it has its tfjs form. */
const TFJS_ACTIVATIONS: Record<ActivationName, (h: tf.Tensor2D, alpha: number) => tf.Tensor2D> = {
  relu: (h) => tf.relu(h),
  leaky_relu: (h, alpha) => tf.leakyRelu(h, alpha),
  tanh: (h) => tf.tanh(h),
  sigmoid: (h) => tf.sigmoid(h),
  gelu: (h) => tf.mul(tf.mul(h, 0.5), tf.add(1, tf.erf(tf.mul(h, Math.SQRT1_2)))),
  relu6: (h) => tf.relu6(h),
  silu: (h) => tf.mul(h, tf.sigmoid(h)),
  identity: (h) => h,
};

/** A hidden layer's activation other than relu on a tfjs tensor (relu is fused into matMul); an
 * activation the table does not know is an error, never the identity. */
export function applyActivation(a: Activation, h: tf.Tensor2D): tf.Tensor2D {
  const f = (TFJS_ACTIVATIONS as Partial<Record<string, (h: tf.Tensor2D, alpha: number) => tf.Tensor2D>>)[a.name];
  if (!f) throw new GsError('BAD_MODEL', `unknown activation ${JSON.stringify(a.name)}; expected one of ${ACTIVATION_NAMES.join(', ')}`);
  return f(h, alphaOf(a));
}

export class TfjsGradientPass {
  private readonly x: tf.Tensor2D;
  private readonly y: tf.Tensor1D;
  /** Regression targets [rows, k], or null for classification. */
  private readonly t: tf.Tensor2D | null;
  private readonly grad: (params: tf.Tensor[]) => { value: tf.Scalar; grads: tf.Tensor[] };
  private xb: tf.Tensor2D | null = null;
  private yb: tf.Tensor2D | null = null;

  constructor(
    private readonly lay: FlatLayout,
    data: TrainingData,
  ) {
    this.x = tf.tensor2d(data.x, [data.rows, data.cols]);
    this.y = tf.tensor1d(data.y, 'int32');
    const L = lay.layers.length;
    const k = lay.layers[L - 1].outSize;
    this.t = data.targets ? tf.tensor2d(data.targets, [data.rows, k]) : null;
    const regression = this.t !== null;
    const smoothing = data.labelSmoothing ?? 0;
    this.grad = (params) => {
      const f = (...ps: tf.Tensor[]): tf.Scalar => {
        let h = this.xb as tf.Tensor2D;
        for (let k = 0; k < L; k++) {
          const act = layerActivation(lay, k);
          h = tf.fused.matMul({
            a: h,
            b: ps[2 * k],
            bias: ps[2 * k + 1],
            activation: act.name === 'relu' ? 'relu' : 'linear',
          }) as tf.Tensor2D;
          if (act.name !== 'relu') h = applyActivation(act, h);
        }
        return regression
          ? tf.losses.meanSquaredError<tf.Tensor2D, tf.Scalar>(this.yb as tf.Tensor2D, h)
          : tf.losses.softmaxCrossEntropy<tf.Tensor2D, tf.Scalar>(this.yb as tf.Tensor2D, h, undefined, smoothing);
      };
      return tf.valueAndGrads(f)(params);
    };
  }

  /** Forward and backward for rows order[start..start+n); writes (overwrites) grads, returns the mean loss. */
  run(params: LayerViews<Float32Array>[], grads: LayerViews<Float32Array>[], order: Int32Array, start: number, n: number): number {
    const { lay } = this;
    const classes = layoutEnds(lay).outputs;
    return tf.tidy(() => {
      const idx = tf.tensor1d(order.subarray(start, start + n), 'int32');
      this.xb = tf.gather(this.x, idx);
      this.yb = this.t ? tf.gather(this.t, idx) : (tf.oneHot(tf.gather(this.y, idx), classes).toFloat() as tf.Tensor2D);
      const ps = params.flatMap((v, k) => [tf.tensor2d(v.kernel, [lay.layers[k].inSize, lay.layers[k].outSize]), tf.tensor1d(v.bias)]);
      const { value, grads: gs } = this.grad(ps);
      gs.forEach((g, i) => {
        const target = i % 2 === 0 ? grads[i >> 1].kernel : grads[i >> 1].bias;
        target.set(g.dataSync());
      });
      this.xb = null;
      this.yb = null;
      return value.dataSync()[0];
    });
  }

  dispose(): void {
    this.x.dispose();
    this.y.dispose();
    this.t?.dispose();
  }
}
