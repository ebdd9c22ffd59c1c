/**
 * A tfjs functional model (class_name 'Model', as tfjs's model.save writes one) from the layer list
 * the CNN exporter builds in order (layers-model-cnn.ts), for networks with residual blocks: each
 * layer reads the one before it, except where markers say otherwise. A `ResidualSave` marker keeps
 * the current tensor for slot `slot`; `ResidualShortcut` keeps the branch's output and continues
 * from the saved tensor (the projection's layers follow); an `Add` entry with `slot` in its config
 * adds the slot's tensor, a `Concatenate` one joins it (first) with the current tensor. Markers and slot numbers do not appear in the written topology.
 */

export interface TopologyEntry {
  class_name: string;
  config: Record<string, unknown>;
}

export const SAVE_MARK = 'ResidualSave';
export const SHORTCUT_MARK = 'ResidualShortcut';

const ref = (name: string) => [name, 0, 0, {}];

/** The topology of a functional model: an InputLayer of `batchInputShape`, then `entries` wired as above. */
export function functionalTopology(
  name: string,
  entries: readonly TopologyEntry[],
  batchInputShape: (number | null)[],
): Record<string, unknown> {
  const input = 'input';
  const layers: Record<string, unknown>[] = [
    {
      name: input,
      class_name: 'InputLayer',
      config: { name: input, batch_input_shape: batchInputShape, dtype: 'float32', sparse: false },
      inbound_nodes: [],
    },
  ];
  const slots = new Map<number, string>();
  let prev = input;
  for (const e of entries) {
    const slot = e.config.slot as number;
    if (e.class_name === SAVE_MARK) {
      slots.set(slot, prev);
      continue;
    }
    if (e.class_name === SHORTCUT_MARK) {
      const saved = slots.get(slot) as string;
      slots.set(slot, prev);
      prev = saved;
      continue;
    }
    const config = { ...e.config };
    delete config.slot;
    delete config.batch_input_shape;
    const id = config.name as string;
    // an Add sums the slot's tensor with the current one; a Concatenate puts the slot's first
    const inbound =
      e.class_name === 'Add'
        ? [ref(prev), ref(slots.get(slot) as string)]
        : e.class_name === 'Concatenate'
          ? [ref(slots.get(slot) as string), ref(prev)]
          : [ref(prev)];
    layers.push({ name: id, class_name: e.class_name, config, inbound_nodes: [inbound] });
    prev = id;
  }
  return {
    class_name: 'Model',
    config: { name, layers, input_layers: [[input, 0, 0]], output_layers: [[prev, 0, 0]] },
    keras_version: 'tfjs-layers 4.22.0',
    backend: 'tensor_flow.js',
  };
}
