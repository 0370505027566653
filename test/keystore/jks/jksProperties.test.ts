import * as fs from 'node:fs';
import fc from 'fast-check';
import { MidtrustError } from '../../../provider/errors';
import type { JksEntryData } from '../../../provider/keystore/jks/jksCodecData';
import { readJks } from '../../../provider/keystore/jks/jksReader';
import { writeJks } from '../../../provider/keystore/jks/jksWriter';
import type { Keystore, KeystoreEntry } from '../../../provider/keystore/model';
import { javaLowerCase } from '../../../provider/keystore/javaAliasCase';
import { makeJksFixtures, STOREPASS, type JksFixtures } from './jksFixtures';

const SEED = 20261127;

/** Aliases from whole graphemes and from raw UTF-16 code units (lone surrogates, U+0000). */
const aliasArb = fc.oneof(
  fc.string({ minLength: 1, maxLength: 20, unit: 'grapheme' }),
  fc.string({ minLength: 1, maxLength: 12, unit: fc.integer({ min: 0, max: 0xffff }).map((c) => String.fromCharCode(c)) }),
);
const timestampArb = fc.integer({ min: Number.MIN_SAFE_INTEGER, max: Number.MAX_SAFE_INTEGER });
const certTypeArb = fc.oneof(fc.constant('X.509'), fc.string({ maxLength: 10 }));

const entryArb: fc.Arbitrary<KeystoreEntry> = fc.oneof(
  fc.record({
    alias: aliasArb,
    kind: fc.constant('trustedCertificate' as const),
    timestamp: timestampArb,
    certificates: fc.tuple(fc.uint8Array({ minLength: 0, maxLength: 300 })),
    codecData: fc.option(certTypeArb.map((t): JksEntryData => ({ codec: 'jks', certTypes: [t] })), { nil: undefined }),
  }),
  fc.record({
    alias: aliasArb,
    kind: fc.constant('privateKey' as const),
    timestamp: timestampArb,
    certificates: fc.array(fc.uint8Array({ minLength: 1, maxLength: 200 }), { minLength: 0, maxLength: 3 }),
    protectedKey: fc.uint8Array({ minLength: 0, maxLength: 300 }),
  }),
);

/**
 * JCEKS only: a secret key as the simplest stream Java's serialization grammar allows, a byte[]
 * (AC ED 00 05, TC_ARRAY, class "[B" with its serialVersionUID, no fields, no superclass, length, bytes).
 */
const secretKeyArb: fc.Arbitrary<KeystoreEntry> = fc.record({
  alias: aliasArb,
  kind: fc.constant('secretKey' as const),
  timestamp: timestampArb,
  certificates: fc.constant([]),
  protectedKey: fc.uint8Array({ maxLength: 100 }).map((b) => {
    const len = Buffer.alloc(4);
    len.writeUInt32BE(b.length);
    return Buffer.concat([Buffer.from('aced0005757200025b42acf317f8060854e00200007870', 'hex'), len, b]);
  }),
});

const hex = (b: Uint8Array | undefined): string | undefined => (b ? Buffer.from(b).toString('hex') : undefined);
const certTypesOf = (e: KeystoreEntry): readonly string[] => (e.codecData as JksEntryData | undefined)?.certTypes ?? e.certificates.map(() => 'X.509');

describe('JKS/JCEKS properties', () => {
  it('random models round-trip through writeJks/readJks', () => {
    console.log(`fast-check seed ${SEED}`);
    const kinds = new Set<string>();
    fc.assert(
      fc.property(
        fc.constantFrom('JKS' as const, 'JCEKS' as const).chain((type) =>
          fc.tuple(fc.constant(type), fc.uniqueArray(type === 'JCEKS' ? fc.oneof(entryArb, secretKeyArb) : entryArb, { maxLength: 8, selector: (e) => e.alias.toLowerCase() })),
        ),
        fc.string(),
        ([type, entries], password) => {
        const store: Keystore = { type, entries, integrity: 'verified' };
        const bytes = writeJks(store, password);
        const back = readJks(bytes, { password });
        back.entries.forEach((e) => kinds.add(`${type} ${e.kind}`));
        expect(back.type).toBe(type);
        expect(back.integrity).toBe('verified');
        const shape = (e: KeystoreEntry, alias: string) => [alias, e.kind, e.timestamp, e.certificates.map(hex), hex(e.protectedKey), certTypesOf(e)];
        // An entry read from a file (it carries codecData) keeps its alias as stored; a new one is lowercased as Java 17 does.
        expect(back.entries.map((e) => shape(e, e.alias))).toEqual(entries.map((e) => shape(e, e.codecData ? e.alias : javaLowerCase(e.alias))));
        // What was read writes back to the same bytes.
        expect(Buffer.compare(Buffer.from(writeJks(back, password)), Buffer.from(bytes))).toBe(0);
        },
      ),
      { seed: SEED, numRuns: 300 },
    );
    expect([...kinds].sort()).toEqual(['JCEKS privateKey', 'JCEKS secretKey', 'JCEKS trustedCertificate', 'JKS privateKey', 'JKS trustedCertificate']);
  });

  describe('damaged real stores', () => {
    let fx: JksFixtures | undefined;
    beforeAll(() => {
      fx = makeJksFixtures();
    });
    afterAll(() => {
      if (fx) fs.rmSync(fx.dir, { recursive: true, force: true });
    });

    it('mutated and truncated keytool stores give a read or a MidtrustError, never anything else', () => {
      const originals = [fs.readFileSync(fx!.jks), fs.readFileSync(fx!.jceks)];
      const started = Date.now();
      let slowest = 0;
      const outcomes = new Map<string, number>();
      console.log(`fast-check seed ${SEED}`);
      fc.assert(
        fc.property(
          fc.constantFrom(0, 1),
          fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 })), { minLength: 0, maxLength: 4 }),
          fc.option(fc.nat(), { nil: undefined }),
          fc.boolean(),
          (which, flips, cut, withPassword) => {
            const b = Buffer.from(originals[which]);
            for (const [pos, v] of flips) b[pos % b.length] = v;
            const input = cut === undefined ? b : b.subarray(0, cut % b.length);
            const t0 = Date.now();
            try {
              const store = readJks(input, withPassword ? { password: STOREPASS } : {});
              // A store that reads must also write (or refuse with a MidtrustError, e.g. an alias now duplicated).
              writeJks(store, STOREPASS);
              outcomes.set('read', (outcomes.get('read') ?? 0) + 1);
            } catch (e) {
              if (!(e instanceof MidtrustError)) throw e;
              outcomes.set(e.code, (outcomes.get(e.code) ?? 0) + 1);
            }
            slowest = Math.max(slowest, Date.now() - t0);
          },
        ),
        { seed: SEED, numRuns: 1000 },
      );
      console.log(`outcomes ${JSON.stringify(Object.fromEntries(outcomes))}, slowest read ${slowest} ms, all ${Date.now() - started} ms`);
      // Only a runaway parse fails this (a read takes milliseconds); speed is measured in bench/.
      expect(slowest).toBeLessThan(30_000);
      expect([...outcomes.keys()]).toEqual(expect.arrayContaining(['read', 'WRONG_PASSWORD', 'TRUNCATED', 'CORRUPT']));
    });
  });
});
