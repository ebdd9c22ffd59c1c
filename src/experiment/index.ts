/** Paper-reproduction experiments that need no network training (Section 3.5: strong group sparsity). */
export { runGroupDesign, runTrial, lambdaPath, GROUP_DESIGN_DEFAULTS, METHODS } from './group-design';
export type { GroupDesignOptions, GroupDesignResult, GroupDesignRow, MethodSummary, MethodTrial } from './group-design';
export {
  groupDesignMarkdown,
  groupDesignSvg,
  groupDesignTable,
  writeGroupDesign,
  describeDesign,
  GROUP_DESIGN_FILES,
} from './group-design-output';
export { proxGradientSolver, lambdaMax, lipschitz, meanSquaredError, relativeError } from './prox-gradient';
export type { SparseMethod, ProxGradientOptions } from './prox-gradient';
export { plantGroupSparse, sampleRegression, groupsForCoverRatio, coverRatio } from './synthetic-regression';
export type { GroupSparseDesign, RegressionSplit } from './synthetic-regression';
