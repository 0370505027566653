import { MidtrustError } from '../errors';
import type { EndpointIdentity } from './endpointIdentity';

/**
 * How the MID's Java client reaches the endpoint:
 * - `tls`: a bare TLS socket to host:port — no host-name check (said in the verdict);
 * - `https`: HttpsURLConnection — HTTPS host-name check;
 * - `ldaps`: JNDI over TLS — LDAP host-name check;
 * - `starttls`: JNDI ldap:// then the StartTLS extended operation — LDAP host-name check.
 */
export type EndpointKind = 'tls' | 'https' | 'ldaps' | 'starttls';

/** A parsed `--target`. */
export interface EndpointTarget {
  readonly kind: EndpointKind;
  /** Without IPv6 brackets. */
  readonly host: string;
  readonly port: number;
  /** As the user wrote it, for output and JSON. */
  readonly text: string;
  /** The host-name check the Java client makes, if any. */
  readonly identity?: EndpointIdentity;
}

const DEFAULT_PORTS: Readonly<Record<string, number>> = { https: 443, ldaps: 636, ldap: 389 };

/**
 * Parses `host:port`, `https://host[:port][/path]`, `ldaps://host[:port]` or `ldap://host[:port]`
 * (StartTLS). IPv6 addresses go in brackets: `[::1]:8443`.
 *
 * @example
 * parseEndpointTarget('ldaps://ad.example.com') // { kind: 'ldaps', host: 'ad.example.com', port: 636, ... }
 */
export function parseEndpointTarget(text: string): EndpointTarget {
  const bad = (why: string): MidtrustError =>
    new MidtrustError('INVALID_INPUT', `target '${text}': ${why}; give host:port, https://host[:port], ldaps://host[:port] or ldap://host[:port] (StartTLS)`);
  const t = text.trim();
  const scheme = /^([a-z][a-z0-9+.-]*):\/\//i.exec(t)?.[1]?.toLowerCase();
  let rest = scheme ? t.slice(scheme.length + 3) : t;
  if (scheme && !(scheme in DEFAULT_PORTS)) throw bad(`the scheme ${scheme}:// is not one midtrust can check`);
  rest = rest.replace(/[/?#].*$/, '');
  if (rest.includes('@')) throw bad('user information in the target is not supported');
  const m = /^(\[[0-9a-fA-F:.]+\]|[^:[\]]+)(?::(\d+))?$/.exec(rest);
  if (!m) throw bad('cannot read the host and port');
  const host = m[1].startsWith('[') ? m[1].slice(1, -1) : m[1];
  // node:net only when brackets ask for it: this parser runs for every desired-state file, and
  // loading net (with its streams) is ~3 ms of every apply.
  if (m[1].startsWith('[') && (require('node:net') as typeof import('node:net')).isIP(host) !== 6) throw bad(`${m[1]} is not an IPv6 address`);
  const port = m[2] !== undefined ? Number(m[2]) : scheme ? DEFAULT_PORTS[scheme] : undefined;
  if (port === undefined) throw bad('a target without a scheme needs a port');
  if (!Number.isInteger(port) || port < 1 || port > 65535) throw bad(`port ${m[2]} is out of range`);
  const kind: EndpointKind = scheme === 'https' ? 'https' : scheme === 'ldaps' ? 'ldaps' : scheme === 'ldap' ? 'starttls' : 'tls';
  const identity: EndpointIdentity | undefined = kind === 'tls' ? undefined : { algorithm: kind === 'https' ? 'HTTPS' : 'LDAP', hostname: host };
  return { kind, host, port, text: t, ...(identity ? { identity } : {}) };
}
