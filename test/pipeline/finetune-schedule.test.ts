/** A run without a budget fine-tunes at the schedule it is given (constant by default), as a budget run does. */
import { trainRun } from '../../src/pipeline/run';
import { planted } from '../train/helpers';

test('plain training then fine-tuning follows finetuneLrSchedule; constant when none is given', async () => {
  const data = planted(300, 100, 5);
  const config = { hidden: [6], epochs: 2, lr: 5e-3, seed: 3, engine: 'fused-js' as const };
  const kernel = async (s?: 'constant' | 'cosine') => {
    const r = await trainRun(data, { config, finetuneEpochs: 2, ...(s ? { finetuneLrSchedule: s } : {}) });
    expect(r.result.history.filter((h) => h.phase === 'finetune')).toHaveLength(2);
    return Array.from(r.result.network.layers[0].kernel);
  };
  const byDefault = await kernel();
  expect(byDefault).toEqual(await kernel('constant'));
  expect(byDefault).not.toEqual(await kernel('cosine'));
});
