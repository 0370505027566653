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
  /**
   * Set when the server refused a handshake offering exactly what the JVM offers (and the chain
   * was then read with a wider offer): OpenSSL's reason. The JVM's handshake fails the same way.
   */
  readonly jvmOfferRefused?: string;
}

/**
 * What a JDK 17–25 TLS client offers (SunJSSE defaults), in OpenSSL's names: a server chooses its
 * certificate, suite and signature from these, so the chain it presents to midtrust is the one it
 * presents to the MID — and a server that cannot satisfy them refuses midtrust as it refuses the
 * JVM (an MD5-signed certificate is not in signature_algorithms_cert; a secp256k1 key is not in
 * supported_groups). DHE-DSS suites and DSA signatures are there because Java offers them.
 */
export const JVM_CLIENT_OFFER = {
  ciphers: [
    'TLS_AES_256_GCM_SHA384', 'TLS_AES_128_GCM_SHA256', 'TLS_CHACHA20_POLY1305_SHA256',
    'ECDHE-ECDSA-AES256-GCM-SHA384', 'ECDHE-ECDSA-AES128-GCM-SHA256', 'ECDHE-ECDSA-CHACHA20-POLY1305', 'ECDHE-RSA-AES256-GCM-SHA384', 'ECDHE-RSA-CHACHA20-POLY1305', 'ECDHE-RSA-AES128-GCM-SHA256',
    'DHE-RSA-AES256-GCM-SHA384', 'DHE-RSA-CHACHA20-POLY1305', 'DHE-DSS-AES256-GCM-SHA384', 'DHE-RSA-AES128-GCM-SHA256', 'DHE-DSS-AES128-GCM-SHA256',
    'ECDHE-ECDSA-AES256-SHA384', 'ECDHE-RSA-AES256-SHA384', 'ECDHE-ECDSA-AES128-SHA256', 'ECDHE-RSA-AES128-SHA256', 'DHE-RSA-AES256-SHA256', 'DHE-DSS-AES256-SHA256', 'DHE-RSA-AES128-SHA256', 'DHE-DSS-AES128-SHA256',
    'ECDHE-ECDSA-AES256-SHA', 'ECDHE-RSA-AES256-SHA', 'ECDHE-ECDSA-AES128-SHA', 'ECDHE-RSA-AES128-SHA', 'DHE-RSA-AES256-SHA', 'DHE-DSS-AES256-SHA', 'DHE-RSA-AES128-SHA', 'DHE-DSS-AES128-SHA',
    'AES256-GCM-SHA384', 'AES128-GCM-SHA256', 'AES256-SHA256', 'AES128-SHA256', 'AES256-SHA', 'AES128-SHA',
  ].join(':') + ':@SECLEVEL=0',
  sigalgs: [
    'ECDSA+SHA256', 'ECDSA+SHA384', 'ECDSA+SHA512', 'ed25519', 'ed448', 'rsa_pss_rsae_sha256', 'rsa_pss_rsae_sha384', 'rsa_pss_rsae_sha512', 'rsa_pss_pss_sha256', 'rsa_pss_pss_sha384', 'rsa_pss_pss_sha512',
    'RSA+SHA256', 'RSA+SHA384', 'RSA+SHA512', 'DSA+SHA256', 'ECDSA+SHA224', 'RSA+SHA224', 'DSA+SHA224', 'ECDSA+SHA1', 'RSA+SHA1', 'DSA+SHA1',
  ].join(':'),
  groups: 'X25519:P-256:P-384:P-521:X448:ffdhe2048:ffdhe3072:ffdhe4096:ffdhe6144:ffdhe8192',
} as const;

/** What node offers when the JVM's offer was refused: enough to read the chain and say why. */
const WIDE_OFFER = { ciphers: 'ALL:@SECLEVEL=0' } as const;

type Offer = { readonly ciphers: string; readonly sigalgs?: string; readonly groups?: string };

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
  try {
    return await fetchWith(target, JVM_CLIENT_OFFER, opts, timeoutMs);
  } catch (e) {
    // Refused by the server (an alert, no shared algorithm) rather than unreachable: read the
    // chain with a wider offer, and say that the JVM's handshake fails.
    if (!(e instanceof HandshakeRefused)) throw e;
    try {
      return { ...(await fetchWith(target, WIDE_OFFER, opts, timeoutMs)), jvmOfferRefused: e.reason };
    } catch {
      // Refused whatever is offered (a key no TLS signature scheme fits, …): the JVM's outcome is
      // still known — its handshake fails — but the chain cannot be seen.
      return { certificates: [], protocol: 'unknown', cipherSuite: 'none', authType: 'UNKNOWN', jvmOfferRefused: e.reason };
    }
  }
}

/** The handshake with one offer failed on the TLS level (the server answered, then refused). */
class HandshakeRefused extends Error {
  constructor(
    readonly reason: string,
    readonly error: MidtrustError,
  ) {
    super(reason);
  }
}

async function fetchWith(target: EndpointTarget, offer: Offer, opts: FetchOptions, timeoutMs: number): Promise<PresentedChain> {
  const where = `${target.host}:${target.port}`;
  const raw = await (opts.connect ?? tcpConnect(timeoutMs))(target.host, target.port);
  try {
    if (target.kind === 'starttls') await ldapStartTls(raw, timeoutMs);
    const tap = new CapturingStream(raw, CAPTURE_LIMIT);
    const { socket, secret } = await handshake(tap, target, timeoutMs, where, offer);
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
    if (e instanceof HandshakeRefused) throw new HandshakeRefused(e.reason, e.error.message.startsWith(`${target.text}: `) ? e.error : e.error.withContext(target.text));
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

function handshake(stream: Duplex, target: EndpointTarget, timeoutMs: number, where: string, offer: Offer): Promise<{ socket: tls.TLSSocket; secret?: Buffer }> {
  return new Promise((resolve, reject) => {
    let secret: Buffer | undefined;
    const socket = tls.connect({
      socket: stream,
      ...(net.isIP(target.host) ? {} : { servername: target.host }),
      rejectUnauthorized: false,
      // No CA list: node's own verification is not used, and loading its ~140 roots costs ~100 ms.
      ca: [],
      minVersion: 'TLSv1.2',
      // Weak chains must still be fetched to be judged (@SECLEVEL=0); the JVM's rules decide afterwards.
      ciphers: offer.ciphers,
      ...(offer.sigalgs ? { sigalgs: offer.sigalgs } : {}),
      ...(offer.groups ? { ecdhCurve: offer.groups } : {}),
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
    socket.once('error', (e: Error & { code?: string }) => {
      clearTimeout(timer);
      socket.destroy();
      const error = new MidtrustError('IO', `${where}: ${handshakeFailure(e)}`, { cause: e });
      reject(isRefusal(e) ? new HandshakeRefused(refusalReason(e), error) : error);
    });
  });
}

/** A TLS-level refusal (an alert from the server, or no algorithm in common), not a transport failure. */
function isRefusal(e: Error & { code?: string }): boolean {
  return /^ERR_SSL_/.test(e.code ?? '') && e.code !== 'ERR_SSL_WRONG_VERSION_NUMBER';
}

function refusalReason(e: Error & { reason?: string }): string {
  return (e.reason ?? e.message.replace(/:\.\.\/deps\/openssl\S*/g, '')).replace(/\s+/g, ' ').trim().toLowerCase();
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
