/**
 * The hostile chain of issue 19 item 3: `levels` levels of `k` certificates each, all of a level
 * with the same name and the same key, each issued by the level above (so every certificate of a
 * level verifies under every certificate of the next: k^levels paths), sent shuffled after the
 * server certificate. Made in-process with node's crypto (P-256, ECDSA-SHA256): ~0.1 ms each.
 * Used by bench:verify (time) and test/verify/pathSearch.test.ts (the budget, functionally).
 */
import { createHash, generateKeyPairSync, sign, type KeyObject } from 'node:crypto';
import { oid, tlv } from '../provider/asn1/derWriter';

/** Options of {@link hostileChain}. */
export interface HostileChainOptions {
  readonly levels: number;
  readonly k: number;
  /** The server certificate expired: every path fails, so a search must try them all. */
  readonly expiredLeaf?: boolean;
  /** Give each copy its own validity, so no two are identical but for the serial number. */
  readonly distinctCopies?: boolean;
}

/** The presented chain (server certificate first) and the root to trust. */
export interface HostileChain {
  readonly presented: Uint8Array[];
  readonly root: Uint8Array;
}

const DAY = 86_400_000;

/**
 * @example
 * const { presented, root } = hostileChain({ levels: 7, k: 14 }); // 1 + 98 certificates
 */
export function hostileChain(opts: HostileChainOptions): HostileChain {
  const key = (): { publicKey: KeyObject; privateKey: KeyObject } => generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const now = Date.now();
  const rootKey = key();
  const rootName = 'Hostile Root';
  const root = certificate({ subject: rootName, issuer: rootName, key: rootKey.publicKey, signer: rootKey.privateKey, ca: true, serial: 1, notBefore: now - DAY, notAfter: now + 365 * DAY });
  const levels: Uint8Array[][] = [];
  let above = { name: rootName, key: rootKey };
  let serial = 2;
  for (let level = opts.levels; level >= 1; level--) {
    const name = `Hostile Level ${level}`;
    const levelKey = key();
    const copies: Uint8Array[] = [];
    for (let i = 0; i < opts.k; i++) {
      const skew = opts.distinctCopies ? i * 1000 : 0;
      copies.push(certificate({ subject: name, issuer: above.name, key: levelKey.publicKey, signer: above.key.privateKey, ca: true, serial: serial++, notBefore: now - DAY - skew, notAfter: now + 365 * DAY }));
    }
    levels.unshift(copies);
    above = { name, key: levelKey };
  }
  const leafKey = key();
  const leaf = certificate({
    subject: 'localhost',
    issuer: above.name,
    key: leafKey.publicKey,
    signer: above.key.privateKey,
    ca: false,
    serial: serial++,
    notBefore: opts.expiredLeaf ? now - 30 * DAY : now - DAY,
    notAfter: opts.expiredLeaf ? now - 2 * DAY : now + 365 * DAY,
  });
  // A deterministic shuffle (the order the certificates arrive in must not help the search).
  const rest = levels.flat().sort((a, b) => createHash('sha256').update(a).digest().compare(createHash('sha256').update(b).digest()));
  return { presented: [leaf, ...rest], root };
}

interface CertSpec {
  readonly subject: string;
  readonly issuer: string;
  readonly key: KeyObject;
  readonly signer: KeyObject;
  readonly ca: boolean;
  readonly serial: number;
  readonly notBefore: number;
  readonly notAfter: number;
}

function certificate(s: CertSpec): Uint8Array {
  const ecdsaSha256 = seq(oid('1.2.840.10045.4.3.2'));
  const basicConstraints = seq(oid('2.5.29.19'), tlv(0x01, Uint8Array.of(0xff)), tlv(0x04, seq(...(s.ca ? [tlv(0x01, Uint8Array.of(0xff))] : []))));
  const tbs = seq(
    tlv(0xa0, tlv(0x02, Uint8Array.of(2))),
    tlv(0x02, Uint8Array.from(integerBytes(s.serial))),
    ecdsaSha256,
    name(s.issuer),
    seq(utcTime(s.notBefore), utcTime(s.notAfter)),
    name(s.subject),
    s.key.export({ type: 'spki', format: 'der' }),
    tlv(0xa3, seq(basicConstraints)),
  );
  const signature = sign('sha256', tbs, s.signer);
  return seq(tbs, ecdsaSha256, tlv(0x03, Buffer.concat([Buffer.from([0]), signature])));
}

/** A SEQUENCE of the parts (DER, provider/asn1/derWriter.ts). */
function seq(...parts: Uint8Array[]): Uint8Array {
  return tlv(0x30, ...parts);
}

function name(cn: string): Uint8Array {
  return seq(tlv(0x31, seq(oid('2.5.4.3'), tlv(0x0c, Buffer.from(cn, 'utf8')))));
}

function utcTime(ms: number): Uint8Array {
  const t = new Date(ms).toISOString();
  return tlv(0x17, Buffer.from(`${t.slice(2, 4)}${t.slice(5, 7)}${t.slice(8, 10)}${t.slice(11, 13)}${t.slice(14, 16)}${t.slice(17, 19)}Z`, 'latin1'));
}

function integerBytes(n: number): number[] {
  const out: number[] = [];
  for (let v = n; v > 0; v = Math.floor(v / 256)) out.unshift(v & 0xff);
  if (out.length === 0 || out[0] & 0x80) out.unshift(0);
  return out;
}
