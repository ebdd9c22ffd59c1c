/**
 * How a full-width ONNX model picks its kept input columns, the table of forms the exporter
 * chooses from:
 * - 'zero-rows': no selection node; the first kernel gets a zero row for every dropped column
 *   (one MatMul over the full width).
 * - 'segments': the kept columns are covered by a few contiguous column ranges (nearby runs
 *   merged, dropped columns inside a range become zero rows), each taken with one Slice and
 *   joined by one Concat; the first MatMul then reads only those ranges.
 * - 'gather': a Gather on axis 1 of exactly the kept columns (the smallest first kernel, but
 *   onnxruntime gathers column by column and is slow at large batches).
 * - 'compact': the input already holds only the kept columns (compactInput), nothing to select.
 * chooseInputForm picks by a per-row cost model fitted to measurements (FORM_COSTS).
 */
import type { DenseLayer, Network } from '../network/types';
import type { GraphParts } from './graph-parts';
import { int64Tensor, intAttr, node } from '../codec/onnx-proto';

export type InputForm = 'zero-rows' | 'segments' | 'gather' | 'compact';
export const INPUT_FORMS: readonly InputForm[] = ['zero-rows', 'segments', 'gather', 'compact'];

/** Most Slice nodes the 'segments' form uses (each costs a node launch at batch 1). */
export const MAX_SEGMENTS = 4;

/** Contiguous runs [lo, hi) of ascending column indices. */
export function columnRuns(cols: number[]): [number, number][] {
  const runs: [number, number][] = [];
  for (const c of cols) {
    const last = runs[runs.length - 1];
    if (last && last[1] === c) last[1] = c + 1;
    else runs.push([c, c + 1]);
  }
  return runs;
}

/** Runs merged across their smallest gaps until at most `max` ranges remain. */
export function mergeRuns(runs: [number, number][], max: number): [number, number][] {
  const r = runs.map(([a, b]) => [a, b] as [number, number]);
  while (r.length > Math.max(1, max)) {
    let best = 0;
    for (let i = 1; i < r.length - 1; i++) if (r[i + 1][0] - r[i][1] < r[best + 1][0] - r[best][1]) best = i;
    r.splice(best, 2, [r[best][0], r[best + 1][1]]);
  }
  return r;
}

/** Columns the first MatMul reads under a form (ascending). */
export function readColumns(net: Network, form: InputForm, maxSegments = MAX_SEGMENTS): number[] {
  if (form === 'gather' || form === 'compact') return net.inputIndices;
  const ranges = form === 'zero-rows' ? [[0, net.inputWidth] as [number, number]] : mergeRuns(columnRuns(net.inputIndices), maxSegments);
  return ranges.flatMap(([lo, hi]) => Array.from({ length: hi - lo }, (_, i) => lo + i));
}

/**
 * Per-row cost (ns) of reading columns before the first MatMul, fitted to onnxruntime 1.30 CPU
 * at batch 1024 (scripts/bench-onnx.ts --forms on the quickstart model, 1 thread): a multiply-add
 * of the first MatMul, a column copied by Slice, a column picked by Gather (element by element).
 */
export const FORM_COSTS = { multiplyAdd: 0.11, sliceColumn: 3.3, gatherColumn: 25 } as const;

/** Modelled per-row cost (ns) of a form for this network; lower is faster. */
export function formCost(net: Network, form: InputForm, maxSegments = MAX_SEGMENTS): number {
  const h = net.layers[0].outSize;
  const read = readColumns(net, form, maxSegments).length;
  const per = form === 'gather' ? FORM_COSTS.gatherColumn : form === 'segments' ? FORM_COSTS.sliceColumn : 0;
  return read * (h * FORM_COSTS.multiplyAdd + per);
}

/**
 * The form the exporter uses for a full-width input: the cheapest by formCost. Zero rows win
 * unless most columns are dropped and the first layer is wide (then Slice segments or, for
 * kept columns scattered over a very wide input, a Gather); zero rows are never slower than
 * the dense model (the same single MatMul, fewer units).
 */
export function chooseInputForm(net: Network): InputForm {
  const forms: InputForm[] = ['zero-rows', 'segments', 'gather'];
  return forms.reduce((best, f) => (formCost(net, f) < formCost(net, best) ? f : best), 'zero-rows' as InputForm);
}

export interface SelectedInput {
  /** Name of the tensor the first layer reads. */
  output: string;
  /** The first layer, its kernel rows laid out for the columns it reads (zero rows for dropped ones). */
  layer: DenseLayer;
  /** Means to subtract from those columns (scaling), or null. */
  mean: Float32Array | null;
}

/** Rows of `layer` (one per kept column) placed at the positions of `cols`; other rows zero. */
function expandRows(
  net: Network,
  layer: DenseLayer,
  mean: Float32Array | null,
  cols: number[],
): { layer: DenseLayer; mean: Float32Array | null } {
  const pos = new Map(cols.map((c, i) => [c, i]));
  const { outSize } = layer;
  const kernel = new Float32Array(cols.length * outSize);
  const m = mean ? new Float32Array(cols.length) : null;
  net.inputIndices.forEach((c, k) => {
    const p = pos.get(c)!;
    kernel.set(layer.kernel.subarray(k * outSize, (k + 1) * outSize), p * outSize);
    if (m && mean) m[p] = mean[k];
  });
  return { layer: { ...layer, inSize: cols.length, kernel }, mean: m };
}

/** Emits the selection nodes of `form` after `input` and lays out the first layer to match. */
export function selectInputs(
  net: Network,
  folded: { layer: DenseLayer; mean: Float32Array | null },
  form: InputForm,
  input: string,
  g: GraphParts,
  maxSegments = MAX_SEGMENTS,
): SelectedInput {
  if (form === 'compact') return { output: input, ...folded };
  if (form === 'gather') {
    g.inits.push(int64Tensor('kept_indices', [net.inputIndices.length], net.inputIndices));
    g.nodes.push(node('Gather', [input, 'kept_indices'], ['kept_features'], 'select_inputs', [intAttr('axis', 1)]));
    return { output: 'kept_features', ...folded };
  }
  const cols = readColumns(net, form, maxSegments);
  const expanded = expandRows(net, folded.layer, folded.mean, cols);
  if (cols.length === net.inputWidth) return { output: input, ...expanded };
  const ranges = mergeRuns(columnRuns(net.inputIndices), maxSegments);
  g.inits.push(int64Tensor('axis1', [1], [1]));
  const parts = ranges.map(([lo, hi], s) => {
    g.inits.push(int64Tensor(`segment${s}.start`, [1], [lo]), int64Tensor(`segment${s}.end`, [1], [hi]));
    const out = ranges.length === 1 ? 'kept_features' : `segment${s}`;
    g.nodes.push(node('Slice', [input, `segment${s}.start`, `segment${s}.end`, 'axis1'], [out], `select_columns_${lo}_${hi}`));
    return out;
  });
  if (parts.length > 1) g.nodes.push(node('Concat', parts, ['kept_features'], 'join_segments', [intAttr('axis', 1)]));
  return { output: 'kept_features', ...expanded };
}
