/** The pipeline layer's public face: compositions of the layers (prune + export + verify, fine-tuning, the quickstart, run summaries). */
export { compressRun, runDataSpec, type CompressOptions, type CompressResult } from './compress';
export {
  DEFAULT_EXPORT_FORMAT,
  EXPORT_FORMATS,
  exportFormat,
  registerExportFormat,
  type ExportCheck,
  type ExportFormat,
  type ExportJob,
  type ExportWritten,
} from './export-formats/table';
export { finetuneConfig, pruneAndFinetune, trainThenFinetune, type FinetuneResult } from './finetune';
export {
  runQuickstart,
  QUICKSTART_CONFIG,
  QUICKSTART_FINETUNE_EPOCHS,
  QUICKSTART_SECONDS,
  QUICKSTART_TARGET_RATIO,
  type QuickstartOptions,
  type QuickstartResult,
} from './quickstart';
export { summarizeTraining, type TrainSummary } from './summary';
export {
  budgetSummary,
  saveTrainedRun,
  trainRun,
  type RunBudget,
  type RunHooks,
  type RunOutcome,
  type RunSettings,
  type RunSummaryRecord,
  type SavedRunInfo,
} from './run';
export {
  budgetRecord,
  resolveBudgetConfig,
  trainTeacher,
  trainToBudget,
  type BudgetConfig,
  type BudgetOptions,
  type BudgetRecord,
  type BudgetResult,
  type BudgetStart,
  type ProjectionRecord,
} from './budget';
export { sizePath, type PathStop, type SizePathOptions } from './size-path';
