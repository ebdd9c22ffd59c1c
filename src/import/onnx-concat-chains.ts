/**
 * DenseNet's concatenations as a chain of two-input joins, before the walk. torchvision's dense
 * block concatenates every earlier tensor afresh in each layer: Concat(x0), Concat(x0, f1),
 * Concat(x0, f1, f2), ..., so one tensor is read by several Concats, which the join finder
 * (onnx-forks.ts) does not read. Concatenation on one axis is associative, so each Concat whose
 * inputs but the last are exactly another Concat's inputs (same axis) reads that Concat's output and
 * its last input instead, and a Concat of one input is that input: the block becomes
 * h1 = x0, h2 = [h1, f1(h1)], h3 = [h2, f2(h2)], ..., DenseNet's join (`[|f]`) one layer at a time.
 * The graph's node list is rewritten (new node objects; the file's bytes are untouched).
 */
import { attrInt, type Node } from './onnx-graph';
import type { onnx } from '../codec/onnx-proto';

const key = (axis: number, inputs: readonly string[]) => `${axis}\u0000${inputs.join('\u0000')}`;

/** The graph with DenseNet-style Concats chained (see the module comment); the same graph when there are none. */
export function chainConcats(graph: onnx.IGraphProto): onnx.IGraphProto {
  const nodes = graph.node ?? [];
  const concats = nodes.filter((n) => n.opType === 'Concat');
  if (concats.length < 2 && !concats.some((n) => (n.input ?? []).length === 1)) return graph;
  const outputs = new Set((graph.output ?? []).map((o) => o.name ?? ''));
  // a Concat of one input (not a graph output) is its input
  const alias = new Map<string, string>();
  for (const n of concats) {
    const out = n.output?.[0] ?? '';
    if ((n.input ?? []).length === 1 && !outputs.has(out)) alias.set(out, n.input?.[0] ?? '');
  }
  const real = (t: string): string => {
    let cur = t;
    while (alias.has(cur)) cur = alias.get(cur) as string;
    return cur;
  };
  const byInputs = new Map<string, string>();
  for (const n of concats) {
    const inputs = (n.input ?? []).map(real);
    if (inputs.length > 1) byInputs.set(key(attrInt(n, 'axis', 0), inputs), n.output?.[0] ?? '');
  }
  const rewritten: Node[] = [];
  for (const n of nodes) {
    const out = n.output?.[0] ?? '';
    if (n.opType === 'Concat' && alias.has(out)) continue;
    const inputs = (n.input ?? []).map(real);
    if (n.opType === 'Concat' && inputs.length > 2) {
      const prefix = byInputs.get(key(attrInt(n, 'axis', 0), inputs.slice(0, -1)));
      if (prefix !== undefined) {
        rewritten.push({ ...n, input: [prefix, inputs[inputs.length - 1]] });
        continue;
      }
    }
    rewritten.push(inputs.every((t, i) => t === (n.input ?? [])[i]) ? n : { ...n, input: inputs });
  }
  return { ...graph, node: rewritten };
}
