/**
 * The training flags are declared once (src/cli/training-flags.ts): `train --help` and `sweep
 * --help` list every flag of the table that each takes, and a flag's value reaches the training
 * configuration of `train` and the grid of `sweep` under the same key.
 */
import { runCli } from '../helpers/cli';
import { configFlags, sweepFlagsGrid, TRAINING_FLAGS, type TrainingFlag } from '../../src/cli/training-flags';
import { resolveTrainConfig } from '../../src/train/config';

/** What `COMMAND --help` prints (yargs writes it with console.log). */
async function help(command: string): Promise<{ out: string }> {
  let out = '';
  const log = jest.spyOn(console, 'log').mockImplementation((...s: unknown[]) => void (out += `${s.join(' ')}\n`));
  try {
    expect((await runCli([command, '--help'])).code).toBe(0);
  } finally {
    log.mockRestore();
  }
  return { out };
}

const flags = Object.entries(TRAINING_FLAGS) as [string, TrainingFlag][];

describe('the table of training flags', () => {
  it('gives every flag to train --help, and the sweepable ones to sweep --help', async () => {
    const train = await help('train');
    const sweep = await help('sweep');
    for (const [name, f] of flags) {
      expect(train.out).toContain(`--${name} `);
      if (f.sweep) expect(sweep.out).toContain(`--${name} `);
      else expect(sweep.out).not.toContain(`--${name} `);
    }
  });

  it('maps a flag to the same key for train (one value) and sweep (a list)', () => {
    const cfg = resolveTrainConfig(configFlags({ lr: 2e-3, 'batch-size': 16, 'label-smoothing': 0.1, optimizer: 'sgd', out: 'x' }));
    expect(cfg).toMatchObject({ lr: 2e-3, batchSize: 16, labelSmoothing: 0.1, optimizer: 'sgd' });
    const grid = sweepFlagsGrid({
      lr: '2e-3,1e-3',
      'batch-size': '16',
      'label-smoothing': '0.1',
      optimizer: 'sgd,adam',
      engine: 'fused-js',
    });
    expect(grid).toEqual({ lr: [2e-3, 1e-3], batchSize: [16], labelSmoothing: [0.1], optimizer: ['sgd', 'adam'], engine: 'fused-js' });
    expect(() => sweepFlagsGrid({ 'batch-size': '1.5' })).toThrow(/--batch-size/);
  });
});
