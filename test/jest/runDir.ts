/**
 * One directory per `jest` run: its `tmp/` becomes TMPDIR (so os.tmpdir()) of every test process,
 * and must be empty when the run ends — a test that leaves files behind fails the run.
 */
import * as path from 'node:path';

/** Environment variable naming the run directory (set by globalSetup, read by globalTeardown). */
export const RUN_DIR_ENV = 'MIDTRUST_TEST_RUN_DIR';

/** The temp directory given to the tests of a run. */
export const runTmp = (runDir: string): string => path.join(runDir, 'tmp');

/** Where requireTools.ts appends one line per skipped test or suite. */
export const skipLog = (runDir: string): string => path.join(runDir, 'skipped.log');
