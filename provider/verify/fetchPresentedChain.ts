import * as net from 'node:net';
import type { Duplex } from 'node:stream';
import * as tls from 'node:tls';
import { MidtrustError } from '../errors';
import { CapturingStream } from './capturingStream';
import type { EndpointTarget } from './endpointTarget';
import { ldapStartTls } from './ldapStartTls';
import { serverCertificates } from './serverCertificateMessage';

/** What the server presented in its handshake. */
export interface PresentedChain {
  /** DER certificates exactly as sent, in the server's order. */
  readonly certificates: readonly Uint8Array[];
  /** TLSv1.3, TLSv1.2. */
  readonly protocol: string;
  /** IANA name of the negotiated suite. */
  readonly cipherSuite: string;
  /** What SunJSSE passes as authType: "UNKNOWN" for TLS 1.3, the key exchange for TLS 1.2 ("ECDHE_RSA", …). */
  readonly authType: string;
}

/** Opens the byte stream to host:port: a TCP socket here, or a channel forwarded from a MID host. */
export type Connector = (host: string, port: number) => Promise<Duplex>;

/** Options of {@link fetchPresentedChain}. */
export interface FetchOptions {
  /** Connection and handshake timeout (default 10 s). */
  readonly timeoutMs?: number;
  /** How to reach the endpoint (default: TCP from this machine). */
  readonly connect?: Connector;
}

const CAPTURE_LIMIT = 1024 * 1024;

/**
 * Connects to the endpoint, runs StartTLS first for `ldap://`, completes a TLS handshake without
 * judging anything (node's own verification is off: the verdict is the JVM's, made afterwards)
 * and returns the certificates as the server presented them. SNI is sent for host names, not for
 * IP addresses, as Java does. TLS 1.2 or 1.3, as a current JDK negotiates.
 * An unreachable endpoint or a failed handshake is MidtrustError IO — never a verdict.
 *
 * @example
 * const chain = await fetchPresentedChain(parseEndpointTarget('ldaps://ad.example.com'));
 * chain.certificates.length // 2: the server certificate and its intermediate
 */
export async function fetchPresentedChain(target: EndpointTarget, opts: FetchOptions = {}): Promise<PresentedChain> {
  const timeoutMs = opts.timeoutMs ?? 10_000;
  const where = `${target.host}:${target.port}`;
  const raw = await (opts.connect ?? tcpConnect(timeoutMs))(target.host, target.port);
  try {
    if (target.kind === 'starttls') await ldapStartTls(raw, timeoutMs);
    const tap = new CapturingStream(raw, CAPTURE_LIMIT);
    const { socket, secret } = await handshake(tap, target, timeoutMs, where);
    try {
      const protocol = socket.getProtocol() ?? 'unknown';
      const cipherSuite = socket.getCipher().standardName;
      const tls13 = protocol === 'TLSv1.3';
      if (tls13 && !secret) throw new MidtrustError('IO', `${where}: the TLS 1.3 handshake keys were not available to read the server's certificates`);
      const certificates = serverCertificates(tap.received(), tls13 && secret ? { secret, cipherSuite } : undefined);
      const kex = /^TLS_(.+?)_WITH_/.exec(cipherSuite)?.[1];
      return { certificates, protocol, cipherSuite, authType: tls13 ? 'UNKNOWN' : (kex ?? 'UNKNOWN') };
    } finally {
      socket.destroy();
    }
  } catch (e) {
    // A bare host:port target is already named by the message ("proxy:8443: no TLS handshake …").
    if (e instanceof MidtrustError) throw e.message.startsWith(`${target.text}: `) ? e : e.withContext(target.text);
    throw new MidtrustError('IO', `${target.text}: ${(e as Error).message}`, { cause: e });
  } finally {
    raw.destroy();
  }
}

/** The default connector: TCP from this machine, with a timeout and errors a person can act on. */
export function tcpConnect(timeoutMs: number): Connector {
  return (host, port) =>
    new Promise<Duplex>((resolve, reject) => {
      const socket = net.connect({ host, port });
      const timer = setTimeout(() => {
        socket.destroy();
        reject(new MidtrustError('IO', `cannot connect to ${host}:${port}: no answer within ${Math.round(timeoutMs / 1000)} s (a firewall, or the wrong host or port?)`));
      }, timeoutMs);
      socket.once('connect', () => {
        clearTimeout(timer);
        socket.setNoDelay(true);
        resolve(socket);
      });
      socket.once('error', (e: NodeJS.ErrnoException) => {
        clearTimeout(timer);
        const why = e.code === 'ECONNREFUSED' ? 'connection refused (nothing listens there)' : e.code === 'ENOTFOUND' ? 'the host name does not resolve' : e.message;
        reject(new MidtrustError('IO', `cannot connect to ${host}:${port}: ${why}`, { cause: e }));
      });
    });
}

function handshake(stream: Duplex, target: EndpointTarget, timeoutMs: number, where: string): Promise<{ socket: tls.TLSSocket; secret?: Buffer }> {
  return new Promise((resolve, reject) => {
    let secret: Buffer | undefined;
    const socket = tls.connect({
      socket: stream,
      ...(net.isIP(target.host) ? {} : { servername: target.host }),
      rejectUnauthorized: false,
      // No CA list: node's own verification is not used, and loading its ~140 roots costs ~100 ms.
      ca: [],
      minVersion: 'TLSv1.2',
      // Weak chains must still be fetched to be judged; the JVM's rules decide afterwards.
      ciphers: 'DEFAULT:@SECLEVEL=0',
    });
    const timer = setTimeout(() => {
      socket.destroy();
      reject(new MidtrustError('IO', `${where}: no TLS handshake within ${Math.round(timeoutMs / 1000)} s (is it a TLS port? for ldap:// StartTLS use the ldap:// scheme)`));
    }, timeoutMs);
    socket.on('keylog', (line: Buffer) => {
      const m = /^SERVER_HANDSHAKE_TRAFFIC_SECRET [0-9a-f]+ ([0-9a-f]+)/i.exec(line.toString('latin1'));
      if (m) secret = Buffer.from(m[1], 'hex');
    });
    socket.once('secureConnect', () => {
      clearTimeout(timer);
      resolve({ socket, secret });
    });
    socket.once('error', (e: Error) => {
      clearTimeout(timer);
      socket.destroy();
      reject(new MidtrustError('IO', `${where}: ${handshakeFailure(e)}`, { cause: e }));
    });
  });
}

/**
 * A handshake error in words: OpenSSL's "wrong version number" means the other side did not
 * answer with TLS at all (plain HTTP, LDAP without StartTLS, SSH…); anything else keeps OpenSSL's
 * reason, on one line and without its source-file location.
 */
function handshakeFailure(e: Error & { code?: string; reason?: string }): string {
  if (e.code === 'ERR_SSL_WRONG_VERSION_NUMBER' || /wrong version number/i.test(e.message)) {
    return 'the server did not answer with TLS (plain HTTP or another protocol on this port?); check the port, or use ldap:// for a StartTLS LDAP server';
  }
  const reason = e.reason ?? e.message.replace(/:\.\.\/deps\/openssl\S*/g, '');
  return `the TLS handshake failed (${reason.replace(/\s+/g, ' ').trim()})`;
}
