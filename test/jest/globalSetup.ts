import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { RUN_DIR_ENV, runTmp, skipLog } from './runDir';

/**
 * Gives the run its own TMPDIR (inherited by the test workers and every child they spawn), so
 * the teardown can tell exactly what the tests left behind, even with other runs on the machine.
 * jest's own cache directory was resolved before this runs, so it stays where it was.
 */
export default function globalSetup(): void {
  const runDir = fs.mkdtempSync(path.join(os.tmpdir(), 'midtrust-jest-run-'));
  fs.mkdirSync(runTmp(runDir));
  // Reachable by other accounts like /tmp itself (tests run children as an unprivileged user to
  // see permission errors at the directory they are about); not writable by them.
  fs.chmodSync(runDir, 0o755);
  fs.chmodSync(runTmp(runDir), 0o755);
  process.env[RUN_DIR_ENV] = runDir;
  process.env.MIDTRUST_TEST_SKIP_LOG = skipLog(runDir);
  process.env.TMPDIR = runTmp(runDir);
  // Node >= 22 keeps a module compile cache in TMPDIR when a program turns it on (tsc does): it is
  // node's, not a test's leftover, and would fail the empty-TMPDIR check. Off for every child.
  process.env.NODE_DISABLE_COMPILE_CACHE = '1';
}
