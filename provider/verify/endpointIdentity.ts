import { isIP } from 'node:net';
import type { X509Certificate } from 'node:crypto';

/**
 * The host-name check a Java client makes after the chain is trusted
 * (X509TrustManagerImpl.checkIdentity → sun.security.util.HostnameChecker):
 * - `HTTPS` (HttpsURLConnection, HttpClient), `LDAP` (JNDI ldaps:// and StartTLS): an IP address
 *   must be a SAN iPAddress; a DNS name must match a SAN dNSName, and only when the certificate
 *   has no dNSName at all is the most specific CN used; a wildcard only in the leftmost label.
 */
export interface EndpointIdentity {
  readonly algorithm: 'HTTPS' | 'LDAP';
  /** The name the client connected to (what Java checks: the SNI name, else the peer host). */
  readonly hostname: string;
}

/** Whether and how the name was checked. */
export type IdentityResult =
  | { readonly checked: false }
  | { readonly checked: true; readonly algorithm: 'HTTPS' | 'LDAP'; readonly hostname: string; readonly matched: boolean; readonly message: string };

/**
 * Checks the server certificate's names against the host with node's (OpenSSL's) matcher,
 * configured like Java's: CN only without dNSName SANs, partial wildcards in the leftmost label
 * (`f*.example.com`), no wildcard spanning labels.
 *
 * @example
 * checkEndpointIdentity(leafX509, { algorithm: 'HTTPS', hostname: 'ldap.example.com' }).matched
 */
export function checkEndpointIdentity(leaf: X509Certificate, id: EndpointIdentity): IdentityResult {
  let host = id.hostname;
  if (host.startsWith('[') && host.endsWith(']')) host = host.slice(1, -1);
  if (host.endsWith('.')) host = host.slice(0, -1);
  let matched: boolean;
  if (isIP(host)) {
    matched = leaf.checkIP(host) !== undefined;
  } else {
    matched = leaf.checkHost(host, { subject: 'default', wildcards: true, partialWildcards: true, multiLabelWildcards: false, singleLabelSubdomains: false }) !== undefined;
  }
  const names = leaf.subjectAltName ? `its names are ${leaf.subjectAltName}` : `it has no subject alternative names (subject ${leaf.subject.replace(/\n/g, ', ')})`;
  const message = matched
    ? `the certificate matches ${host} (${id.algorithm} host-name check)`
    : `the server certificate is not valid for ${host}: ${names}; ${isIP(host) ? 'an IP address must be listed as a SAN IP address' : 'connect with a name the certificate lists, or re-issue it with this name as a SAN'} (Java's ${id.algorithm} host-name check)`;
  return { checked: true, algorithm: id.algorithm, hostname: host, matched, message };
}
