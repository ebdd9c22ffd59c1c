/**
 * Running a user's original ONNX file (onnx/original.ts): a fixed batch dimension, as the default
 * torch.onnx.export writes it, is run at any number of rows through a copy with a symbolic batch;
 * a graph that bakes the batch size into a Reshape fails the probe and is fed in chunks of its batch
 * (the last one padded). Both give the rows' true outputs.
 */
import { FLOAT, floatTensor, int64Tensor, node, onnx, valueInfo } from '../../src/codec/onnx-proto';
import { OriginalSession } from '../../src/onnx/original';
import { Rng } from '../../src/util/rng';

const D = 5;
const C = 3;
const rng = new Rng(3);
const W = Float32Array.from({ length: D * C }, () => rng.normal());
const b = Float32Array.from({ length: C }, () => rng.normal());

/** x [batch, D] -> (Reshape to [batch, D] with the batch baked in) -> MatMul W -> Add b -> y [batch, C]. */
function model(batch: number, bakeReshape: boolean): Uint8Array {
  const nodes = [];
  let cur = 'x';
  if (bakeReshape) {
    nodes.push(node('Reshape', ['x', 'shape'], ['flat'], 'reshape'));
    cur = 'flat';
  }
  nodes.push(node('MatMul', [cur, 'W'], ['xw'], 'matmul'), node('Add', ['xw', 'b'], ['y'], 'add'));
  const m: onnx.IModelProto = {
    irVersion: 8,
    opsetImport: [{ domain: '', version: 17 }],
    producerName: 'test',
    graph: {
      name: 'g',
      node: nodes,
      initializer: [floatTensor('W', [D, C], W), floatTensor('b', [C], b), int64Tensor('shape', [2], [batch, D])],
      input: [valueInfo('x', FLOAT, [batch, D])],
      output: [valueInfo('y', FLOAT, [batch, C])],
    },
  };
  return onnx.ModelProto.encode(m).finish();
}

function expected(x: Float32Array, rows: number): Float32Array {
  const y = new Float32Array(rows * C);
  for (let r = 0; r < rows; r++) {
    for (let j = 0; j < C; j++) {
      let s = b[j];
      for (let i = 0; i < D; i++) s += x[r * D + i] * W[i * C + j];
      y[r * C + j] = s;
    }
  }
  return y;
}

const rows = 7;
const x = Float32Array.from({ length: rows * D }, () => rng.normal());

test.each([
  [1, false, 'dynamic'],
  [4, false, 'dynamic'],
  [1, true, 'fixed'],
  [3, true, 'fixed'],
] as const)('a batch fixed at %d (Reshape baking it in: %s) runs any number of rows (%s)', async (batch, bake, mode) => {
  const s = await OriginalSession.open(model(batch, bake), { inputName: 'x', inputShape: [D], outputs: ['y'] });
  try {
    expect(s.mode.kind).toBe(mode);
    expect(s.fileBatch).toBe(batch);
    const [y] = await s.run(x, rows);
    const want = expected(x, rows);
    expect(y.length).toBe(want.length);
    for (let i = 0; i < y.length; i++) expect(Math.abs(y[i] - want[i])).toBeLessThan(1e-5);
  } finally {
    await s.close();
  }
});
