/**
 * Property tests (fixed seeds): random keystore models survive writePkcs12 → readPkcs12 in modern
 * and password-less protection, and random damage to real keytool-made stores ends in a read or a
 * MidtrustError — never another exception, never a hang.
 */
import { createHash, X509Certificate } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import fc from 'fast-check';
import { children, readTlv, whole } from '../../../provider/asn1/derReader';
import { explicit, octetString, oid, sequence } from '../../../provider/asn1/derWriter';
import { isMidtrustError } from '../../../provider/errors';
import type { EntryKind, Keystore, KeystoreEntry } from '../../../provider/keystore/model';
import { readPkcs12, writePkcs12, type Pkcs12StoreData } from '../../../provider/keystore/pkcs12';
import { OID } from '../../../provider/keystore/pkcs12/pkcs12Oids';
import { needs } from '../../helpers/requireTools';
import { certificates, modernStore, passwordlessStore, STOREPASS } from './pkcs12Fixtures';

jest.setTimeout(300_000);

const sha256 = (b: Uint8Array): string => createHash('sha256').update(b).digest('hex');
const PASS = 'prop-Pass.1';

/** Deterministic "random" bytes for salts and IVs, so a failing run can be replayed. */
function seededRandom(seed: number): (n: number) => Uint8Array {
  let x = seed >>> 0 || 1;
  return (n) => {
    const out = new Uint8Array(n);
    for (let i = 0; i < n; i++) {
      x ^= x << 13;
      x ^= x >>> 17;
      x ^= x << 5;
      out[i] = x & 0xff;
    }
    return out;
  };
}

/** Real certificates: the system's CA roots (self-signed, so each is a chain of one). */
function rootPool(): Uint8Array[] {
  const dir = '/etc/ssl/certs';
  const out: Uint8Array[] = [];
  if (fs.existsSync(dir)) {
    for (const f of fs.readdirSync(dir).filter((n) => n.endsWith('.pem')).sort().slice(0, 30)) {
      try {
        out.push(new Uint8Array(new X509Certificate(fs.readFileSync(path.join(dir, f))).raw));
      } catch {
        // not a single certificate: skip
      }
    }
  }
  return out;
}

/** A key SafeBag as another PKCS12 store would carry it (no attributes: the writer adds them). */
const keyBag = (secret: boolean, body: Uint8Array): Uint8Array =>
  secret
    ? sequence(oid(OID.secretBag), explicit(0, sequence(oid(OID.pkcs8ShroudedKeyBag), explicit(0, octetString(body)))))
    : sequence(oid(OID.pkcs8ShroudedKeyBag), explicit(0, sequence(sequence(oid(OID.pbes2)), octetString(body))));

interface Spec {
  alias: string;
  kind: EntryKind;
  cert: number;
  twoCertChain: boolean;
  body: Uint8Array;
}

const aliasArb = fc.string({ unit: 'grapheme', minLength: 1, maxLength: 12 }).filter((s) => s.trim().length > 0);
const specArb = fc.record({
  alias: aliasArb,
  kind: fc.constantFrom<EntryKind>('trustedCertificate', 'trustedCertificate', 'privateKey', 'secretKey'),
  cert: fc.nat(),
  twoCertChain: fc.boolean(),
  body: fc.uint8Array({ minLength: 1, maxLength: 64 }),
});
const modelArb = fc.uniqueArray(specArb, { maxLength: 12, selector: (s) => s.alias.toLowerCase() });

let pool: Uint8Array[];
let chain: Uint8Array[];
beforeAll(() => {
  const c = certificates();
  chain = [c.rsa, c.ca];
  pool = [...rootPool(), c.ca, c.t1, c.t2, c.t3];
});

function toModel(specs: Spec[]): Keystore {
  const entries = specs.map((s, i): KeystoreEntry => {
    const cert = pool[s.cert % pool.length];
    if (s.kind === 'trustedCertificate') return { alias: s.alias, kind: s.kind, certificates: [cert] };
    // Distinct timestamps: they become the "Time <ms>" localKeyIDs that link keys to their leaves.
    const timestamp = 1_700_000_000_000 + i;
    if (s.kind === 'secretKey') return { alias: s.alias, kind: s.kind, timestamp, certificates: [], protectedKey: keyBag(true, s.body) };
    return { alias: s.alias, kind: s.kind, timestamp, certificates: s.twoCertChain ? chain : [cert], protectedKey: keyBag(false, s.body) };
  });
  return { type: 'PKCS12', integrity: 'none', entries };
}

/** What must survive: keys come first in the file (keytool's layout), each group in model order. */
function summary(entries: readonly KeystoreEntry[]): unknown[] {
  const keys = entries.filter((e) => e.kind !== 'trustedCertificate');
  const trusted = entries.filter((e) => e.kind === 'trustedCertificate');
  return [...keys, ...trusted].map((e) => [e.alias, e.kind, e.kind === 'trustedCertificate' ? undefined : e.timestamp, e.certificates.map(sha256)]);
}

const bags = (s: Keystore): string[] => (s.codecData as Pkcs12StoreData).contents.flatMap((c) => c.bags.map((b) => Buffer.from(b).toString('hex'))).sort();

describe('random models round-trip', () => {
  test('modern (PBES2 + HMAC-SHA256), 20 runs', () => {
    fc.assert(
      fc.property(modelArb, fc.integer(), (specs, seed) => {
        const model = toModel(specs);
        const bytes = writePkcs12(model, PASS, { random: seededRandom(seed) });
        const back = readPkcs12(bytes, { password: PASS });
        expect(back.integrity).toBe('verified');
        expect(summary(back.entries)).toEqual(summary(model.entries));
        const again = readPkcs12(writePkcs12(back, PASS, { random: seededRandom(seed + 1) }), { password: PASS });
        expect(bags(again)).toEqual(bags(back));
      }),
      { seed: 20250101, numRuns: 20 },
    );
  });

  test('password-less, 100 runs: deterministic and byte-identical on rewrite', () => {
    fc.assert(
      fc.property(modelArb, (specs) => {
        const model = toModel(specs);
        const bytes = writePkcs12(model, undefined);
        const back = readPkcs12(bytes, {});
        expect(back.integrity).toBe('none');
        expect(summary(back.entries)).toEqual(summary(model.entries));
        expect(Buffer.from(writePkcs12(back, undefined)).equals(Buffer.from(bytes))).toBe(true);
      }),
      { seed: 20250102, numRuns: 100 },
    );
  });
});

type Mutation = { op: 'flip' | 'set' | 'truncate' | 'insert' | 'delete'; at: number; value: number; count: number };
const mutationArb = fc.array(
  fc.record({
    op: fc.constantFrom<Mutation['op']>('flip', 'set', 'truncate', 'insert', 'delete'),
    at: fc.nat(),
    value: fc.integer({ min: 0, max: 255 }),
    count: fc.integer({ min: 1, max: 16 }),
  }),
  { minLength: 1, maxLength: 4 },
);

function mutate(input: Uint8Array, ms: Mutation[]): Uint8Array {
  let b = Buffer.from(input);
  for (const m of ms) {
    if (b.length === 0) break;
    const at = m.at % b.length;
    if (m.op === 'flip') b[at] ^= 1 << (m.value % 8);
    else if (m.op === 'set') b[at] = m.value;
    else if (m.op === 'truncate') b = b.subarray(0, at);
    else if (m.op === 'insert') b = Buffer.concat([b.subarray(0, at), Buffer.alloc(m.count, m.value), b.subarray(at)]);
    else b = Buffer.concat([b.subarray(0, at), b.subarray(Math.min(b.length, at + m.count))]);
  }
  return b;
}

/**
 * Reads and demands a store or a MidtrustError; returns the outcome. The time bound only catches
 * a runaway parse (a read takes milliseconds): 30 s survives a loaded 2-core machine.
 */
function readOrMidtrustError(bytes: Uint8Array, password: string | undefined): string {
  const t0 = Date.now();
  let outcome = 'read';
  try {
    readPkcs12(bytes, { password });
  } catch (err) {
    if (!isMidtrustError(err)) throw new Error(`non-MidtrustError: ${String(err)}\n${(err as Error).stack}`);
    outcome = err.code;
  }
  expect(Date.now() - t0).toBeLessThan(30_000);
  return outcome;
}

/** Counts outcomes, to show the damage reaches past the first bytes (some reads succeed, several error kinds). */
function tally(outcomes: string[]): Record<string, number> {
  const t: Record<string, number> = {};
  for (const o of outcomes) t[o] = (t[o] ?? 0) + 1;
  return t;
}

/** The same PFX without its MacData, so damage reaches decryption and bag parsing. */
function withoutMac(bytes: Uint8Array): Uint8Array {
  const pfx = readTlv(bytes, 0);
  const [version, authSafe] = children(bytes, pfx);
  return sequence(whole(bytes, version), whole(bytes, authSafe));
}

describe('damaged keytool-made stores end in a read or a MidtrustError', () => {
  test('modern store (keytool 17), with and without MAC, 150 runs', () => {
    const original = fs.readFileSync(modernStore());
    const noMac = withoutMac(original);
    expect(readPkcs12(noMac, { password: STOREPASS }).entries).toHaveLength(5);
    const outcomes: string[] = [];
    fc.assert(
      fc.property(mutationArb, fc.boolean(), (ms, stripMac) => {
        const damaged = mutate(stripMac ? noMac : original, ms);
        outcomes.push(readOrMidtrustError(damaged, STOREPASS), readOrMidtrustError(damaged, undefined));
      }),
      { seed: 20250103, numRuns: 150 },
    );
    const t = tally(outcomes);
    console.log(`damaged modern store outcomes: ${JSON.stringify(t)}`);
    expect(Object.keys(t).length).toBeGreaterThanOrEqual(4);
  });

  needs('jdk18').it('password-less store (JDK ≥ 18 keytool), 400 runs', () => {
    const original = fs.readFileSync(passwordlessStore()!);
    const outcomes: string[] = [];
    fc.assert(
      fc.property(mutationArb, (ms) => {
        const damaged = mutate(original, ms);
        outcomes.push(readOrMidtrustError(damaged, undefined), readOrMidtrustError(damaged, 'some password'));
      }),
      { seed: 20250104, numRuns: 400 },
    );
    const t = tally(outcomes);
    console.log(`damaged password-less store outcomes: ${JSON.stringify(t)}`);
    expect(t.read).toBeGreaterThan(0);
    expect(Object.keys(t).length).toBeGreaterThanOrEqual(3);
  });
});
