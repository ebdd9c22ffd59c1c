/** checkNumberOptions: a numeric option that is not a number is refused naming the option and the text given. */
import { checkNumberOptions, rawOptionText } from '../../src/cli/number-options';
import { GsError } from '../../src/errors';
import { thrown } from '../helpers/json';

describe('rawOptionText', () => {
  it('finds --name VALUE and --name=VALUE, not past --', () => {
    expect(rawOptionText(['train', '--epochs', 'abc'], 'epochs')).toBe('abc');
    expect(rawOptionText(['--lr=fast'], 'lr')).toBe('fast');
    expect(rawOptionText(['--', '--lr', 'x'], 'lr')).toBeUndefined();
  });
});

describe('checkNumberOptions', () => {
  it('passes numbers, strings and booleans', () => {
    expect(() => checkNumberOptions({ _: [], epochs: 3, lr: 0.01, out: 'x', json: false }, [])).not.toThrow();
  });

  it('refuses NaN naming the dashed option and the text (camelCase twins skipped)', () => {
    const e = thrown(() => checkNumberOptions({ _: [], 'test-fraction': NaN, testFraction: NaN }, ['train', '--test-fraction', 'half']));
    expect(e).toBeInstanceOf(GsError);
    expect(e.code).toBe('BAD_OPTION');
    expect(e.message).toBe('--test-fraction "half": expected a number');
  });

  it('refuses a NaN in a list, and Infinity given on the command line; a default Infinity passes', () => {
    expect(thrown(() => checkNumberOptions({ seeds: [1, NaN] }, ['--seeds', '1', 'x'])).message).toMatch(/^--seeds /);
    expect(thrown(() => checkNumberOptions({ lr: Infinity }, ['--lr', 'Infinity'])).message).toBe('--lr "Infinity": expected a number');
    expect(() => checkNumberOptions({ limit: Infinity }, [])).not.toThrow();
  });
});
