/**
 * The fused plain-TypeScript training engine: public entry points.
 */
export { createFusedEngine } from './engine';
export type { FusedConfig, FusedOptions, GradientPass } from './engine';
export type { FlatLayout, LayerViews } from './layout';
export { layoutOf } from './layout';
