/**
 * Jest setup file (jest.config.js setupFiles): marks tfjs as running under test, so the cpu
 * backend's "install our node backend" banner (tfjs' warn(), silent in PROD mode, which also skips tfjs' debug-only checks) is not
 * printed in every test file that trains or imports with tfjs. The product's own messages are untouched.
 */
require('@tensorflow/tfjs-core').env().set('PROD', true);
