/** Public face of the prune layer: exact (or opt-in lossy) pruning of a Network and its report. */
export { pruneNetwork } from './prune';
export { formatPruneReport } from './report';
export type { HiddenLayerCounts, KeptInput, PruneOptions, PruneReport, PruneResult } from './types';
export { collapsedLevels, collapseMessage } from './collapse';
