/** @type {import('jest').Config} */
module.exports = {
  testEnvironment: 'node',
  roots: ['<rootDir>/test'],
  testMatch: ['**/*.test.ts'],
  transform: { '^.+\\.ts$': ['ts-jest', { tsconfig: 'tsconfig.json' }] },
  // The example programs import the package by name, as Pulumi users write them.
  moduleNameMapper: { '^midtrust$': '<rootDir>/provider/index.ts' },
  testTimeout: 60000,
  // Interop tests spawn keytool (a JVM each): two workers keep a 2-core machine responsive.
  maxWorkers: 2,
  // A per-run TMPDIR that must be empty at the end, and a summary of skipped tests.
  globalSetup: '<rootDir>/test/jest/globalSetup.ts',
  globalTeardown: '<rootDir>/test/jest/globalTeardown.ts',
  // Every test must assert something (no expect() call fails it); tempDir()s are removed per file.
  setupFilesAfterEnv: ['<rootDir>/test/jest/perTestFile.ts'],
};
