/** Human-readable lines for a verification result (shared by prune, verify and quickstart). */
import type { VerifyResult } from '../onnx';

export function formatVerification(v: VerifyResult): string {
  const pct = (x: number | null) => (x === null ? '-' : `${(100 * x).toFixed(2)}%`);
  const lines = [
    `verified on ${v.rows} rows with onnxruntime${v.compactInput ? ' (compact input)' : ''}`,
    `  accuracy: onnx ${pct(v.onnxAccuracy)}, trained network ${pct(v.referenceAccuracy)}`,
  ];
  if (v.agreement !== null) {
    lines.push(
      `  label agreement ${pct(v.agreement)} (${v.disagreementCount} disagree), max |prob difference| ${v.maxProbDiff?.toExponential(2)} (tolerance ${v.tolerance})`,
    );
  }
  lines.push(v.ok ? '  OK' : `  FAILED${v.disagreements.length ? `: first disagreeing rows ${v.disagreements.join(', ')}` : ''}`);
  return lines.join('\n');
}
