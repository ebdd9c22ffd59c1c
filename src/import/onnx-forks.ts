/**
 * Forks of a convolutional graph's chain (a tensor read by several nodes) that the CNN walk
 * (onnx-cnn.ts) can carry: a residual block (two paths an Add joins again) and a join (paths a
 * Concat on the channel axis joins again: Inception, SqueezeNet's Fire, DenseNet). Both are found
 * by the reach of each path: the tensors downstream of its first node.
 */
import type { GraphIndex, Node } from './onnx-graph';

/** Per tensor downstream of `nodes`, a bit mask of the nodes it is downstream of (bit k: nodes[k]). */
function reachOf(g: GraphIndex, nodes: readonly Node[]): Map<string, number> {
  const reach = new Map<string, number>();
  nodes.forEach((start, k) => {
    const bit = 2 ** k;
    const queue = [start];
    const seen = new Set<Node>();
    while (queue.length > 0) {
      const n = queue.pop() as Node;
      if (seen.has(n)) continue;
      seen.add(n);
      for (const o of n.output ?? []) {
        if (!o) continue;
        reach.set(o, (reach.get(o) ?? 0) | bit);
        for (const c of g.consumers.get(o) ?? []) queue.push(c);
      }
    }
  });
  return reach;
}

/** A residual block found at a fork: the Add joining the two paths, where each path starts (a node
 * reading the forked tensor; null for an identity shortcut) and the tensor it gives the Add. */
export interface Block {
  add: Node;
  branch: { start: Node; end: string };
  shortcut: { start: Node; end: string } | null;
}

/**
 * The residual block that starts where tensor `from` is read by the two `nodes`, or null when no Add
 * joins the two paths again. Identity shortcut: one of the nodes is the Add itself. Otherwise the
 * first Add (in graph order) whose inputs each come from one path alone; the path with fewer nodes
 * before it is the shortcut.
 */
export function findBlock(g: GraphIndex, from: string, nodes: Node[]): Block | null {
  const isJoin = (n: Node) => n.opType === 'Add' && (n.input ?? []).length === 2 && !(n.input ?? []).some((i) => g.konst(i));
  const reach = reachOf(g, nodes);
  const count = [0, 0];
  const identity = nodes.findIndex((n) => isJoin(n) && (n.input ?? []).includes(from));
  if (identity >= 0) {
    const add = nodes[identity];
    const start = nodes[1 - identity];
    const end = (add.input ?? []).find((i) => i !== from) as string;
    return reach.get(end) === 1 << (1 - identity) ? { add, branch: { start, end }, shortcut: null } : null;
  }
  for (const n of g.graph.node ?? []) {
    const [a, b] = n.input ?? [];
    if (!isJoin(n)) continue;
    const [ra, rb] = [reach.get(a) ?? 0, reach.get(b) ?? 0];
    if (!((ra === 1 && rb === 2) || (ra === 2 && rb === 1))) continue;
    // nodes on each path alone, before the Add
    for (const m of g.graph.node ?? []) {
      if (m === n) break;
      const r = reach.get(m.output?.[0] ?? '') ?? 0;
      if (r === 1 || r === 2) count[r - 1]++;
    }
    const ends = ra === 1 ? [a, b] : [b, a];
    const branch = count[0] >= count[1] ? 0 : 1;
    return {
      add: n,
      branch: { start: nodes[branch], end: ends[branch] },
      shortcut: { start: nodes[1 - branch], end: ends[1 - branch] },
    };
  }
  return null;
}

/** A join found at a fork: the Concat, the Concats nested in it that join its paths further (an
 * n-way join written as Concat(Concat(a, b), c), as gs-compress exports one), and per leaf input in
 * order the path that gives it (its first node and the tensor it ends at), or null where a Concat
 * reads the forked tensor itself. */
export interface Join {
  concat: Node;
  inner: Node[];
  branches: ({ starts: Node[]; end: string } | null)[];
}

/**
 * The join that starts where tensor `from` (of `rank` axes with the batch) is read by `nodes`, or
 * null: the first Concat (in graph order) on the channel axis whose every leaf input is `from`
 * itself or lies downstream of its own nodes (one, or several where a residual block starts the
 * branch), each node's path giving exactly one leaf.
 * An input that another Concat on the channel axis gives, downstream of several of the paths and
 * read by nothing else, is not a leaf: its inputs are, in order. At most 30 paths.
 */
export function findJoin(g: GraphIndex, from: string, nodes: Node[], rank: number, axisOf: (n: Node) => number): Join | null {
  if (nodes.length > 30) return null;
  const reach = reachOf(g, nodes);
  const onChannels = (n: Node | undefined) => n?.opType === 'Concat' && ((a) => (a < 0 ? a + rank : a))(axisOf(n)) === 1;
  const producer = new Map<string, Node>();
  for (const n of g.graph.node ?? []) for (const o of n.output ?? []) if (o) producer.set(o, n);
  const single = (r: number) => r > 0 && Number.isInteger(Math.log2(r));
  for (const c of g.graph.node ?? []) {
    if (!onChannels(c) || (c.input ?? []).length < 2) continue;
    const inner: Node[] = [];
    const leaves: { name: string; reader: Node }[] = [];
    const expand = (n: Node): void => {
      for (const i of n.input ?? []) {
        const p = producer.get(i);
        const r = reach.get(i) ?? 0;
        if (i !== from && onChannels(p) && !single(r) && (g.consumers.get(i) ?? []).length === 1) {
          inner.push(p as Node);
          expand(p as Node);
        } else leaves.push({ name: i, reader: n });
      }
    };
    expand(c);
    let taken = 0;
    const branches: Join['branches'] = [];
    for (const { name, reader } of leaves) {
      const own = nodes.indexOf(reader);
      if (name === from && own >= 0 && !(taken & (2 ** own))) {
        branches.push(null);
        taken |= 2 ** own;
        continue;
      }
      // downstream of its own paths alone (several when a residual block starts the branch)
      const r = reach.get(name) ?? 0;
      if (r === 0 || (taken & r) !== 0) break;
      taken |= r;
      branches.push({ starts: nodes.filter((_, k) => r & (2 ** k)), end: name });
    }
    if (branches.length === leaves.length && taken === 2 ** nodes.length - 1) return { concat: c, inner, branches };
  }
  return null;
}
