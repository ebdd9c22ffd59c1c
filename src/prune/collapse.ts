/**
 * Collapse: when pruning leaves a level with no unit (every input or every unit of a hidden
 * layer was removed), the network predicts one constant output whatever the input. This names
 * such levels so that train, prune and sweep can say so instead of saving a useless model quietly.
 */
import type { PruneReport } from './types';

/** The collapsed levels of a pruning ('inputs', 'hidden layer 2', ...), empty when none. */
export function collapsedLevels(report: PruneReport): string[] {
  const out: string[] = [];
  if (report.inputs.placeholder) out.push('inputs');
  for (const h of report.hiddenLayers) if (h.placeholder) out.push(`hidden layer ${h.layer + 1}`);
  return out;
}

/** A plain sentence on a collapse and what to do about it, or null when nothing collapsed. */
export function collapseMessage(report: PruneReport, lambda?: number): string | null {
  const levels = collapsedLevels(report);
  if (levels.length === 0) return null;
  const smaller = lambda !== undefined && lambda > 0 ? ` (this run used ${lambda}; try ${lambda / 4})` : '';
  return (
    `every unit of the ${levels.join(' and ')} was removed: the network predicts one constant class whatever the input. ` +
    `Use a smaller --lambda${smaller}, or train to a size instead (--target-ratio 0.25 or --target-params N), which never removes a whole layer`
  );
}
