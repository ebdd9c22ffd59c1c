/** Jest runs the TypeScript tests directly through ts-jest (transpile-only: isolatedModules is set in tsconfig.test.json). */
module.exports = {
  testEnvironment: '<rootDir>/test/ort-environment.js',
  roots: ['<rootDir>/test'],
  setupFiles: ['<rootDir>/test/quiet-tfjs.js'],
  transform: { '^.+\\.ts$': ['ts-jest', { tsconfig: 'tsconfig.test.json' }] },
  testTimeout: 120000,
};
