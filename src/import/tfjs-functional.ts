/**
 * A functional Keras model (class_name Functional or Model, as tfjs's model.save and
 * tensorflowjs_converter write it) read as the layer list a Sequential model would have, with
 * residual blocks marked: a layer whose output two layers read, joined again by an Add, becomes
 * ResidualSave, the branch's layers, [ResidualShortcut, the shortcut's layers,] Add (the longer path
 * is the branch; an Add that reads the forked tensor itself is an identity shortcut). tfjs-cnn.ts
 * turns the markers into save / shortcut / add layers (network/layers/residual.ts). A Concatenate on
 * the channel axis whose inputs each come from their own paths of the forked tensor (or are the
 * tensor itself) is a join: JoinStart (its branch count), each branch's layers followed by JoinNext
 * (its index), in the Concatenate's order; tfjs-cnn.ts writes the slot layers of
 * network/layers/concat.ts joinSteps for them. Several inputs or outputs, other joins (Multiply) and
 * forks that neither closes are refused by name.
 */
import { GsError } from '../errors';

export interface FunctionalLayer {
  class_name?: string;
  name?: string;
  config?: Record<string, unknown>;
  inbound_nodes?: unknown;
}

/** The marker layers this reader adds (their config names the Add that closes the block). */
export const RESIDUAL_SAVE = 'ResidualSave';
export const RESIDUAL_SHORTCUT = 'ResidualShortcut';
export const JOIN_START = 'JoinStart';
export const JOIN_NEXT = 'JoinNext';

const nameOf = (l: FunctionalLayer): string =>
  typeof l.name === 'string' ? l.name : typeof l.config?.name === 'string' ? l.config.name : '?';

/** The names of the layers whose outputs layer `l` reads: Keras 2's [[name, node, tensor, kwargs], ...] or Keras 3's args. */
function inboundOf(l: FunctionalLayer): string[] {
  const nodes = Array.isArray(l.inbound_nodes) ? (l.inbound_nodes as unknown[]) : [];
  if (nodes.length === 0) return [];
  const first = nodes[0];
  if (Array.isArray(first)) return first.map((t) => (Array.isArray(t) ? String(t[0]) : '?'));
  // Keras 3: {args: [tensor | [tensor, ...]], kwargs}; a tensor's config.keras_history = [name, node, index]
  const names: string[] = [];
  const visit = (v: unknown): void => {
    if (Array.isArray(v)) v.forEach(visit);
    else if (v && typeof v === 'object') {
      const hist = (v as { config?: { keras_history?: unknown[] } }).config?.keras_history;
      if (Array.isArray(hist)) names.push(String(hist[0]));
    }
  };
  visit((first as { args?: unknown }).args);
  return names;
}

/** Whether a model.json's topology is a functional model. */
export function isFunctional(cfg: { class_name?: string }): boolean {
  return cfg.class_name === 'Functional' || cfg.class_name === 'Model';
}

/** The layers of a functional model in walking order, with residual markers (see the module comment). */
export function linearizeFunctional(file: string, config: Record<string, unknown>): FunctionalLayer[] {
  const all = (Array.isArray(config.layers) ? config.layers : []) as FunctionalLayer[];
  if (all.length === 0) throw new GsError('BAD_MODEL', `${file}: the functional model lists no layers`);
  const refuse = (l: FunctionalLayer, why: string) =>
    new GsError('BAD_MODEL', `${file}: layer "${nameOf(l)}" (${l.class_name ?? '?'}) ${why}`);
  const byName = new Map(all.map((l) => [nameOf(l), l]));
  const inputs = all.filter((l) => l.class_name === 'InputLayer');
  if (inputs.length !== 1)
    throw new GsError(
      'BAD_MODEL',
      `${file}: the model has ${inputs.length} inputs (${inputs.map(nameOf).join(', ')}); gs-compress imports models with one input`,
    );
  const outputs = Array.isArray(config.output_layers) ? config.output_layers : [];
  if (outputs.length > 1)
    throw new GsError('BAD_MODEL', `${file}: the model has ${outputs.length} outputs; gs-compress imports models with one output`);
  const consumers = new Map<string, FunctionalLayer[]>();
  for (const l of all) {
    for (const i of inboundOf(l)) {
      if (!byName.has(i)) throw refuse(l, `reads "${i}", which the model does not define`);
      consumers.set(i, [...(consumers.get(i) ?? []), l]);
    }
  }
  // layers held back from the walk (a block's other path while its branch is walked) and layers taken
  const held = new Set<FunctionalLayer>();
  const taken = new Set<FunctionalLayer>();
  const next = (name: string) => (consumers.get(name) ?? []).filter((l) => !held.has(l) && !taken.has(l));

  /** Per name downstream of `starts`, the bit mask of the starts it is downstream of. */
  const reachOf = (starts: FunctionalLayer[]): Map<string, number> => {
    const reach = new Map<string, number>();
    starts.forEach((start, k) => {
      const queue = [start];
      while (queue.length > 0) {
        const l = queue.shift() as FunctionalLayer;
        const n = nameOf(l);
        const seen = reach.get(n) ?? 0;
        if (seen & (2 ** k)) continue;
        reach.set(n, seen | (2 ** k));
        queue.push(...(consumers.get(n) ?? []));
      }
    });
    return reach;
  };

  /** The Add joining the paths that start at `a` and `b` (both read `from`), or null. */
  const findBlock = (from: string, pair: FunctionalLayer[]) => {
    const isAdd = (l: FunctionalLayer) => l.class_name === 'Add' && inboundOf(l).length === 2;
    const identity = pair.findIndex((l) => isAdd(l) && inboundOf(l).includes(from));
    const reach = reachOf(pair);
    if (identity >= 0) {
      const add = pair[identity];
      const end = inboundOf(add).find((i) => i !== from) as string;
      return reach.get(end) === 1 << (1 - identity) ? { add, branch: pair[1 - identity], branchEnd: end, shortcut: null } : null;
    }
    const join = all.find((l) => {
      if (!isAdd(l)) return false;
      const [x, y] = inboundOf(l).map((i) => reach.get(i) ?? 0);
      return (x === 1 && y === 2) || (x === 2 && y === 1);
    });
    if (!join) return null;
    const [x, y] = inboundOf(join);
    const ends = reach.get(x) === 1 ? [x, y] : [y, x];
    const sizes = [1, 2].map((bit) => all.filter((l) => reach.get(nameOf(l)) === bit).length);
    const b = sizes[0] >= sizes[1] ? 0 : 1;
    return { add: join, branch: pair[b], branchEnd: ends[b], shortcut: { start: pair[1 - b], end: ends[1 - b] } };
  };

  /** The Concatenate joining the paths that start at `list` (all read `from`), each input from its own
   * paths (or `from` itself), on the channel axis; with each input's first layers, or null. */
  const findJoin = (from: string, list: FunctionalLayer[]) => {
    if (list.length > 30) return null;
    const reach = reachOf(list);
    for (const c of all) {
      if (c.class_name !== 'Concatenate') continue;
      const ins = inboundOf(c);
      const own = list.indexOf(c);
      let taken = 0;
      const branches: (FunctionalLayer[] | null)[] = [];
      for (const i of ins) {
        if (i === from && own >= 0 && !(taken & (2 ** own))) {
          taken |= 2 ** own;
          branches.push(null);
          continue;
        }
        const r = i === from ? 0 : (reach.get(i) ?? 0);
        if (r === 0 || (taken & r) !== 0) break;
        taken |= r;
        branches.push(list.filter((_, k) => r & (2 ** k)));
      }
      if (branches.length === ins.length && ins.length >= 2 && taken === 2 ** list.length - 1) return { concat: c, ends: ins, branches };
    }
    return null;
  };

  const out: FunctionalLayer[] = [inputs[0]];
  let cur = nameOf(inputs[0]);
  const walk = (stop: string | null): void => {
    while (cur !== stop) {
      const list = next(cur);
      if (list.length === 0) {
        if (stop !== null) throw new GsError('BAD_MODEL', `${file}: a branch ends before the Add "${stop}" that should join it`);
        return;
      }
      if (list.length === 1) {
        const l = list[0];
        if (inboundOf(l).length > 1) throw refuse(l, 'joins two branches in a way gs-compress does not read (a residual Add is supported)');
        out.push(l);
        taken.add(l);
        cur = nameOf(l);
        continue;
      }
      const block = list.length === 2 ? findBlock(cur, list) : null;
      const join = block ? null : findJoin(cur, list);
      if (join) {
        const from = cur;
        const axis = Number(join.concat.config?.axis ?? -1);
        const mark = (className: string, config: Record<string, unknown>): FunctionalLayer => ({
          class_name: className,
          name: `${nameOf(join.concat)}/${className}${typeof config.branch === 'number' ? config.branch : ''}`,
          config: { ...config, name: nameOf(join.concat), axis },
        });
        out.push(mark(JOIN_START, { branches: join.branches.length }));
        join.branches.forEach((starts, k) => {
          cur = from;
          if (starts) {
            // the later branches' first layers and the Concatenate wait
            const wait = [...join.branches.slice(k + 1).flatMap((b) => b ?? []), join.concat].filter((l) => !taken.has(l));
            wait.forEach((l) => held.add(l));
            walk(join.ends[k]);
            wait.forEach((l) => held.delete(l));
          }
          out.push(mark(JOIN_NEXT, { branch: k }));
        });
        taken.add(join.concat);
        cur = nameOf(join.concat);
        continue;
      }
      if (!block)
        throw refuse(
          list[1],
          `branches off "${cur}" (also read by "${nameOf(list[0])}") without an Add or a Concatenate that joins the branches`,
        );
      const from = cur;
      const marker = (className: string): FunctionalLayer => ({
        class_name: className,
        name: `${nameOf(block.add)}/${className}`,
        config: { name: nameOf(block.add) },
      });
      out.push(marker(RESIDUAL_SAVE));
      const hold = block.shortcut?.start ?? block.add;
      held.add(hold);
      walk(block.branchEnd);
      held.delete(hold);
      if (block.shortcut) {
        out.push(marker(RESIDUAL_SHORTCUT));
        cur = from;
        walk(block.shortcut.end);
      }
      out.push(block.add);
      taken.add(block.add);
      cur = nameOf(block.add);
    }
  };
  walk(null);
  // (a join's Concatenate is taken, its markers stand for it)
  const unread = all.filter((l) => !out.includes(l) && !taken.has(l));
  if (unread.length > 0) throw refuse(unread[0], 'is not on the path from the input to the output');
  return out;
}
