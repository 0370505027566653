import * as fs from 'node:fs';
import { RUN_DIR_ENV, runTmp, skipLog } from './runDir';

/**
 * Ends the run: repeats every skip loudly (a skip is never silent), then fails the run when the
 * tests left anything in their temp directory, listing it. Leftovers are removed afterwards
 * (set MIDTRUST_KEEP_TEST_TMP=1 to keep them for a look).
 */
export default function globalTeardown(): void {
  const runDir = process.env[RUN_DIR_ENV];
  if (!runDir) return;
  const skips = fs.existsSync(skipLog(runDir)) ? fs.readFileSync(skipLog(runDir), 'utf8').trim() : '';
  if (skips) process.stderr.write(`\n${'='.repeat(78)}\nSKIPPED in this run (tools missing on this machine; CI fails instead):\n${skips}\n${'='.repeat(78)}\n`);
  const tmp = runTmp(runDir);
  const left = fs.existsSync(tmp) ? fs.readdirSync(tmp).sort() : [];
  if (left.length > 0 && process.env.MIDTRUST_KEEP_TEST_TMP) {
    throw new Error(`tests left ${left.length} entries in their temp directory ${tmp} (kept): ${left.join(', ')}`);
  }
  fs.rmSync(runDir, { recursive: true, force: true });
  if (left.length > 0) {
    throw new Error(`tests left ${left.length} entries in their temp directory (every test must remove what it creates): ${left.join(', ')}`);
  }
}
