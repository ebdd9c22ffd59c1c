/**
 * Importing convolutional tfjs LayersModels: Keras-style Sequential CNNs built and saved by
 * @tensorflow/tfjs in the test (channels last: Conv2D 'same' and 'valid', strides, pooling with
 * 'same' padding, BatchNormalization with made-up statistics, Flatten of a 3-channel tensor into
 * Dense, Conv1D with global average pooling) import into the layer types and match the original,
 * run by tfjs on the same values channels last, to 1e-5; their ONNX export matches too; so does a
 * functional model with residual blocks (an identity Add and a strided block with a 1x1 shortcut);
 * so does a MobileNet-style model (DepthwiseConv2D 'same' and strided, ReLU(max_value 6) and 'relu6');
 * so do joins (an Inception block, DenseNet's concatenate([h, conv(h)])) and ZeroPadding2D in front of
 * pooling and convolutions, and Keras MobileNet's head (a 1x1 Conv2D on the pooled vector reshaped to 1 x 1); a DepthwiseConv2D of
 * depth_multiplier 2, a Concatenate off the channel axis, a Multiply of branches and two inputs
 * are refused by name.
 */
import * as tf from '@tensorflow/tfjs';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { importModel } from '../../src/import';
import { exportOnnx, runOnnx } from '../../src/onnx';
import { checkImport, randomRows, runOriginal } from '../../src/pipeline/import-check';

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'gs-tfjs-cnn-'));
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

/** Saves a tfjs model as model.json + weights.bin in a folder, as tfjs's file handler writes them. */
async function save(model: tf.LayersModel, name: string): Promise<string> {
  const dir = path.join(tmp, name);
  fs.mkdirSync(dir, { recursive: true });
  await model.save(
    tf.io.withSaveHandler(async (a) => {
      const data = a.weightData as ArrayBuffer;
      fs.writeFileSync(path.join(dir, 'weights.bin'), Buffer.from(data));
      const json = {
        format: 'layers-model',
        generatedBy: 'TensorFlow.js tfjs-layers (test)',
        convertedBy: null,
        modelTopology: a.modelTopology,
        weightsManifest: [{ paths: ['weights.bin'], weights: a.weightSpecs }],
      };
      fs.writeFileSync(path.join(dir, 'model.json'), JSON.stringify(json));
      return Promise.resolve({ modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON' } });
    }),
  );
  return path.join(dir, 'model.json');
}

/** Random moving statistics and affine parameters for every batch norm (so a wrong mapping shows). */
function madeUpBatchNorm(model: tf.LayersModel): void {
  let seed = 1;
  const rnd = () => (seed = (seed * 16807) % 2147483647) / 2147483647;
  for (const l of model.layers) {
    if (l.getClassName() !== 'BatchNormalization') continue;
    const n = l.getWeights()[0].shape[0];
    const v = (f: () => number) => tf.tensor1d(Array.from({ length: n }, f));
    l.setWeights([v(() => 0.5 + rnd()), v(() => rnd() - 0.5), v(() => 0.3 * (rnd() - 0.5)), v(() => 0.3 + rnd())]);
  }
}

function cnn2d(): tf.Sequential {
  const m = tf.sequential();
  m.add(tf.layers.conv2d({ inputShape: [7, 7, 3], filters: 4, kernelSize: 3, padding: 'same', activation: 'relu' }));
  m.add(tf.layers.maxPooling2d({ poolSize: 2, padding: 'same' }));
  m.add(tf.layers.conv2d({ filters: 5, kernelSize: 2, strides: 1, padding: 'valid' }));
  m.add(tf.layers.batchNormalization({ axis: -1 }));
  m.add(tf.layers.activation({ activation: 'relu' }));
  m.add(tf.layers.averagePooling2d({ poolSize: 2, strides: 2, padding: 'same' }));
  m.add(tf.layers.flatten());
  m.add(tf.layers.dense({ units: 8, activation: 'tanh' }));
  m.add(tf.layers.dropout({ rate: 0.2 }));
  m.add(tf.layers.dense({ units: 3, activation: 'softmax' }));
  madeUpBatchNorm(m);
  return m;
}

/** MobileNet-style: conv, a depthwise 3x3 ('same', strided) with batch norm and ReLU6, a pointwise 1x1 (relu6 activation string). */
function mobilenet(): tf.Sequential {
  const m = tf.sequential();
  m.add(tf.layers.conv2d({ inputShape: [8, 8, 2], filters: 4, kernelSize: 3, padding: 'same' }));
  m.add(tf.layers.reLU({ maxValue: 6 }));
  m.add(tf.layers.depthwiseConv2d({ kernelSize: 3, strides: 2, padding: 'same', useBias: false }));
  m.add(tf.layers.batchNormalization({ axis: -1 }));
  m.add(tf.layers.activation({ activation: 'relu6' }));
  m.add(tf.layers.depthwiseConv2d({ kernelSize: 2, activation: 'relu6' }));
  m.add(tf.layers.conv2d({ filters: 6, kernelSize: 1, activation: 'relu6' }));
  m.add(tf.layers.flatten());
  m.add(tf.layers.dense({ units: 3 }));
  madeUpBatchNorm(m);
  // weights large enough that ReLU6's upper clip is reached
  m.setWeights(m.getWeights().map((w, i) => (i < 3 ? tf.mul(w, 4) : w)));
  return m;
}

function cnn1d(): tf.Sequential {
  const m = tf.sequential();
  m.add(tf.layers.conv1d({ inputShape: [20, 2], filters: 4, kernelSize: 3, strides: 2, padding: 'same', activation: 'relu' }));
  m.add(tf.layers.maxPooling1d({ poolSize: 2 }));
  m.add(tf.layers.conv1d({ filters: 6, kernelSize: 2, dilationRate: 2, activation: 'relu' }));
  m.add(tf.layers.globalAveragePooling1d({}));
  m.add(tf.layers.dense({ units: 3 }));
  return m;
}

/** Input standardized by a BatchNormalization (the network's scaling); ZeroPadding2D (uneven, symmetric, per axis) in front of a max pooling of ReLU outputs, a convolution ('same' on top) and an average pooling. */
function zeroPadded(): tf.Sequential {
  const m = tf.sequential();
  m.add(tf.layers.batchNormalization({ inputShape: [7, 7, 2], axis: -1 }));
  m.add(tf.layers.conv2d({ filters: 3, kernelSize: 3, activation: 'relu' }));
  m.add(
    tf.layers.zeroPadding2d({
      padding: [
        [1, 0],
        [0, 1],
      ],
    }),
  );
  m.add(tf.layers.maxPooling2d({ poolSize: 2 }));
  m.add(tf.layers.zeroPadding2d({ padding: 1 }));
  m.add(tf.layers.conv2d({ filters: 4, kernelSize: 3, padding: 'same' }));
  m.add(tf.layers.zeroPadding2d({ padding: [1, 0] }));
  m.add(tf.layers.averagePooling2d({ poolSize: 2 }));
  m.add(tf.layers.flatten());
  m.add(tf.layers.dense({ units: 3 }));
  madeUpBatchNorm(m);
  return m;
}

/** Keras MobileNet (v1) in small: ZeroPadding2D before a strided convolution, depthwise and pointwise blocks with
 * batch norm and ReLU6, then its head: the pooled vector reshaped to 1 x 1, a 1x1 Conv2D, reshaped back, softmax. */
function mobilenetHead(): tf.Sequential {
  const m = tf.sequential();
  m.add(
    tf.layers.zeroPadding2d({
      inputShape: [9, 9, 2],
      padding: [
        [0, 1],
        [0, 1],
      ],
    }),
  );
  m.add(tf.layers.conv2d({ filters: 4, kernelSize: 3, strides: 2, useBias: false }));
  m.add(tf.layers.batchNormalization({ axis: -1 }));
  m.add(tf.layers.reLU({ maxValue: 6 }));
  m.add(tf.layers.depthwiseConv2d({ kernelSize: 3, padding: 'same', useBias: false }));
  m.add(tf.layers.batchNormalization({ axis: -1 }));
  m.add(tf.layers.reLU({ maxValue: 6 }));
  m.add(tf.layers.conv2d({ filters: 6, kernelSize: 1, useBias: false }));
  m.add(tf.layers.batchNormalization({ axis: -1 }));
  m.add(tf.layers.reLU({ maxValue: 6 }));
  m.add(tf.layers.globalAveragePooling2d({}));
  m.add(tf.layers.reshape({ targetShape: [1, 1, 6] }));
  m.add(tf.layers.dropout({ rate: 0.001 }));
  m.add(tf.layers.conv2d({ filters: 3, kernelSize: 1, padding: 'same' }));
  m.add(tf.layers.reshape({ targetShape: [3] }));
  m.add(tf.layers.activation({ activation: 'softmax' }));
  madeUpBatchNorm(m);
  return m;
}

/** A functional ResNet-like model: conv, an identity block, a strided block with a 1x1 conv + BN shortcut. */
function resnet(): tf.LayersModel {
  const input = tf.input({ shape: [8, 8, 2] });
  const conv = (filters: number, kernelSize: number, strides = 1) => tf.layers.conv2d({ filters, kernelSize, strides, padding: 'same' });
  const relu = () => tf.layers.activation({ activation: 'relu' });
  const h = conv(4, 3).apply(input) as tf.SymbolicTensor;
  const h1 = relu().apply(h) as tf.SymbolicTensor;
  const b1 = conv(4, 3).apply(relu().apply(conv(4, 3).apply(h1))) as tf.SymbolicTensor;
  const s1 = relu().apply(tf.layers.add().apply([b1, h1])) as tf.SymbolicTensor;
  const b2 = tf.layers
    .batchNormalization()
    .apply(conv(6, 3).apply(relu().apply(tf.layers.batchNormalization().apply(conv(6, 3, 2).apply(s1))))) as tf.SymbolicTensor;
  const p2 = tf.layers.batchNormalization().apply(conv(6, 1, 2).apply(s1)) as tf.SymbolicTensor;
  const s2 = relu().apply(tf.layers.add().apply([b2, p2])) as tf.SymbolicTensor;
  const out = tf.layers.dense({ units: 3, activation: 'softmax' }).apply(tf.layers.globalAveragePooling2d({}).apply(s2));
  const m = tf.model({ inputs: input, outputs: out as tf.SymbolicTensor });
  madeUpBatchNorm(m);
  return m;
}

/** A functional model with joins: an Inception block (1x1; 1x1 then 3x3; 3x3 max pooling then 1x1) and DenseNet's concatenate([h, conv(h)]). */
function inception(): tf.LayersModel {
  const input = tf.input({ shape: [8, 8, 2] });
  const conv = (filters: number, kernelSize: number) => tf.layers.conv2d({ filters, kernelSize, padding: 'same', activation: 'relu' });
  const h = conv(4, 3).apply(input) as tf.SymbolicTensor;
  const b1 = conv(3, 1).apply(h) as tf.SymbolicTensor;
  const b2 = conv(4, 3).apply(conv(2, 1).apply(h)) as tf.SymbolicTensor;
  const b3 = conv(2, 1).apply(tf.layers.maxPooling2d({ poolSize: 3, strides: 1, padding: 'same' }).apply(h)) as tf.SymbolicTensor;
  const j = tf.layers.concatenate().apply([b1, b2, b3]) as tf.SymbolicTensor;
  const d = tf.layers.concatenate({ axis: -1 }).apply([j, conv(3, 3).apply(j) as tf.SymbolicTensor]) as tf.SymbolicTensor;
  const out = tf.layers.dense({ units: 3, activation: 'softmax' }).apply(tf.layers.globalAveragePooling2d({}).apply(d));
  return tf.model({ inputs: input, outputs: out as tf.SymbolicTensor });
}

test.each<[string, () => tf.LayersModel, string, number[], string]>([
  [
    'functional, joins (Inception, DenseNet)',
    inception,
    'conv,save,conv,shortcut,save,conv,conv,concat,shortcut,pool,conv,concat,save,shortcut,conv,concat,gap,flatten,dense',
    [2, 8, 8],
    'softmax',
  ],
  [
    'functional, residual blocks',
    resnet,
    'conv,save,conv,conv,add,save,conv,batchnorm,conv,batchnorm,shortcut,conv,batchnorm,add,gap,flatten,dense',
    [2, 8, 8],
    'softmax',
  ],
  ['2-D, three channels, batch norm, same padding', cnn2d, 'conv,pool,conv,batchnorm,pool,flatten,dense,dense', [3, 7, 7], 'softmax'],
  [
    'Keras MobileNet: zero padding, depthwise, ReLU6, its reshaped 1x1 convolution head',
    mobilenetHead,
    'conv,batchnorm,depthwise,batchnorm,conv,batchnorm,gap,flatten,dense',
    [2, 9, 9],
    'softmax',
  ],
  ['zero padding in front of pooling and a convolution', zeroPadded, 'conv,pool,conv,pool,flatten,dense', [2, 7, 7], 'logits'],
  ['1-D, dilation, global average pooling', cnn1d, 'conv,pool,conv,gap,flatten,dense', [2, 20], 'logits'],
  ['MobileNet-style, depthwise and ReLU6', mobilenet, 'conv,depthwise,batchnorm,depthwise,conv,flatten,dense', [2, 8, 8], 'logits'],
])('a tfjs CNN (%s) imports and matches the original and its ONNX export', async (name, build, ops, shape, form) => {
  const file = await save(build(), name.replace(/[^a-z0-9]+/gi, '-'));
  const m = importModel(file);
  const net = m.network;
  expect(net.layers.map((l) => l.op).join(',')).toBe(ops);
  expect(net.inputShape).toEqual(shape);
  expect(m.outputForm).toBe(form);
  const x = randomRows(net, 100, 4);
  const c = await checkImport(m, x, 100);
  expect(c.maxProbabilityDiff).toBeLessThanOrEqual(1e-5);
  expect(c.labelDisagreements).toBe(0);
  // the values are read channels first: fed as they are, channels last, the original disagrees
  if (shape[0] > 1) {
    const naive = await checkImport({ ...m, original: { ...m.original, channelsFirst: false } as typeof m.original }, x, 100);
    expect(naive.passed).toBe(false);
  }
  const orig = await runOriginal(m.original, x, 100);
  const out = await runOnnx(exportOnnx(net, { producerVersion: 'test' }), x, 100, net.inputWidth);
  let worst = 0;
  orig.probabilities.forEach((p, i) => (worst = Math.max(worst, Math.abs(out.probabilities[i] - p))));
  expect(worst).toBeLessThanOrEqual(1e-5);
});

test('zero padding that a max pooling of negative values or no window reads is refused by name', async () => {
  const m = tf.sequential();
  m.add(tf.layers.conv2d({ inputShape: [6, 6, 1], filters: 2, kernelSize: 3 }));
  m.add(tf.layers.zeroPadding2d({ padding: 1 }));
  m.add(tf.layers.maxPooling2d({ poolSize: 2 }));
  m.add(tf.layers.flatten());
  m.add(tf.layers.dense({ units: 2 }));
  const file = await save(m, 'zero-max');
  expect(() => importModel(file)).toThrow(
    /layer "max_pooling2d_\w+" \(MaxPooling2D\) pools the zero padding of "zero_padding2d_\w+" over an input that can be negative/,
  );
  const f = tf.sequential();
  f.add(tf.layers.conv2d({ inputShape: [6, 6, 1], filters: 2, kernelSize: 3 }));
  f.add(tf.layers.zeroPadding2d({ padding: 1 }));
  f.add(tf.layers.flatten());
  f.add(tf.layers.dense({ units: 2 }));
  const file1 = await save(f, 'zero-flatten');
  expect(() => importModel(file1)).toThrow(
    /layer "flatten_\w+" \(Flatten\) follows zero padding \("zero_padding2d_\w+"\); gs-compress reads zero padding in front of a convolution or a pooling/,
  );
});

test('a Reshape other than the pooled vector to 1 x 1 positions and back is refused by name', async () => {
  const m = tf.sequential();
  m.add(tf.layers.conv2d({ inputShape: [6, 6, 1], filters: 2, kernelSize: 3 }));
  m.add(tf.layers.reshape({ targetShape: [16, 2] }));
  m.add(tf.layers.flatten());
  m.add(tf.layers.dense({ units: 2 }));
  const file = await save(m, 'reshape');
  expect(() => importModel(file)).toThrow(
    /layer "reshape_\w+" \(Reshape\) reshapes a tensor of shape 2x4x4 to \[16,2\]; gs-compress reads a Reshape only between a pooled vector and 1 x 1 positions/,
  );
});

test('a DepthwiseConv2D with depth_multiplier 2 is refused by name', async () => {
  const m = tf.sequential();
  m.add(tf.layers.conv2d({ inputShape: [6, 6, 1], filters: 2, kernelSize: 3 }));
  m.add(tf.layers.depthwiseConv2d({ kernelSize: 3, depthMultiplier: 2 }));
  m.add(tf.layers.flatten());
  m.add(tf.layers.dense({ units: 2 }));
  const file = await save(m, 'depthwise-multiplier');
  expect(() => importModel(file)).toThrow(
    /layer "depthwise_conv2d_\w+" \(DepthwiseConv2D\) has depth_multiplier 2: only depth_multiplier 1 is supported/,
  );
});

test('a functional model that concatenates off the channel axis, multiplies branches or has two inputs is refused by name', async () => {
  const input = tf.input({ shape: [6, 6, 1] });
  const a = tf.layers.conv2d({ filters: 2, kernelSize: 3, padding: 'same' }).apply(input) as tf.SymbolicTensor;
  const b = tf.layers.conv2d({ filters: 2, kernelSize: 1 }).apply(input) as tf.SymbolicTensor;
  const cat = tf.layers.concatenate({ axis: 1 }).apply([a, b]) as tf.SymbolicTensor;
  const out = tf.layers.dense({ units: 2 }).apply(tf.layers.flatten().apply(cat)) as tf.SymbolicTensor;
  const file = await save(tf.model({ inputs: input, outputs: out }), 'concat');
  expect(() => importModel(file)).toThrow(/layer "concatenate_\w+" \(Concatenate\) concatenates on axis 1, not the channel axis/);
  const mul = tf.layers.multiply().apply([a, b]) as tf.SymbolicTensor;
  const out2 = tf.layers.dense({ units: 2 }).apply(tf.layers.flatten().apply(mul)) as tf.SymbolicTensor;
  const file1 = await save(tf.model({ inputs: input, outputs: out2 }), 'multiply');
  expect(() => importModel(file1)).toThrow(/branches off "input\w*" .*without an Add or a Concatenate that joins the branches/);
  const x = tf.input({ shape: [4, 4, 1] });
  const y = tf.input({ shape: [4, 4, 1] });
  const sum = tf.layers.add().apply([x, y]) as tf.SymbolicTensor;
  const two = tf.layers.dense({ units: 2 }).apply(tf.layers.flatten().apply(sum)) as tf.SymbolicTensor;
  const file2 = await save(tf.model({ inputs: [x, y], outputs: two }), 'two-inputs');
  expect(() => importModel(file2)).toThrow(/the model has 2 inputs .*; gs-compress imports models with one input/);
});
