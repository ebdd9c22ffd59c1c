/**
 * The `--arch` grammar: a preset or tokens joined by '-', resolved against the per-example input
 * shape ([C, H, W] images, [C, L] sequences, [F] flat rows for dense-only specs) into a typed list
 * of layer specs with their shapes, parameter and multiply-add counts. The classifier (a dense
 * layer of one unit per class, linear) is appended by the caller; archCounts adds it to the totals.
 *
 *   cNkK[pP][sS]  convolution, N output channels, kernel K (K x K in 2-D), zero padding P on every
 *                 side (default 0), stride S (default 1), bias; 1-D or 2-D follows the input shape
 *   dkK[pP][sS]   depthwise convolution: each channel through its own K (x K) filter + bias (torch's
 *                 Conv2d(C, C, K, groups=C)), padding P, stride S as for cNkK; channels unchanged
 *   bn            batch normalization of the (depthwise) convolution just before it
 *   mS / aS       max / average pooling, window S and stride S, no padding, floor mode
 *   g             global average pooling (output C x 1 x 1, or C x 1)
 *   fN            dense layer of N units; a flatten (NCHW order, as ONNX) is implied before the first
 *                 dense layer after spatial layers, and at the end when the spec ends spatial
 *   ( ... )       a residual block: the tokens between the parentheses are the branch, and the block's
 *                 input is added to its output (torch's BasicBlock: the branch's last layer is linear,
 *                 ReLU after the sum), e.g. c16k3p1-bn-(c16k3p1-bn-c16k3p1-bn)-m2. When the branch
 *                 changes the channels or strides, the shortcut is a 1x1 convolution with that stride
 *                 (and batch norm when the branch has it), as torch's downsample. Blocks may nest.
 *   [ A | B ... ]  a join: each branch (tokens joined by '-', or nothing for the input itself) reads
 *                 the join's input, and their outputs are concatenated along the channels in order
 *                 (torch.cat(dim=1); Inception, SqueezeNet's Fire, DenseNet's [|B]), e.g.
 *                 c16k3p1-[c8k1|c8k1-c16k3p1]-m2. Branches must end at the same spatial size and
 *                 stay spatial; joins and residual blocks may nest in each other.
 *   presets       lenet5 = c6k5-m2-c16k5-m2-f120-f84, lenet5-caffe = c20k5-m2-c50k5-m2-f500,
 *                 fashion = c16k3p1-m2-c32k3p1-m2-f128 (the peer's name for the Fashion-MNIST net
 *                 without batch norm)
 *
 * What ../shared/bench/cnn_prune_peer.py (`parse`, `build`) does, mirrored here:
 *   - tokens are matched exactly, lowercase, in this order (c, k, then p): c(\d+)k(\d+)(p(\d+))?,
 *     ([ma])(\d+), g, f(\d+); anything else is refused; padding defaults to 0;
 *   - ReLU follows every convolution and every hidden dense layer; with batch norm the order is
 *     conv -> BatchNorm -> ReLU (so here a conv followed by `bn` carries no activation, and the bn
 *     carries the ReLU); pooling comes after the ReLU; the classifier is linear;
 *   - pools are nn.MaxPool2d(S) / nn.AvgPool2d(S): kernel = stride = S, no padding, floor;
 *     g is nn.AdaptiveAvgPool2d(1); nn.Flatten before the first dense layer (or the classifier);
 *   - parameters = weights + biases of conv and dense layers + gamma and beta of batch norm
 *     (running statistics are buffers, not parameters); MACs = C_in*N*K*K*H_out*W_out per
 *     convolution + in*out per dense layer, nothing for bias, batch norm, ReLU or pooling.
 * Where the peer differs: it has no `sS` (stride is always 1) and no `bn` token (its --bn flag puts
 * batch norm after every convolution, i.e. spec `c..-m2-c..` with --bn = `c..-bn-m2-c..-bn` here),
 * and it is 2-D only (1-D inputs exist only here). Zero sizes (c0k5, m0) are refused here; the peer
 * fails in torch.
 */
import { GsError } from '../errors';
import type { Activation } from './activations';
import { convGeometry, convMultiplyAdds, convOutputShape, convParameterCount } from './kernels/conv';
import { batchNormParameterCount } from './kernels/batchnorm';
import { joinSteps, type JoinStep } from './layers/concat';
import { poolGeometry, poolOutputShape } from './kernels/pool';

export const ARCH_PRESETS: Readonly<Record<string, string>> = {
  lenet5: 'c6k5-m2-c16k5-m2-f120-f84',
  'lenet5-caffe': 'c20k5-m2-c50k5-m2-f500',
  fashion: 'c16k3p1-m2-c32k3p1-m2-f128',
};

export const ARCH_GRAMMAR =
  "a preset (lenet5, lenet5-caffe, fashion) or tokens joined by '-': cNkK[pP][sS] (convolution: N channels, kernel K, padding P, stride S), " +
  'dkK[pP][sS] (depthwise convolution: one K filter per channel), bn (batch norm after a convolution), mS / aS (max / average pool, size and stride S), g (global average pool), fN (dense, N units), ' +
  'and ( ... ) around tokens for a residual block (its input added to its output, ReLU after the sum), ' +
  '[ A | B ] for branches whose outputs are concatenated along the channels (an empty branch is the input itself)';

const RELU: Activation = { name: 'relu' };

interface LayerBase {
  /** The token it came from ('' for an implied flatten). */
  token: string;
  /** Name for messages: `layer 3 (c16k5)`. */
  name: string;
  /** Per-example input and output shapes. */
  inShape: number[];
  outShape: number[];
  params: number;
  macs: number;
}

export interface ConvSpec extends LayerBase {
  op: 'conv';
  outChannels: number;
  kernel: number;
  pad: number;
  stride: number;
  /** Applied after the layer; null when batch norm follows (the activation comes after it). */
  activation: Activation | null;
}
export interface DepthwiseSpec extends LayerBase {
  op: 'depthwise';
  channels: number;
  kernel: number;
  pad: number;
  stride: number;
  activation: Activation | null;
}
export interface BatchNormSpec extends LayerBase {
  op: 'batchnorm';
  channels: number;
  activation: Activation | null;
}
export interface PoolSpec extends LayerBase {
  op: 'maxpool' | 'avgpool';
  size: number;
}
export interface GlobalAvgPoolSpec extends LayerBase {
  op: 'globalavgpool';
}
export interface FlattenSpec extends LayerBase {
  op: 'flatten';
}
export interface DenseSpec extends LayerBase {
  op: 'dense';
  units: number;
  activation: Activation | null;
}
/** The residual layers (network/layers/residual.ts): `save` opens a block, `shortcut` starts its
 * projection, `add` closes it (with the ReLU after the sum). */
export interface ResidualSpec extends LayerBase {
  op: 'save' | 'shortcut' | 'add';
  slot: number;
  activation: Activation | null;
}
/** A join's concat (network/layers/concat.ts): the slot's tensor (the branches before) and the
 * current one (the last branch) side by side; `first` is the slot's channels. */
export interface ConcatSpec extends LayerBase {
  op: 'concat';
  slot: number;
  first: number;
}
export type ArchLayerSpec =
  ConvSpec | DepthwiseSpec | BatchNormSpec | PoolSpec | GlobalAvgPoolSpec | FlattenSpec | DenseSpec | ResidualSpec | ConcatSpec;

export interface Arch {
  /** The spec as given, and with a preset expanded. */
  spec: string;
  expanded: string;
  inputShape: number[];
  layers: ArchLayerSpec[];
  /** The features the classifier reads (a flat [F]). */
  outputShape: [number];
  /** Totals without the classifier. */
  params: number;
  macs: number;
}

const CONV = /^c(\d+)k(\d+)(?:p(\d+))?(?:s(\d+))?$/;
const DEPTHWISE = /^dk(\d+)(?:p(\d+))?(?:s(\d+))?$/;
const POOL = /^([ma])(\d+)$/;
const DENSE = /^f(\d+)$/;

function positive(spec: string, tok: string, what: string, text: string, min = 1): number {
  const v = Number(text);
  if (!Number.isSafeInteger(v) || v < min) {
    throw new GsError('BAD_OPTION', `--arch ${spec}: token '${tok}' has ${what} ${text}, expected an integer >= ${min}`);
  }
  return v;
}

const size = (s: readonly number[]): number => s.reduce((a, v) => a * v, 1);

/** Reads `--input-shape C,H,W` (or C,L, or F): positive integers separated by commas. */
export function parseInputShape(text: string): number[] {
  const parts = text.split(',').map((s) => s.trim());
  const dims = parts.map(Number);
  if (parts.length < 1 || parts.length > 3 || parts.some((p) => !/^\d+$/.test(p)) || dims.some((d) => d < 1)) {
    throw new GsError(
      'BAD_OPTION',
      `--input-shape ${text}: expected C,H,W (images), C,L (sequences) or F, positive integers separated by commas`,
    );
  }
  return dims;
}

/** Checks that an input shape holds exactly the `width` feature values each example of `source` has. */
export function checkInputShape(shape: readonly number[], width: number, source: string): void {
  if (size(shape) !== width) {
    throw new GsError(
      'BAD_OPTION',
      `--input-shape ${shape.join(',')} holds ${size(shape)} values per example, but ${source} has ${width} feature values per example`,
    );
  }
}

/**
 * Parses an --arch spec against the per-example input shape. Throws a GsError naming the token and
 * the grammar for a bad string, `bn` not after a convolution, spatial layers on a flat input or
 * after a dense layer, and a spatial size that would become < 1 (naming the layer and the sizes).
 */
export function parseArch(spec: string, inputShape: readonly number[]): Arch {
  const expanded = Object.hasOwn(ARCH_PRESETS, spec) ? ARCH_PRESETS[spec] : spec;
  if (inputShape.length < 1 || inputShape.length > 3 || inputShape.some((d) => !Number.isInteger(d) || d < 1)) {
    throw new GsError('BAD_OPTION', `--arch ${spec}: input shape ${inputShape.join(',')} is not C,H,W, C,L or F with positive sizes`);
  }
  const layers: ArchLayerSpec[] = [];
  let shape = [...inputShape];
  const flat = (): boolean => shape.length === 1;
  const push = <T extends ArchLayerSpec>(l: T): T => {
    layers.push(l);
    shape = l.outShape;
    return l;
  };
  const flatten = (): void => {
    push({
      op: 'flatten',
      token: '',
      name: `flatten before layer ${layers.length + 1}`,
      inShape: shape,
      outShape: [size(shape)],
      params: 0,
      macs: 0,
    });
  };
  const tokens = expanded.split('-');
  const branchCounts = joinBranches(expanded);
  let slots = 0;
  // open residual blocks and joins: where each started (its input shape, its first layer, its slots)
  const blocks: Block[] = [];
  const residual = (
    op: ResidualSpec['op'],
    token: string,
    name: string,
    outShape: number[],
    activation: Activation | null = null,
    slot = blocks[blocks.length - 1].slot,
  ) => push({ op, token, name, inShape: shape, outShape, params: 0, macs: 0, slot, activation });
  const closeBlock = (name: string): void => {
    const b = blocks[blocks.length - 1];
    if (b.join) throw new GsError('BAD_OPTION', `${name}: ')' closes the join opened at '${b.token}', which ']' must close`);
    const branch = layers.slice(b.first + 1);
    if (branch.length === 0) throw new GsError('BAD_OPTION', `${name}: a residual block needs layers between ( and )`);
    // torch's BasicBlock: the branch ends linear, the ReLU comes after the sum
    const last = branch[branch.length - 1];
    if (last.op === 'conv' || last.op === 'depthwise' || last.op === 'batchnorm' || last.op === 'dense') last.activation = null;
    const out = shape;
    const same = out.length === b.inShape.length && out.every((v, k) => v === b.inShape[k]);
    if (!same) {
      const axes = b.inShape.length - 1;
      const stride = axes > 0 && out.length === b.inShape.length ? Math.ceil(b.inShape[1] / out[1]) : 0;
      const fits = stride >= 1 && b.inShape.slice(1).every((v, k) => Math.floor((v - 1) / stride) + 1 === out[k + 1]);
      if (!fits) {
        throw new GsError(
          'BAD_OPTION',
          `${name}: the residual block opened at '${b.token}' turns ${b.inShape.join('x')} into ${out.join('x')}; its input can be added only when the branch keeps the spatial size or shrinks it by a stride (a 1x1 convolution shortcut)`,
        );
      }
      residual('shortcut', '', `shortcut of the block closed at ${name}`, [...b.inShape]);
      const g = convGeometry(name, shape, out[0], {
        kernel: new Array<number>(axes).fill(1),
        pads: new Array<number>(axes).fill(0),
        strides: new Array<number>(axes).fill(stride),
      });
      push({
        op: 'conv',
        token: '',
        name: `projection of the block closed at ${name}`,
        inShape: shape,
        outShape: convOutputShape(g),
        params: convParameterCount(g),
        macs: convMultiplyAdds(g),
        outChannels: out[0],
        kernel: 1,
        pad: 0,
        stride,
        activation: null,
      });
      if (branch.some((l) => l.op === 'batchnorm')) {
        push({
          op: 'batchnorm',
          token: '',
          name: `projection batch norm of the block closed at ${name}`,
          inShape: shape,
          outShape: shape,
          params: batchNormParameterCount(out[0]),
          macs: 0,
          channels: out[0],
          activation: null,
        });
      }
    }
    residual('add', '', `sum of the block closed at ${name}`, [...shape], RELU);
    blocks.pop();
  };
  /** The join's current branch ends here: the slot layers after it (joinSteps), the last one's concat included. */
  const endBranch = (b: Block, name: string): void => {
    const j = b.join as JoinState;
    if (flat())
      throw new GsError('BAD_OPTION', `${name}: a branch of the join opened at '${b.token}' ends flat; branches must stay spatial`);
    if (j.spatial !== null && j.spatial !== shape.slice(1).join('x'))
      throw new GsError(
        'BAD_OPTION',
        `${name}: the branches of the join opened at '${b.token}' end at ${j.spatial} and ${shape.slice(1).join('x')}; they must end at the same spatial size to be concatenated`,
      );
    j.spatial = shape.slice(1).join('x');
    for (const step of j.steps.after(j.branch)) {
      const at = `the join at ${name}`;
      if (step.op === 'save') {
        j.shapes.set(step.slot, [...shape]);
        residual('save', '', `input kept for ${at}`, [...shape], null, step.slot);
      } else if (step.op === 'shortcut') {
        j.shapes.set(step.slot, [...shape]);
        residual('shortcut', '', `branch ${j.branch + 2} of ${at}`, [...b.inShape], null, step.slot);
      } else {
        const first = (j.shapes.get(step.slot) as number[])[0];
        const out = [first + shape[0], ...shape.slice(1)];
        push({
          op: 'concat',
          token: '',
          name: `concat of ${at}`,
          inShape: shape,
          outShape: out,
          params: 0,
          macs: 0,
          slot: step.slot,
          first,
        });
      }
    }
    j.branch++;
  };
  const openJoin = (raw: string, name: string): void => {
    if (flat()) throw new GsError('BAD_OPTION', `${name}: a join needs an image or sequence input, not a flat one`);
    const branches = branchCounts.shift() as number;
    if (branches < 2) throw new GsError('BAD_OPTION', `${name}: the join opened at '${raw}' has one branch; separate two or more with '|'`);
    const steps = joinSteps(branches, slots++, slots++);
    const join: JoinState = { steps: { branches, after: steps.after }, branch: 0, spatial: null, shapes: new Map() };
    blocks.push({ inShape: [...shape], first: layers.length, token: raw, slot: steps.start[0].slot, join });
    join.shapes.set(steps.start[0].slot, [...shape]);
    residual('save', '[', `start of the join at ${name}`, [...shape], null, steps.start[0].slot);
  };
  const innerJoin = (name: string, what: string): Block => {
    const b = blocks[blocks.length - 1];
    if (!b?.join)
      throw new GsError(
        'BAD_OPTION',
        `${name}: '${what}' ${b ? `inside the residual block opened at '${b.token}'` : 'outside any join'}; it belongs to a [ ... | ... ] join`,
      );
    return b;
  };
  tokens.forEach((raw, i) => {
    raw.split('|').forEach((segment, piece) => {
      const name0 = `--arch ${spec}, layer ${i + 1} (${raw})`;
      if (piece > 0) {
        const b = innerJoin(name0, '|');
        endBranch(b, name0);
      }
      token(segment, raw, i, piece > 0 || raw.includes('|'));
    });
  });
  function token(raw: string, whole: string, i: number, inJoin: boolean): void {
    const opens = /^[([]*/.exec(raw)![0];
    const closes = /[)\]]*$/.exec(raw.slice(opens.length))![0];
    const tok = raw.slice(opens.length, raw.length - closes.length);
    const name = `--arch ${spec}, layer ${i + 1} (${tok || whole})`;
    for (const o of opens) {
      if (o === '[') {
        openJoin(raw, name);
        continue;
      }
      if (flat()) throw new GsError('BAD_OPTION', `${name}: a residual block needs an image or sequence input, not a flat one`);
      blocks.push({ inShape: [...shape], first: layers.length, token: raw, slot: slots++ });
      residual('save', '(', `start of the block at ${name}`, [...shape]);
    }
    // a branch may be empty (the join's input itself): '[|c8k3', 'c8k1|]', '[c8k1||c8k3]'
    if (tok === '' && (opens.includes('[') || closes.includes(']') || inJoin)) {
      closeAll(closes, name);
      return;
    }
    const spatial = (what: string): void => {
      if (!flat()) return;
      throw new GsError(
        'BAD_OPTION',
        layers.some((l) => l.op === 'dense')
          ? `${name}: ${what} after a dense layer; spatial layers come before the first fN`
          : `${name}: ${what} needs an image (C,H,W) or sequence (C,L) input, but the input is ${inputShape.join(',')} (give --input-shape)`,
      );
    };
    let m: RegExpExecArray | null;
    /** A convolution's window from its kernel, padding and stride groups (the last three of `m` from `at`), as geometry of `out` channels. */
    const window = (at: number, out: number, group?: number) => {
      const k = positive(spec, tok, 'kernel', (m as RegExpExecArray)[at]);
      const pm = (m as RegExpExecArray)[at + 1];
      const sm = (m as RegExpExecArray)[at + 2];
      const p = pm === undefined ? 0 : positive(spec, tok, 'padding', pm, 0);
      const s = sm === undefined ? 1 : positive(spec, tok, 'stride', sm);
      const axes = shape.length - 1;
      const g = convGeometry(name, shape, out, {
        kernel: new Array<number>(axes).fill(k),
        pads: new Array<number>(axes).fill(p),
        strides: new Array<number>(axes).fill(s),
        ...(group !== undefined ? { group } : {}),
      });
      const counts = { outShape: convOutputShape(g), params: convParameterCount(g), macs: convMultiplyAdds(g) };
      return { token: tok, name, inShape: shape, ...counts, kernel: k, pad: p, stride: s, activation: RELU };
    };
    if ((m = CONV.exec(tok))) {
      spatial('a convolution');
      const n = positive(spec, tok, 'channels', m[1]);
      push({ op: 'conv', outChannels: n, ...window(2, n) });
    } else if ((m = DEPTHWISE.exec(tok))) {
      spatial('a depthwise convolution');
      push({ op: 'depthwise', channels: shape[0], ...window(1, shape[0], shape[0]) });
    } else if (tok === 'bn') {
      const prev = layers[layers.length - 1];
      if (!prev || (prev.op !== 'conv' && prev.op !== 'depthwise')) {
        throw new GsError(
          'BAD_OPTION',
          `${name}: bn must come right after a convolution (cNkK... or dkK...), not ${prev ? `after '${prev.token}'` : 'first'}`,
        );
      }
      prev.activation = null;
      const c = shape[0];
      push({
        op: 'batchnorm',
        token: tok,
        name,
        inShape: shape,
        outShape: shape,
        params: batchNormParameterCount(c),
        macs: 0,
        channels: c,
        activation: RELU,
      });
    } else if ((m = POOL.exec(tok))) {
      spatial('pooling');
      const sz = positive(spec, tok, 'size', m[2]);
      const axes = shape.length - 1;
      const win = new Array<number>(axes).fill(sz);
      const g = poolGeometry(name, shape, { kernel: win, strides: win });
      push({
        op: m[1] === 'm' ? 'maxpool' : 'avgpool',
        token: tok,
        name,
        inShape: shape,
        outShape: poolOutputShape(g),
        params: 0,
        macs: 0,
        size: sz,
      });
    } else if (tok === 'g') {
      spatial('global average pooling');
      push({
        op: 'globalavgpool',
        token: tok,
        name,
        inShape: shape,
        outShape: [shape[0], ...shape.slice(1).map(() => 1)],
        params: 0,
        macs: 0,
      });
    } else if ((m = DENSE.exec(tok))) {
      const units = positive(spec, tok, 'units', m[1]);
      if (!flat()) flatten();
      const inF = shape[0];
      push({
        op: 'dense',
        token: tok,
        name,
        inShape: shape,
        outShape: [units],
        params: inF * units + units,
        macs: inF * units,
        units,
        activation: RELU,
      });
    } else {
      throw new GsError('BAD_OPTION', `--arch ${spec}: token ${i + 1} '${tok}' is not understood; expected ${ARCH_GRAMMAR}`);
    }
    closeAll(closes, name);
  }
  function closeAll(closes: string, name: string): void {
    for (const c of closes) {
      if (c === ']') {
        const b = innerJoin(name, ']');
        endBranch(b, name);
        blocks.pop();
        continue;
      }
      if (blocks.length === 0) throw new GsError('BAD_OPTION', `${name}: ')' closes no residual block`);
      closeBlock(name);
    }
  }
  if (blocks.length > 0) {
    const b = blocks[blocks.length - 1];
    throw new GsError(
      'BAD_OPTION',
      `--arch ${spec}: the ${b.join ? 'join' : 'residual block'} opened at '${b.token}' is not closed with '${b.join ? ']' : ')'}'`,
    );
  }
  if (!flat()) flatten();
  return {
    spec,
    expanded,
    inputShape: [...inputShape],
    layers,
    outputShape: [shape[0]],
    params: layers.reduce((a, l) => a + l.params, 0),
    macs: layers.reduce((a, l) => a + l.macs, 0),
  };
}

interface JoinState {
  /** Its branches (joinBranches) and slot layers (network/layers/concat.ts joinSteps). */
  steps: { branches: number; after: (k: number) => JoinStep[] };
  /** Branches done, the spatial size they end at (null before the first ends), each slot's shape. */
  branch: number;
  spatial: string | null;
  shapes: Map<number, number[]>;
}

interface Block {
  inShape: number[];
  first: number;
  token: string;
  slot: number;
  join?: JoinState;
}

/** The number of branches of each '[' of `spec`, in the order they open ('|' at its own depth, plus one). */
function joinBranches(spec: string): number[] {
  const counts: number[] = [];
  const open: (number | null)[] = [];
  for (const ch of spec) {
    if (ch === '[') {
      open.push(counts.length);
      counts.push(1);
    } else if (ch === '(') open.push(null);
    else if (ch === ']' || ch === ')') open.pop();
    else if (ch === '|') {
      const at = open[open.length - 1];
      if (at !== undefined && at !== null) counts[at]++;
    }
  }
  return counts;
}

/** Parameters and multiply-adds per example of the whole network, with a dense linear classifier of `classes` outputs appended. */
export function archCounts(arch: Arch, classes: number): { params: number; macs: number } {
  const f = arch.outputShape[0];
  return { params: arch.params + f * classes + classes, macs: arch.macs + f * classes };
}
