import * as fs from 'node:fs';
import fc from 'fast-check';
import { MidtrustError } from '../../../provider/errors';
import { readJks } from '../../../provider/keystore/jks/jksReader';
import { writeJks } from '../../../provider/keystore/jks/jksWriter';
import type { Keystore, KeystoreEntry } from '../../../provider/keystore/model';
import { makeJksFixtures, STOREPASS } from './jksFixtures';

const SEED = 20261127;

const entryArb: fc.Arbitrary<KeystoreEntry> = fc.oneof(
  fc.record({
    alias: fc.string({ minLength: 1, maxLength: 20, unit: 'grapheme' }),
    kind: fc.constant('trustedCertificate' as const),
    timestamp: fc.integer({ min: 0, max: 4102444800000 }),
    certificates: fc.tuple(fc.uint8Array({ minLength: 1, maxLength: 300 })),
  }),
  fc.record({
    alias: fc.string({ minLength: 1, maxLength: 20, unit: 'grapheme' }),
    kind: fc.constant('privateKey' as const),
    timestamp: fc.integer({ min: 0, max: 4102444800000 }),
    certificates: fc.array(fc.uint8Array({ minLength: 1, maxLength: 200 }), { minLength: 1, maxLength: 3 }),
    protectedKey: fc.uint8Array({ minLength: 1, maxLength: 300 }),
  }),
);

describe('JKS/JCEKS properties', () => {
  it('random models round-trip through writeJks/readJks', () => {
    console.log(`fast-check seed ${SEED}`);
    fc.assert(
      fc.property(fc.uniqueArray(entryArb, { maxLength: 8, selector: (e) => e.alias.toLowerCase() }), fc.constantFrom('JKS' as const, 'JCEKS' as const), fc.string(), (entries, type, password) => {
        const store: Keystore = { type, entries, integrity: 'verified' };
        const back = readJks(writeJks(store, password), { password });
        expect(back.type).toBe(type);
        expect(back.entries.map((e) => [e.alias, e.kind, e.timestamp, e.certificates.map((c) => Buffer.from(c).toString('hex')), e.protectedKey && Buffer.from(e.protectedKey).toString('hex')])).toEqual(
          entries.map((e) => [e.alias.toLowerCase(), e.kind, e.timestamp, e.certificates.map((c) => Buffer.from(c).toString('hex')), e.protectedKey && Buffer.from(e.protectedKey).toString('hex')]),
        );
      }),
      { seed: SEED, numRuns: 200 },
    );
  });

  it('mutated and truncated real stores give a read or a MidtrustError, never anything else', () => {
    const fx = makeJksFixtures();
    const originals = [fs.readFileSync(fx.jks), fs.readFileSync(fx.jceks)];
    const started = Date.now();
    const outcomes = new Set<string>();
    fc.assert(
      fc.property(
        fc.constantFrom(0, 1),
        fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 })), { minLength: 1, maxLength: 4 }),
        fc.option(fc.nat(), { nil: undefined }),
        fc.boolean(),
        (which, flips, cut, withPassword) => {
          const b = Buffer.from(originals[which]);
          for (const [pos, v] of flips) b[pos % b.length] = v;
          const input = cut === undefined ? b : b.subarray(0, cut % b.length);
          try {
            readJks(input, withPassword ? { password: STOREPASS } : {});
            outcomes.add('read');
          } catch (e) {
            if (!(e instanceof MidtrustError)) throw e;
            outcomes.add(e.code);
          }
        },
      ),
      { seed: SEED, numRuns: 600 },
    );
    expect(Date.now() - started).toBeLessThan(20_000);
    expect(outcomes.size).toBeGreaterThanOrEqual(3);
    fs.rmSync(fx.dir, { recursive: true, force: true });
  });
});
