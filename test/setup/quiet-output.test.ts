/** Test output stays clean: tfjs' cpu backend does not print its "install the node backend" banner (test/quiet-tfjs.js). */
import * as tf from '@tensorflow/tfjs';

test('the first tensor on the tfjs cpu backend prints no warning', async () => {
  const warn = jest.spyOn(console, 'warn').mockImplementation(() => undefined);
  try {
    await tf.setBackend('cpu');
    const t = tf.tensor1d([1, 2, 3]);
    expect(Array.from(await t.data())).toEqual([1, 2, 3]);
    t.dispose();
    expect(warn).not.toHaveBeenCalled();
  } finally {
    warn.mockRestore();
  }
});
