/**
 * What a layer type writes its ONNX nodes with: a codec-neutral builder that onnx/ implements
 * (onnx/layer-builder.ts), so a layer type's file says which operators it becomes without
 * importing the protobuf codec, and the export's weight storage (float32, float16, int8) stays
 * the exporter's business.
 */

export interface OnnxAttrs {
  ints?: Record<string, number | number[]>;
  floats?: Record<string, number>;
}

export interface OnnxBuilder {
  /** Adds a node of the default domain. */
  node(op: string, inputs: string[], outputs: string[], name: string, attrs?: OnnxAttrs): void;
  /** Adds a float32 initializer and returns its name. */
  floats(name: string, dims: number[], data: Float32Array): string;
  /** A weight tensor whose first axis is the output channels (a convolution's OIHW weight), in the
   * export's weight storage (float32; float16 or int8 per output channel turned back into float32
   * inside the graph); returns the float32 tensor's name. */
  weights(name: string, dims: number[], data: Float32Array): string;
  /** output = input @ kernel + bias (kernel [inSize, outSize] row-major), in the export's weight storage. */
  linear(kernel: Float32Array, bias: Float32Array, inSize: number, outSize: number, input: string, output: string, prefix: string): void;
}

/** Where a layer reads and writes: `output` is given for the network's last layer (the name the
 * graph's tail reads); otherwise the layer names its output from `prefix` and returns it. */
export interface OnnxSite {
  input: string;
  prefix: string;
  /** Hidden layers apply their activation; the output layer is linear. */
  hidden: boolean;
  output?: string;
  /** The saved tensors' names by slot (residual layers, ./residual.ts); walkers give one map per graph. */
  slots?: Map<number, string>;
}
