/**
 * The fused training engine (WebAssembly SIMD or TypeScript kernels): public entry points.
 */
export { createFusedEngine } from './engine';
export type { FusedConfig, FusedKernels, FusedOptions, GradientPass } from './engine';
export { clearInstancePool, wasmPassAvailable } from './wasm-pass';
export type { FlatLayout, LayerViews } from './layout';
export { layoutOf } from './layout';
