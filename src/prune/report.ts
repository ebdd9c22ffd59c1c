/**
 * The pruning report: building it from the before/after networks and formatting it as a plain-text
 * before/after table.
 */
import { multiplyAdds, parameterCount } from '../network/create';
import { layerType } from '../network/layers/table';
import type { AnyLayer, Network } from '../network/types';
import type { DeadUnits } from './dead-units';
import type { PruneReport, StartedNetwork } from './types';

export function buildReport(
  before: Network<AnyLayer>,
  after: Network<AnyLayer>,
  dead: DeadUnits,
  placeholder: boolean[],
  threshold: number | null,
  thresholdZeroed: { groups: number; biases: number } | null,
): PruneReport {
  // one row per hidden level: the output channels of every mixing layer but the last
  const mixing = before.layers.flatMap((l, i) => (layerType(l).role === 'mixing' ? [i] : []));
  const hiddenLayers = mixing.slice(0, -1).map((l, h) => ({
    layer: l,
    ...(before.layers[l].op !== 'dense' ? { op: before.layers[l].op } : {}),
    before: layerType(before.layers[l]).outChannels(before.layers[l]),
    after: layerType(after.layers[l]).outChannels(after.layers[l]),
    removedUnused: dead.removedUnused[h + 1],
    removedConstant: dead.removedConstant[h + 1],
    placeholder: placeholder[h + 1],
  }));
  return {
    lossy: threshold !== null,
    threshold,
    thresholdZeroed,
    hiddenLayers,
    inputs: {
      before: before.inputIndices.length,
      after: after.inputIndices.length,
      kept: after.inputIndices.map((c) => ({ index: c, name: after.featureNames[c] ?? `x${c}` })),
      placeholder: placeholder[0],
    },
    parameters: { before: parameterCount(before), after: parameterCount(after) },
    multiplyAdds: { before: multiplyAdds(before), after: multiplyAdds(after) },
  };
}

const MAX_NAMES = 20;

/** A readable before/after table (plain text, no colours). */
export function formatPruneReport(report: PruneReport): string {
  const title = report.lossy
    ? `Pruning (lossy: threshold ${report.threshold}; zeroed ${report.thresholdZeroed?.groups ?? 0} groups, ` +
      `${report.thresholdZeroed?.biases ?? 0} biases, then pruned exactly)`
    : 'Pruning (exact: outputs unchanged)';
  const mark = (n: number, ph: boolean) => (ph ? `${n}*` : String(n));
  const rows: string[][] = [
    ['', 'before', 'after', 'removed', ''],
    [
      'inputs',
      String(report.inputs.before),
      mark(report.inputs.after, report.inputs.placeholder),
      String(report.inputs.placeholder ? report.inputs.before : report.inputs.before - report.inputs.after),
      '',
    ],
    ...report.hiddenLayers.map((h) => [
      `${h.op ?? 'hidden'} ${h.layer + 1}`,
      String(h.before),
      mark(h.after, h.placeholder),
      String(h.removedUnused + h.removedConstant),
      h.removedUnused + h.removedConstant > 0 ? `(${h.removedUnused} unused, ${h.removedConstant} constant folded)` : '',
    ]),
    ['parameters', String(report.parameters.before), String(report.parameters.after), pct(report.parameters), ''],
    ['multiply-adds', String(report.multiplyAdds.before), String(report.multiplyAdds.after), pct(report.multiplyAdds), ''],
  ];
  const widths = rows[0].map((_, j) => Math.max(...rows.map((r) => r[j].length)));
  const lines = rows.map((r) =>
    r
      .map((c, j) => (j === 0 || j === 4 ? c.padEnd(widths[j]) : c.padStart(widths[j])))
      .join('  ')
      .trimEnd(),
  );
  const out = [title, ...lines];
  const kept = report.inputs.placeholder ? [] : report.inputs.kept;
  const names = kept
    .slice(0, MAX_NAMES)
    .map((k) => k.name)
    .join(', ');
  const more = kept.length > MAX_NAMES ? `, ... (${kept.length - MAX_NAMES} more)` : '';
  out.push(`inputs kept: ${kept.length === 0 ? 'none' : names + more}`);
  if (report.inputs.placeholder || report.hiddenLayers.some((h) => h.placeholder)) {
    out.push('* every unit was removed: one unit with zero weights stands in; the outputs are constant');
  }
  return out.join('\n');
}

function pct(c: { before: number; after: number }): string {
  const removed = c.before - c.after;
  return c.before === 0 ? String(removed) : `${removed} (${((100 * removed) / c.before).toFixed(1)}%)`;
}

/**
 * Where a run trained to a budget started, beside the final pruning's before/after (which are
 * equal when the budget run left no dead units): "started 784-32-32-10 (26506 parameters) ->
 * budget run 6606 -> pruned 6606: 19900 (75.1%) fewer than at the start".
 */
export function formatStartLine(start: StartedNetwork, report: PruneReport): string {
  return (
    `started ${start.widths.join('-')} (${start.params} parameters) -> budget run ${report.parameters.before} ` +
    `-> pruned ${report.parameters.after}: ${pct({ before: start.params, after: report.parameters.after })} fewer than at the start`
  );
}
