import { createHash, createHmac } from 'node:crypto';
import { MidtrustError } from '../../errors';
import { readRegularFileSync } from '../boundedRead';
import { READ_LIMITS } from '../readLimits';
import type { SshConnectionSpec } from './sshConnectionSpec';

/** OpenSSH's fingerprint of a public key blob: `SHA256:` + unpadded base64 of its SHA-256. */
export function sshFingerprint(keyBlob: Uint8Array): string {
  return `SHA256:${createHash('sha256').update(keyBlob).digest('base64').replace(/=+$/, '')}`;
}

/** The name known_hosts uses for a host: `host`, or `[host]:port` when the port is not 22. */
function knownHostsName(host: string, port: number): string {
  return port === 22 ? host : `[${host}]:${port}`;
}

function hostMatches(field: string, name: string): boolean {
  if (field.startsWith('|1|')) {
    // Hashed entry: |1|base64(salt)|base64(HMAC-SHA1(salt, name)).
    const [, , salt, hash] = field.split('|');
    if (!salt || !hash) return false;
    return createHmac('sha1', Buffer.from(salt, 'base64')).update(name).digest('base64') === hash;
  }
  return field.split(',').some((p) => p === name);
}

/** The key blobs (base64) known_hosts lists for a host, and whether any is marked @revoked. */
export function knownKeys(text: string, host: string, port: number): { keys: string[]; revoked: string[] } {
  const name = knownHostsName(host, port);
  const keys: string[] = [];
  const revoked: string[] = [];
  for (const raw of text.split(/\r?\n/)) {
    const line = raw.trim();
    if (!line || line.startsWith('#')) continue;
    const parts = line.split(/\s+/);
    const marker = parts[0].startsWith('@') ? parts.shift() : undefined;
    if (marker === '@cert-authority') continue; // certificate host keys are not supported: not matched
    const [hosts, , key] = parts;
    if (!hosts || !key || !hostMatches(hosts, name)) continue;
    (marker === '@revoked' ? revoked : keys).push(key);
  }
  return { keys, revoked };
}

/**
 * Decides whether a presented host key is the expected one. Returns an error to refuse with
 * (a message naming the host, the key's fingerprint and what to do), or undefined to accept.
 */
export function verifyHostKey(spec: SshConnectionSpec, keyBlob: Uint8Array): MidtrustError | undefined {
  const port = spec.port ?? 22;
  const where = `${spec.host}:${port}`;
  const presented = sshFingerprint(keyBlob);
  if (spec.hostKeyFingerprint) {
    const pinned = spec.hostKeyFingerprint.replace(/=+$/, '');
    if (pinned === presented) return undefined;
    return new MidtrustError('INVALID_INPUT', `HOST KEY MISMATCH for ${where}: it presented ${presented}, but ${pinned} is pinned; refusing to connect (the host was reinstalled, or someone is in the middle)`);
  }
  if (!spec.knownHostsFile) {
    return new MidtrustError('INVALID_INPUT', `${where}: no host key to verify against; give knownHostsFile or hostKeyFingerprint (its key is ${presented}) — midtrust never accepts an unknown host key`);
  }
  let text: string;
  try {
    text = readRegularFileSync(spec.knownHostsFile, { maxBytes: READ_LIMITS.configFile, what: 'the known_hosts file' }).toString('utf8');
  } catch (e) {
    return new MidtrustError('INVALID_INPUT', `${where}: cannot read the known_hosts file ${spec.knownHostsFile} (${(e as Error).message.split('\n')[0]})`);
  }
  const b64 = Buffer.from(keyBlob).toString('base64');
  const { keys, revoked } = knownKeys(text, spec.host, port);
  if (revoked.includes(b64)) return new MidtrustError('INVALID_INPUT', `${where}: its host key ${presented} is marked @revoked in ${spec.knownHostsFile}; refusing to connect`);
  if (keys.includes(b64)) return undefined;
  if (keys.length > 0) {
    return new MidtrustError('INVALID_INPUT', `HOST KEY MISMATCH for ${where}: it presented ${presented}, which is not the key ${spec.knownHostsFile} lists for it; refusing to connect`);
  }
  return new MidtrustError(
    'INVALID_INPUT',
    `${where}: unknown host (its key ${presented} is not in ${spec.knownHostsFile}); verify the key out of band, then add it, e.g. ssh-keyscan -p ${port} ${spec.host} >> ${spec.knownHostsFile}`,
  );
}
