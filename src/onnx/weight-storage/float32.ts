/** The exact weight storage: float32 initializers and one Gemm per dense layer (the default export). */
import { floatTensor, node } from '../../codec/onnx-proto';
import type { WeightStorage } from './types';

export const FLOAT32 = {
  name: 'float32',
  lossy: false,
  help: 'float32 (exact)',
  scalesInput: false,
  linear(layer, input, out, prefix, g) {
    g.inits.push(floatTensor(`${prefix}.bias`, [layer.outSize], layer.bias));
    g.inits.push(floatTensor(`${prefix}.kernel`, [layer.inSize, layer.outSize], layer.kernel));
    g.nodes.push(node('Gemm', [input, `${prefix}.kernel`, `${prefix}.bias`], [out], prefix));
  },
  weights(name, dims, data, g) {
    g.inits.push(floatTensor(name, dims, data));
    return name;
  },
  storedKernel: (layer) => layer.kernel,
} as const satisfies WeightStorage;
