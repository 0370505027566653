import type { Duplex } from 'node:stream';
import type { Client, SFTPWrapper } from 'ssh2';
import { MidtrustError } from '../../errors';
import { openBecomeSftp } from './becomeSftp';
import { verifyHostKey } from './hostKeyVerifier';
import { connectionKey, hopKey, type SshConnectionSpec } from './sshConnectionSpec';

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
 * failures are not. Jump hosts are shared too: 50 MID hosts behind one bastion make one
 * connection to the bastion, each target a direct-tcpip channel of it.
 */
export class SshConnectionPool {
  private readonly sessions = new Map<string, Promise<SshSession>>();
  private readonly hops = new Map<string, Promise<Client>>();
  /** How many connections were opened, per connection key (jump hosts by their hop key); the bench reports it. */
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
    const hops = [...this.hops.values()].reverse(); // the last hop first: it rides on the ones before
    this.sessions.clear();
    this.hops.clear();
    for (const s of all) {
      try {
        (await s).client.end();
      } catch {
        // already failed
      }
    }
    for (const h of hops) {
      try {
        (await h).end();
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

  private async connect(spec: SshConnectionSpec, key: string): Promise<SshSession> {
    const sock = spec.jump?.length ? await this.tunnel(spec.jump, spec, key) : undefined;
    const where = spec.jump?.length ? `${key} (via ${hopKey(spec.jump)})` : key;
    const client = await this.handshake(spec, where, sock);
    let sftp: SFTPWrapper;
    try {
      sftp = spec.become ? await openBecomeSftp(client, spec.become, `ssh ${where}`, spec.user) : await new Promise<SFTPWrapper>((resolve, reject) => client.sftp((err, s) => (err ? reject(err) : resolve(s))));
    } catch (e) {
      client.end();
      throw e instanceof MidtrustError ? e : new MidtrustError('IO', `ssh ${where}: ${(e as Error)?.message ?? String(e)}`, { cause: e });
    }
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
    return { client, sftp, key, closed };
  }

  /**
   * The connected client of the last of `hops`, each reached through the ones before it; one per
   * chain of hops per pool, forgotten when it drops (the next target reconnects it).
   */
  private hop(hops: readonly SshConnectionSpec[]): Promise<Client> {
    const key = hopKey(hops);
    let h = this.hops.get(key);
    if (!h) {
      const spec = hops[hops.length - 1];
      const before = hops.slice(0, -1);
      const opening = (async () => {
        const sock = before.length ? await this.tunnel(before, spec, `${connectionKey(spec)} (jump host)`) : undefined;
        const client = await this.handshake(spec, before.length ? `${connectionKey(spec)} (jump host via ${hopKey(before)})` : `${connectionKey(spec)} (jump host)`, sock);
        this.opened.set(key, (this.opened.get(key) ?? 0) + 1);
        const forget = (): void => {
          if (this.hops.get(key) === opening) this.hops.delete(key);
        };
        client.on('close', forget);
        client.on('error', forget);
        return client;
      })();
      opening.catch(() => {
        if (this.hops.get(key) === opening) this.hops.delete(key);
      });
      this.hops.set(key, opening);
      h = opening;
    }
    return h;
  }

  /** A TCP stream to `to`, opened by the last of `hops` (direct-tcpip), for the next SSH handshake. */
  private async tunnel(hops: readonly SshConnectionSpec[], to: SshConnectionSpec, forKey: string): Promise<Duplex> {
    const client = await this.hop(hops);
    const port = to.port ?? 22;
    return new Promise<Duplex>((resolve, reject) => {
      client.forwardOut('127.0.0.1', 0, to.host, port, (err, channel) => {
        if (err) {
          return reject(new MidtrustError('IO', `ssh ${forKey}: the jump host ${hopKey(hops)} could not connect to ${to.host}:${port} (${err.message}); check that the host is reachable from there and that its sshd allows TCP forwarding`, { cause: err }));
        }
        resolve(channel);
      });
    });
  }

  /** One SSH handshake (over `sock` when given), the host key verified; resolves once authenticated. */
  private handshake(spec: SshConnectionSpec, where: string, sock?: Duplex): Promise<Client> {
    // The client alone: ssh2's index also loads its server, key generator and HTTP agents (which
    // pull in node's http, https and tls) — 15–30 ms of every fleet run's start, for nothing.
    const Client = require('ssh2/lib/client.js') as typeof import('ssh2').Client;
    return new Promise<Client>((resolve, reject) => {
      const client = new Client();
      let hostKeyError: MidtrustError | undefined;
      let settled = false;
      const fail = (e: unknown): void => {
        if (settled) return;
        settled = true;
        client.end();
        if (hostKeyError) return reject(hostKeyError);
        const msg = (e as Error)?.message ?? String(e);
        reject(new MidtrustError('IO', `ssh ${where}: ${/authentication/i.test(msg) ? `authentication failed (${msg}); check the user and key, agent or password` : /passphrase|encrypted/i.test(msg) ? `cannot use the private key (${msg}); give its passphrase` : msg}`, { cause: e }));
      };
      client.on('ready', () => {
        if (settled) return;
        settled = true;
        resolve(client);
      });
      client.on('error', fail);
      try {
        client.connect({
          ...(sock ? { sock } : { host: spec.host, port: spec.port ?? 22 }),
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
      } catch (e) {
        // ssh2 throws synchronously for a key it cannot parse (an encrypted key without its passphrase).
        fail(e);
      }
    });
  }
}

/** The process-wide pool. */
export const sshPool = new SshConnectionPool();
