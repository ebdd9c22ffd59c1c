/** trainToBudget says so when --target-params is not below the starting network (it then trains the dense net). */
import { trainToBudget } from '../../src/pipeline/budget';
import { stackSize } from '../../src/train/budget/size';
import { resolveTrainConfig } from '../../src/train/config';
import { planted } from '../train/helpers';

describe('a budget at or above the starting network', () => {
  const data = planted(300, 100, 3);
  const cfg = resolveTrainConfig({ hidden: [6], epochs: 2, lr: 5e-3, seed: 1, engine: 'fused-js' });
  const start = stackSize([20, 6, 2]);

  it('gives a notice naming the budget and the starting size, and none for a budget below it', async () => {
    const notes: string[] = [];
    const onNotice = (m: string) => notes.push(m);
    const r = await trainToBudget(data, cfg, { targetParams: start * 10, finetuneEpochs: 0, onNotice });
    expect(r.params).toBe(start);
    expect(notes).toHaveLength(1);
    expect(notes[0]).toContain(`--target-params ${start * 10}`);
    expect(notes[0]).toContain(`${start} parameters of the starting network (20-6-2)`);
    expect(notes[0]).toMatch(/nothing is pruned/);
    await trainToBudget(data, cfg, { targetParams: Math.floor(start / 2), finetuneEpochs: 0, onNotice });
    expect(notes).toHaveLength(1);
  });

  it('writes the notice to stderr by default', async () => {
    let err = '';
    const se = jest.spyOn(process.stderr, 'write').mockImplementation((s) => ((err += String(s)), true));
    try {
      await trainToBudget(data, cfg, { targetParams: start, finetuneEpochs: 0 });
    } finally {
      se.mockRestore();
    }
    expect(err).toMatch(new RegExp(`^warning: --target-params ${start} is not below`, 'm'));
  });
});
