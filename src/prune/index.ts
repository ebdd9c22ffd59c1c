/** Public face of the prune layer: exact (or opt-in lossy) pruning of a Network and its report. */
export { pruneNetwork } from './prune';
export { formatPruneReport, formatStartLine } from './report';
export type { HiddenLayerCounts, KeptInput, PruneOptions, PruneReport, PruneResult, StartedNetwork } from './types';
export { collapsedLevels, collapseMessage } from './collapse';
