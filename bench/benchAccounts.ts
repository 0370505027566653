/**
 * Real accounts for become (sudo), shared by the tests (test/helpers/becomeAccounts.ts) and the
 * fleet bench: a non-root SSH login with `sudo` NOPASSWD rights to
 * run the SFTP server as root or as a MID account, a MID account, and a login whose sudo rule
 * asks for a password. Made with useradd and a file in /etc/sudoers.d (0440, checked by visudo);
 * `remove()` deletes both again. Needs root and Debian's sudo (.ci/run installs it).
 */
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import * as fs from 'node:fs';

/** The SFTP server the sudoers rules allow (Debian's path). */
export const SFTP_SERVER = '/usr/lib/openssh/sftp-server';

/** The test accounts and how to remove them. */
export interface BecomeAccounts {
  /** Logs in over SSH; may run the SFTP server as root or `mid` without a password. */
  readonly login: string;
  /** The MID Server's account: owns the MID home. */
  readonly mid: string;
  readonly midUid: number;
  readonly midGid: number;
  /** Logs in over SSH; its sudo rule asks for a password. */
  readonly askPassword: string;
  /** Deletes the accounts (and their homes) and the sudoers file. */
  remove(): void;
}

function idOf(user: string, flag: '-u' | '-g'): number {
  return Number(execFileSync('id', [flag, user], { encoding: 'utf8' }).trim());
}

/**
 * Creates the accounts. Their passwords are `*` (no password works, but the account is not
 * locked: OpenSSH without PAM refuses a locked account even for key logins).
 */
export function createBecomeAccounts(): BecomeAccounts {
  const tag = randomBytes(3).toString('hex');
  const login = `mtadm${tag}`;
  const mid = `mtmid${tag}`;
  const askPassword = `mtpw${tag}`;
  const sudoers = `/etc/sudoers.d/midtrust-test-${tag}`;
  const made: string[] = [];
  const remove = (): void => {
    fs.rmSync(sudoers, { force: true });
    for (const u of made.splice(0).reverse()) {
      try {
        execFileSync('userdel', ['-r', '-f', u], { stdio: 'pipe' });
      } catch {
        // already gone
      }
    }
  };
  try {
    for (const u of [login, mid, askPassword]) {
      execFileSync('useradd', ['-m', '-s', '/bin/sh', '-p', '*', u], { stdio: 'pipe' });
      made.push(u);
    }
    const rules = [`${login} ALL=(root,${mid}) NOPASSWD: ${SFTP_SERVER}`, `${askPassword} ALL=(root,${mid}) ${SFTP_SERVER}`, ''].join('\n');
    fs.writeFileSync(`${sudoers}.tmp`, rules, { mode: 0o440, flag: 'wx' });
    execFileSync('visudo', ['-c', '-q', '-f', `${sudoers}.tmp`], { stdio: 'pipe' });
    fs.renameSync(`${sudoers}.tmp`, sudoers);
    return { login, mid, midUid: idOf(mid, '-u'), midGid: idOf(mid, '-g'), askPassword, remove };
  } catch (e) {
    fs.rmSync(`${sudoers}.tmp`, { force: true });
    remove();
    throw e;
  }
}
