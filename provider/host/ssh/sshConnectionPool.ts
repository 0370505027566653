import type { Client, SFTPWrapper } from 'ssh2';
import { MidtrustError } from '../../errors';
import { verifyHostKey } from './hostKeyVerifier';
import { connectionKey, type SshConnectionSpec } from './sshConnectionSpec';

/** An open SSH connection with its SFTP channel. */
export interface SshSession {
  readonly client: Client;
  readonly sftp: SFTPWrapper;
  readonly key: string;
  /** Rejects when the connection drops: SFTP calls race against it so none waits forever. */
  readonly closed: Promise<never>;
}

const RETRYABLE = /ECONNREFUSED|ETIMEDOUT|ECONNRESET|EHOSTUNREACH|Timed out while waiting for handshake/;

/**
 * One SSH connection per host per process, shared by every resource and operation on that host
 * (a fleet apply opens 20 connections for 20 hosts, not one per certificate). Connection errors
 * that can pass (refused, timed out) are retried twice with backoff; authentication and host key
 * failures are not.
 */
export class SshConnectionPool {
  private readonly sessions = new Map<string, Promise<SshSession>>();
  /** How many connections were opened, per host key (the bench reports it). */
  readonly opened = new Map<string, number>();

  get(spec: SshConnectionSpec): Promise<SshSession> {
    const key = connectionKey(spec);
    let s = this.sessions.get(key);
    if (!s) {
      const session = this.connectWithRetry(spec, key);
      // Forget a session once it fails or drops — but only that session: a dropped connection
      // reports both 'error' and 'close', and the second must not evict the reconnection made
      // in between (closeAll would miss it, and its open socket would keep the process alive).
      const forgetThis = (): void => {
        if (this.sessions.get(key) === session) this.sessions.delete(key);
      };
      session.then((open) => open.closed.catch(forgetThis), forgetThis);
      this.sessions.set(key, session);
      s = session;
    }
    return s;
  }

  async closeAll(): Promise<void> {
    const all = [...this.sessions.values()];
    this.sessions.clear();
    for (const s of all) {
      try {
        (await s).client.end();
      } catch {
        // already failed
      }
    }
  }

  private async connectWithRetry(spec: SshConnectionSpec, key: string): Promise<SshSession> {
    let delay = 300;
    for (let attempt = 1; ; attempt++) {
      try {
        return await this.connect(spec, key);
      } catch (e) {
        if (attempt >= 3 || !(e instanceof MidtrustError) || !RETRYABLE.test(e.message)) throw e;
        await new Promise((r) => setTimeout(r, delay));
        delay *= 3;
      }
    }
  }

  private connect(spec: SshConnectionSpec, key: string): Promise<SshSession> {
    // The client alone: ssh2's index also loads its server, key generator and HTTP agents (which
    // pull in node's http, https and tls) — 15–30 ms of every fleet run's start, for nothing.
    const Client = require('ssh2/lib/client.js') as typeof import('ssh2').Client;
    return new Promise<SshSession>((resolve, reject) => {
      const client = new Client();
      let hostKeyError: MidtrustError | undefined;
      let settled = false;
      const fail = (e: unknown): void => {
        if (settled) return;
        settled = true;
        client.end();
        if (hostKeyError) return reject(hostKeyError);
        const msg = (e as Error)?.message ?? String(e);
        reject(new MidtrustError('IO', `ssh ${key}: ${/authentication/i.test(msg) ? `authentication failed (${msg}); check the user and key or password` : msg}`, { cause: e }));
      };
      client.on('ready', () => {
        client.sftp((err, sftp) => {
          if (err) return fail(err);
          settled = true;
          this.opened.set(key, (this.opened.get(key) ?? 0) + 1);
          const closed = new Promise<never>((_resolve, rejectClosed) => {
            const drop = (e?: unknown): void => {
              rejectClosed(new MidtrustError('IO', `ssh ${key}: the connection was lost${e instanceof Error ? ` (${e.message})` : ''}`));
            };
            client.on('close', () => drop());
            client.on('error', drop);
            sftp.on('close', () => drop());
          });
          closed.catch(() => undefined); // observed by the calls that race against it
          resolve({ client, sftp, key, closed });
        });
      });
      client.on('error', fail);
      client.connect({
        host: spec.host,
        port: spec.port ?? 22,
        username: spec.user,
        privateKey: spec.privateKey,
        passphrase: spec.passphrase,
        password: spec.password,
        agent: spec.agent ?? (spec.privateKey || spec.password ? undefined : process.env.SSH_AUTH_SOCK),
        readyTimeout: spec.timeoutMs ?? 10_000,
        keepaliveInterval: 15_000,
        hostVerifier: (keyBlob: Buffer) => {
          hostKeyError = verifyHostKey(spec, keyBlob);
          return hostKeyError === undefined;
        },
      });
    });
  }
}

/** The process-wide pool. */
export const sshPool = new SshConnectionPool();
