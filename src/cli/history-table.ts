/** The per-epoch history of a training run as a readable table. */
import type { EpochRecord } from '../train/types';
import { formatTable } from './table';

/** The test score of a record or summary as printed: `test acc A`, or for regression `test rmse E  R^2 S`. */
export function testScoreText(r: { testAccuracy: number; testRmse?: number; valAccuracy?: number; valRmse?: number }): string {
  const val =
    r.valAccuracy === undefined
      ? ''
      : r.testRmse !== undefined
        ? `val rmse ${fmtRmse(r.valRmse ?? NaN)}  val R^2 ${r.valAccuracy.toFixed(4)}  `
        : `val acc ${r.valAccuracy.toFixed(4)}  `;
  return r.testRmse !== undefined
    ? `${val}test rmse ${fmtRmse(r.testRmse)}  R^2 ${r.testAccuracy.toFixed(4)}`
    : `${val}test acc ${r.testAccuracy.toFixed(4)}`;
}

/** An RMSE with 4 significant digits (targets come in any unit). */
export function fmtRmse(v: number): string {
  return Number.isFinite(v) ? v.toPrecision(4) : String(v);
}

export function formatHistory(history: EpochRecord[], maxRows = 25): string {
  const step = Math.max(1, Math.ceil(history.length / maxRows));
  const shown = history.filter((r, i) => i % step === step - 1 || i === history.length - 1 || i === 0);
  // regression runs (records with RMSE) show RMSE and R^2 where classification shows accuracy
  const reg = history.some((r) => r.testRmse !== undefined);
  const val = history.some((r) => r.valAccuracy !== undefined);
  const scoreHead = [
    ...(reg ? ['train rmse'] : ['train acc']),
    ...(val ? (reg ? ['val rmse', 'val R^2'] : ['val acc']) : []),
    ...(reg ? ['test rmse', 'test R^2'] : ['test acc']),
  ];
  const num = (v: number | undefined) => (v === undefined ? '-' : v.toFixed(4));
  return formatTable(
    ['epoch', 'loss', 'penalty', ...scoreHead, 'zero params', 'alive units', 'alive inputs', 'seconds'],
    shown.map((r) => [
      r.phase === 'finetune' ? `ft ${r.epoch}` : String(r.epoch),
      r.dataLoss.toFixed(4),
      r.penalty.toPrecision(3),
      reg ? fmtRmse(r.trainRmse ?? NaN) : r.trainAccuracy.toFixed(4),
      ...(val ? (reg ? [r.valRmse === undefined ? '-' : fmtRmse(r.valRmse), num(r.valAccuracy)] : [num(r.valAccuracy)]) : []),
      ...(reg ? [fmtRmse(r.testRmse ?? NaN), r.testAccuracy.toFixed(4)] : [r.testAccuracy.toFixed(4)]),
      `${r.zeroParams}/${r.totalParams}`,
      r.aliveUnits.length ? r.aliveUnits.join(',') : '-',
      r.aliveInputs,
      r.seconds.toFixed(2),
    ]),
  );
}
