/** `gs-compress quickstart`: the budget path on MNIST; its help states the measured time. */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { QUICKSTART_SECONDS } from '../../src/pipeline/quickstart';
import { runCliWithHelp } from '../helpers/cli';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'gs-quickstart-'));
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

const run = runCliWithHelp;

describe('quickstart --help', () => {
  it('states the measured time and the budget path, not "a few minutes"', async () => {
    const r = await run(['quickstart', '--help']);
    expect(r.code).toBe(0);
    const help = r.log + r.out;
    expect(help).not.toMatch(/few minutes/);
    expect(help).toContain(`about ${QUICKSTART_SECONDS} s`);
    expect(help).toMatch(/25% of (the|its) parameters/);
    expect(help).toMatch(/^\s+--finetune-epochs\s/m);
  });
});

describe('quickstart', () => {
  it('trains to the budget, says the target is met, shows where it started, exports and verifies', async () => {
    // a small slice, 1 + 1 epochs: the command's path, not its accuracy
    const r = await run(['quickstart', '--out', path.join(dir, 'qs'), '--train-rows', '1000', '--epochs', '1', '--finetune-epochs', '1']);
    expect(r.err).not.toMatch(/^error/m);
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/^budget 6626 parameters \(25% of 26506\): met, \d+ parameters, test accuracy \d+\.\d+%$/m);
    expect(r.out).toMatch(
      /^started 784-32-32-10 \(26506 parameters\) -> budget run (\d+) -> pruned \1: \d+ \(\d+\.\d%\) fewer than at the start$/m,
    );
    expect(r.out).toMatch(/^\s+OK$/m);
    expect(fs.existsSync(path.join(dir, 'qs', 'model.onnx'))).toBe(true);
    expect(fs.readdirSync(path.join(dir, 'qs')).sort()).toEqual(['model.manifest.json', 'model.onnx', 'run']);

    // the quick start run again replaces its own earlier output without --force, and says so
    const again = await run([
      'quickstart',
      '--out',
      path.join(dir, 'qs'),
      '--train-rows',
      '1000',
      '--epochs',
      '1',
      '--finetune-epochs',
      '1',
    ]);
    expect(again.code).toBe(0);
    expect(again.err).toMatch(/replacing the earlier quickstart in /);
    // but a folder with anything else in it is still refused
    fs.writeFileSync(path.join(dir, 'qs', 'notes.txt'), 'mine');
    const mixed = await run(['quickstart', '--out', path.join(dir, 'qs'), '--train-rows', '1000', '--epochs', '1']);
    expect(mixed.code).toBe(1);
    expect(mixed.err).toMatch(/not empty.*--force/);
  });
});
