/** The per-epoch history of a training run as a readable table. */
import type { EpochRecord } from '../train/types';
import { formatTable } from './table';

export function formatHistory(history: EpochRecord[], maxRows = 25): string {
  const step = Math.max(1, Math.ceil(history.length / maxRows));
  const shown = history.filter((r, i) => i % step === step - 1 || i === history.length - 1 || i === 0);
  return formatTable(
    ['epoch', 'loss', 'penalty', 'train acc', 'test acc', 'zero params', 'alive units', 'alive inputs', 'seconds'],
    shown.map((r) => [
      r.phase === 'finetune' ? `ft ${r.epoch}` : String(r.epoch),
      r.dataLoss.toFixed(4),
      r.penalty.toPrecision(3),
      r.trainAccuracy.toFixed(4),
      r.testAccuracy.toFixed(4),
      `${r.zeroParams}/${r.totalParams}`,
      r.aliveUnits.length ? r.aliveUnits.join(',') : '-',
      r.aliveInputs,
      r.seconds.toFixed(2),
    ]),
  );
}
