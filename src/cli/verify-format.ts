/** Human-readable lines for a verification result (shared by prune, verify and quickstart). */
import type { RegressionCheck, VerifyResult } from '../onnx/verify';

export function formatVerification(v: VerifyResult): string {
  const pct = (x: number | null) => (x === null ? '-' : `${(100 * x).toFixed(2)}%`);
  if (v.regression) return formatRegression(v, v.regression);
  const lines = [
    `verified on ${v.rows} rows with ${v.runtime}${v.compactInput ? ' (compact input)' : ''}${v.mode === 'lossy' ? ' (lossy export)' : ''}`,
    `  accuracy: onnx ${pct(v.onnxAccuracy)}, trained network ${pct(v.referenceAccuracy)}`,
  ];
  if (v.agreement !== null) {
    const ties = v.nearTies > 0 ? `, ${v.nearTies} near-ties allowed` : '';
    const diff = `max |prob difference| ${v.maxProbDiff?.toExponential(2)}`;
    lines.push(
      v.mode === 'lossy'
        ? `  label agreement ${pct(v.agreement)}, ${diff}; allowed accuracy drop ${(100 * (v.maxAccuracyDrop ?? 0)).toFixed(2)} points`
        : `  label agreement ${pct(v.agreement)} (${v.disagreementCount} disagree${ties}), ${diff} (tolerance ${v.tolerance})`,
    );
  }
  lines.push(v.ok ? '  OK' : `  FAILED${v.disagreements.length ? `: first disagreeing rows ${v.disagreements.join(', ')}` : ''}`);
  return lines.join('\n');
}

function formatRegression(v: VerifyResult, c: RegressionCheck): string {
  const num = (x: number | null) => (x === null || !Number.isFinite(x) ? '-' : x.toPrecision(4));
  const r2 = (x: number | null) => (x === null || !Number.isFinite(x) ? '-' : x.toFixed(4));
  const lines = [
    `verified on ${v.rows} rows with ${v.runtime}${v.compactInput ? ' (compact input)' : ''}${v.mode === 'lossy' ? ' (lossy export)' : ''}`,
    `  RMSE: onnx ${num(c.onnxRmse)}, trained network ${num(c.referenceRmse)}; R^2: onnx ${r2(c.onnxR2)}, trained network ${r2(c.referenceR2)}`,
  ];
  if (v.maxProbDiff !== null) {
    lines.push(
      v.mode === 'lossy'
        ? `  max |output difference| ${c.maxAbsDiff.toExponential(2)}, RMSE between them ${c.diffRmse.toExponential(2)}; allowed RMSE increase ${(100 * (c.maxRmseIncrease ?? 0)).toFixed(1)}%`
        : `  max |output difference| ${c.maxAbsDiff.toExponential(2)}, RMSE between them ${c.diffRmse.toExponential(2)}; ${c.outside} outside the tolerance ${v.tolerance} + ${c.relTolerance} x |value|`,
    );
  }
  lines.push(v.ok ? '  OK' : `  FAILED${v.disagreements.length ? `: first rows outside the tolerance ${v.disagreements.join(', ')}` : ''}`);
  return lines.join('\n');
}
