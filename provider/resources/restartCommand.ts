import { MidtrustError } from '../errors';

/** The note every MID settings resource outputs: changes apply at the next MID Server start (FACTS.md §1). */
export const RESTART_NOTE =
  'the MID Server reads this setting only when it starts: restart it (Linux: the mid service or agent/bin/mid.sh restart; Windows: Restart-Service snc_mid_<name>) or give restartCommand';

/**
 * Runs the user's `restartCommand` through a shell, locally, when the resource has just changed a
 * MID file; returns whether it ran. A failing command is an error saying the file *was* changed,
 * so the person knows the MID still runs with the old setting.
 *
 * @example
 * const restarted = await runRestartCommand('systemctl restart mid', changed, '/opt/mid/agent/config.xml');
 */
export async function runRestartCommand(command: string | undefined, changed: boolean, changedFile: string, connection?: unknown): Promise<boolean> {
  if (!command || !changed) return false;
  if (connection) return runRemote(command, changedFile, connection);
  const { exec } = require('node:child_process') as typeof import('node:child_process');
  await new Promise<void>((resolve, reject) => {
    // A shell on purpose: the command is the user's own (`systemctl restart mid`, `Restart-Service ...`).
    exec(command, { timeout: 10 * 60_000, maxBuffer: 1 << 20 }, (err, _stdout, stderr) => {
      if (!err) return resolve();
      const tail = String(stderr).trim().split('\n').slice(-3).join(' | ');
      reject(
        new MidtrustError(
          'IO',
          `${changedFile} was changed, but restartCommand failed (${err.code !== undefined ? `exit ${err.code}` : err.signal ?? err.message})${tail ? `: ${tail}` : ''}; restart the MID Server by hand`,
          { cause: err },
        ),
      );
    });
  });
  return true;
}

/** The restart command on the MID host itself, over the resource's shared SSH connection. */
async function runRemote(command: string, changedFile: string, connection: unknown): Promise<boolean> {
  const { sshPool } = require('../host/ssh/sshConnectionPool') as typeof import('../host/ssh/sshConnectionPool');
  const { runSshCommand } = require('../host/ssh/sshExec') as typeof import('../host/ssh/sshExec');
  const { specOf } = require('./connectionInput') as typeof import('./connectionInput');
  const { code, stderrTail } = await runSshCommand(sshPool, specOf(connection as import('./connectionInput').Connection), command);
  if (code !== 0) {
    throw new MidtrustError('IO', `${changedFile} was changed, but restartCommand exited ${code} on the MID host${stderrTail ? `: ${stderrTail}` : ''}; restart the MID Server by hand`);
  }
  return true;
}
