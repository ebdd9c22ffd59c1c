/** Human-readable lines for a verification result (shared by prune, verify and quickstart). */
import type { VerifyResult } from '../onnx';

export function formatVerification(v: VerifyResult): string {
  const pct = (x: number | null) => (x === null ? '-' : `${(100 * x).toFixed(2)}%`);
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
