/**
 * The activation table is honoured everywhere: the tfjs engine and the reference functions refuse
 * an activation the table does not know (never the identity), and both importers read activations
 * through the table's ONNX and tfjs fields.
 */
import * as tf from '@tensorflow/tfjs';
import { GsError } from '../../src/errors';
import {
  ACTIVATIONS,
  ACTIVATION_NAMES,
  activationDerivative,
  activationFn,
  activationOfOnnxOp,
  type Activation,
} from '../../src/network/activations';
import { tfjsActivation } from '../../src/network/layers-model';
import { applyActivation } from '../../src/train/tfjs/gradient-pass';
import { reluLayerActivation } from '../../src/import/tfjs-cnn';

const unknown = { name: 'swish' } as unknown as Activation;

describe('an activation the table does not know', () => {
  it('is an error in the tfjs engine, not the identity', () => {
    const h = tf.tensor2d([[-1, 2]]);
    expect(() => applyActivation(unknown, h)).toThrow(GsError);
    expect(() => applyActivation(unknown, h)).toThrow(/unknown activation "swish"; expected one of relu/);
    h.dispose();
  });

  it('is an error for the reference forward and derivative', () => {
    expect(() => activationFn(unknown)).toThrow(/unknown activation "swish"/);
    expect(() => activationDerivative(unknown)).toThrow(/unknown activation "swish"/);
  });
});

describe('the tfjs engine computes every table activation as the table does', () => {
  it.each(ACTIVATION_NAMES)('%s', (name) => {
    const a: Activation = name === 'leaky_relu' ? { name, alpha: 0.2 } : { name };
    const xs = [-2.5, -0.3, 0, 0.7, 3];
    const h = tf.tensor2d([xs]);
    const out = applyActivation(a, h);
    const got = Array.from(out.dataSync());
    const f = activationFn(a);
    xs.forEach((x, i) => expect(got[i]).toBeCloseTo(f(x), 5));
    h.dispose();
    out.dispose();
  });
});

describe('the importers read activations from the table', () => {
  it('maps every ONNX op of the table (and Gelu) to its entry, and nothing else', () => {
    for (const def of Object.values(ACTIVATIONS)) {
      if (def.onnx !== null && typeof def.onnx === 'object') expect(activationOfOnnxOp(def.onnx.op)?.def.name).toBe(def.name);
    }
    expect(activationOfOnnxOp('LeakyRelu')?.alphaAttr).toBe(true);
    expect(activationOfOnnxOp('Gelu')?.def.name).toBe('gelu');
    expect(activationOfOnnxOp('Elu')).toBeNull();
    expect(activationOfOnnxOp('Softmax')).toBeNull();
  });

  it("maps the table's tfjs names, and Keras 3's leaky_relu with its slope 0.2", () => {
    for (const def of Object.values(ACTIVATIONS)) if (def.tfjs) expect(tfjsActivation(def.tfjs)).toEqual({ name: def.name });
    expect(tfjsActivation('leaky_relu')).toEqual({ name: 'leaky_relu', alpha: 0.2 });
    expect(tfjsActivation('selu')).toBeNull();
  });
});

describe('a Keras ReLU layer', () => {
  const fail = (why: string) => new GsError('BAD_MODEL', why);
  it('is relu, or relu6 with max_value 6; other settings are refused', () => {
    expect(reluLayerActivation({}, fail)).toBe('relu');
    expect(reluLayerActivation({ max_value: null, threshold: 0 }, fail)).toBe('relu');
    expect(reluLayerActivation({ max_value: 6 }, fail)).toBe('relu6');
    expect(() => reluLayerActivation({ max_value: 1 }, fail)).toThrow(/max_value 1 \(only 6, ReLU6, is supported\)/);
    expect(() => reluLayerActivation({ negative_slope: 0.1 }, fail)).toThrow(/threshold or negative_slope/);
  });
});
