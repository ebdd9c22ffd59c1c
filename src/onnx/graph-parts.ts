/** The nodes and initializers of a graph being built (a leaf: the exporter's parts all write into one). */
import type { onnx } from '../codec/onnx-proto';

export interface GraphParts {
  nodes: onnx.INodeProto[];
  inits: onnx.ITensorProto[];
}
