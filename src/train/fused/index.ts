/**
 * The fused plain-TypeScript training engine: public entry points.
 */
export { createFusedEngine } from './engine';
export type { FusedConfig, FusedKernels, FusedOptions, GradientPass } from './engine';
export { wasmPassAvailable } from './wasm-pass';
export type { FlatLayout, LayerViews } from './layout';
export { layoutOf } from './layout';
