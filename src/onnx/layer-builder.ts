/**
 * The exporter's side of network/layers/onnx-builder.ts: layer types write their nodes through it
 * into the graph being built, with the export's weight storage for matrix products (quantize.ts).
 */
import type { OnnxAttrs, OnnxBuilder } from '../network/layers/onnx-builder';
import type { GraphParts } from './graph-parts';
import { floatAttr, floatTensor, intAttr, node, onnx } from '../codec/onnx-proto';
import { linearNodes, storedWeightNodes, type Quantize } from './quantize';

function attributes(a: OnnxAttrs | undefined): onnx.IAttributeProto[] {
  const out: onnx.IAttributeProto[] = [];
  for (const [k, v] of Object.entries(a?.ints ?? {})) {
    out.push(Array.isArray(v) ? { name: k, type: onnx.AttributeProto.AttributeType.INTS, ints: v } : intAttr(k, v));
  }
  for (const [k, v] of Object.entries(a?.floats ?? {})) out.push(floatAttr(k, v));
  return out;
}

export function graphBuilder(g: GraphParts, quantize: Quantize | null): OnnxBuilder {
  return {
    node: (op, inputs, outputs, name, attrs) => void g.nodes.push(node(op, inputs, outputs, name, attributes(attrs))),
    floats: (name, dims, data) => {
      g.inits.push(floatTensor(name, dims, data));
      return name;
    },
    weights: (name, dims, data) => storedWeightNodes(name, dims, data, quantize, g),
    linear: (kernel, bias, inSize, outSize, input, output, prefix) =>
      linearNodes({ op: 'dense', inSize, outSize, kernel, bias }, input, output, prefix, quantize, g),
  };
}
