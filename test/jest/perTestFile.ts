/** Runs in every test file (jest setupFilesAfterEnv). */
import { removeTempDirs } from '../helpers/keytool';

// A test that calls no expect() checks nothing and would stay green whatever the code does.
beforeEach(() => {
  expect.hasAssertions();
});

// Temporary directories made with tempDir() go with the file that made them, passed or failed.
afterAll(() => {
  removeTempDirs();
});
