import type { SshConnectionPool } from './sshConnectionPool';
import type { SshConnectionSpec } from './sshConnectionSpec';

/**
 * Runs a command on a remote host over its pooled connection (no new SSH connection) and returns
 * its exit code and the last lines of its stderr, for error messages.
 */
export async function runSshCommand(pool: SshConnectionPool, spec: SshConnectionSpec, command: string): Promise<{ code: number; stderrTail: string }> {
  const { client } = await pool.get(spec);
  return new Promise((resolve, reject) => {
    client.exec(command, (err, stream) => {
      if (err) return reject(err);
      let stderr = '';
      stream.stderr.on('data', (d: Buffer) => {
        stderr = (stderr + d.toString('utf8')).slice(-2000);
      });
      stream.on('close', (c: number | null) => resolve({ code: c ?? -1, stderrTail: stderr.trim().split('\n').slice(-3).join(' | ') }));
      stream.resume();
    });
  });
}
