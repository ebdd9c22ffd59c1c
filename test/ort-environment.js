/**
 * Jest environment for tests that run onnxruntime-node. Jest gives each test file its own
 * realm, so typed arrays made by the native addon (main realm) fail onnxruntime-common's
 * `instanceof Float32Array` checks in the test realm. Sharing the main realm's typed-array
 * constructors with the test realm fixes that. It is the environment of every test file (jest.config.js); it used to be set per file with
 *   @jest-environment ./test/ort-environment.js
 */
const { TestEnvironment } = require('jest-environment-node');

const SHARED = [
  'Float32Array',
  'Float64Array',
  'Int8Array',
  'Int16Array',
  'Int32Array',
  'Uint8Array',
  'Uint8ClampedArray',
  'Uint16Array',
  'Uint32Array',
  'BigInt64Array',
  'BigUint64Array',
  'ArrayBuffer',
];

class OrtEnvironment extends TestEnvironment {
  constructor(config, context) {
    super(config, context);
    for (const name of SHARED) this.global[name] = globalThis[name];
  }
}

module.exports = OrtEnvironment;
