import * as fs from 'node:fs';
import * as path from 'node:path';
import { sha256Hex } from '../../provider/certificate/fingerprint';
import type { Keystore, KeystoreType } from '../../provider/keystore/model';
import { applyPlan } from '../../provider/plan/applyPlan';
import { computePlan } from '../../provider/plan/computePlan';
import type { DesiredState } from '../../provider/plan/desiredState';
import { loadDesiredState } from '../../provider/plan/desiredStateFile';
import type { Plan } from '../../provider/plan/plan';
import { Secret } from '../../provider/plan/secret';
import { makeCertificates, modelBuilders, type CertificateSet } from './planFixtures';
import { errorOf } from '../helpers/errorOf';

let certs: CertificateSet;
let b: ReturnType<typeof modelBuilders>;
beforeAll(() => {
  certs = makeCertificates(['a', 'b', 'c', 'k']);
  b = modelBuilders(certs);
});
afterAll(() => certs.cleanup());

const now = new Date(Date.UTC(2026, 0, 2, 3, 4, 5));
const applied = (s: Keystore, d: DesiredState): Keystore => applyPlan(s, computePlan(s, d), d, { now });

describe('applyPlan', () => {
  it('keeps untouched entries as the same objects, in order; replaced entries keep their place; new ones come last', () => {
    const k = b.privateKey('mykey');
    const z = b.trusted('zeta', 'c');
    const old = b.trusted('a', 'b');
    const gone = b.trusted('gone', 'c');
    const s: Keystore = { ...b.store('JKS', [k, old, gone, z]), codecData: { version: 2 } };
    const next = applied(s, b.desired([b.present('a', 'a'), b.present('New', 'b'), b.absent('gone')]));
    expect(next).not.toBe(s);
    expect(next.entries.map((e) => e.alias)).toEqual(['mykey', 'a', 'zeta', 'new']);
    expect(next.entries[0]).toBe(k);
    expect(next.entries[2]).toBe(z);
    expect(next.entries[1]).toEqual({ alias: 'a', kind: 'trustedCertificate', timestamp: now.getTime(), certificates: [certs.der('a')] });
    expect(next.entries[3]).toEqual({ alias: 'new', kind: 'trustedCertificate', timestamp: now.getTime(), certificates: [certs.der('b')] });
    expect(next.codecData).toBe(s.codecData);
    expect(next.integrity).toBe(s.integrity);
    // The input model is not modified.
    expect(s.entries).toEqual([k, old, gone, z]);
  });

  it('returns the same store object when there is nothing to change', () => {
    const s = b.store('PKCS12', [b.trusted('a', 'a'), b.privateKey('k')]);
    expect(applied(s, b.desired([b.present('A', 'a'), b.absent('nope')]))).toBe(s);
  });

  const aliasCases: Array<{ type: KeystoreType; stored: string; declared: string; want: string }> = [
    { type: 'PKCS12', stored: '', declared: 'MixedCase', want: 'MixedCase' },
    { type: 'JKS', stored: '', declared: 'MixedCase', want: 'mixedcase' },
    { type: 'JCEKS', stored: '', declared: 'MixedCase', want: 'mixedcase' },
    { type: 'PKCS12', stored: 'Acme', declared: 'ACME', want: 'Acme' },
    // A JKS file holding an uppercase alias is unreachable by keytool (FACTS.md §2): a replace heals it.
    { type: 'JKS', stored: 'Acme', declared: 'ACME', want: 'acme' },
  ];
  it.each(aliasCases)('$type: declared $declared over stored "$stored" is stored as $want', ({ type, stored, declared, want }) => {
    const s = b.store(type, stored ? [b.trusted(stored, 'b')] : []);
    const next = applied(s, b.desired([b.present(declared, 'a')]));
    expect(next.entries.map((e) => e.alias)).toEqual([want]);
    expect(computePlan(next, b.desired([b.present(declared, 'a')])).changes).toBe(0);
  });

  it('exclusive removes trusted certificates and keeps every key entry object', () => {
    const k = b.privateKey('mykey');
    const sk = b.secretKey('secret');
    const s = b.store('JCEKS', [b.trusted('x', 'b'), k, b.trusted('y', 'c'), sk]);
    const next = applied(s, b.desired([b.present('a', 'a')], { exclusive: true }));
    expect(next.entries.map((e) => e.alias)).toEqual(['mykey', 'secret', 'a']);
    expect(next.entries[0]).toBe(k);
    expect(next.entries[1]).toBe(sk);
  });

  it('converges: a chain file applied once plans nothing the second time', () => {
    const file = path.join(certs.dir, 'chain.yaml');
    const yaml = `keystore: { path: ./cacerts }\ncertificates:\n  - alias: ACME\n    file: chain.pem\n  - alias: a\n    file: a.pem\n`;
    const d = loadDesiredState(yaml, file, { readFile: (f) => fs.readFileSync(f), env: {} });
    for (const type of ['JKS', 'PKCS12'] as const) {
      const first = computePlan(b.store(type, []), d);
      expect(first.actions.map((a) => `${a.action} ${a.alias}`)).toEqual(['add ACME', 'add ACME-2', 'add a']);
      const next = applyPlan(b.store(type, []), first, d, { now });
      expect(next.entries.map((e) => sha256Hex(e.certificates[0]))).toEqual([certs.der('int'), certs.der('root'), certs.der('a')].map(sha256Hex));
      const second = computePlan(next, d);
      expect(second.changes).toBe(0);
      expect(second.actions.map((a) => a.action)).toEqual(['unchanged', 'unchanged', 'unchanged']);
      expect(applyPlan(next, second, d, { now })).toBe(next);
    }
  });

  it('creates a store: password-less PKCS12 without a password, verified JKS with one', () => {
    const d1 = b.desired([b.present('a', 'a')], { keystore: { path: '/tmp/new.p12', create: true } });
    const s1 = applyPlan(undefined, computePlan(undefined, d1), d1, { now });
    expect(s1).toMatchObject({ type: 'PKCS12', integrity: 'none' });
    expect(s1.entries.map((e) => e.alias)).toEqual(['a']);
    const d2 = b.desired([b.present('A', 'a')], { keystore: { path: '/tmp/new.jks', create: true, type: 'JKS', password: new Secret('pw') } });
    const s2 = applyPlan(undefined, computePlan(undefined, d2), d2, { now });
    expect(s2).toMatchObject({ type: 'JKS', integrity: 'verified' });
    expect(s2.entries.map((e) => e.alias)).toEqual(['a']);
  });

  it('refuses a plan that does not fit the store, instead of half applying it', () => {
    const d = b.desired([b.present('a', 'a')]);
    const planned = computePlan(b.store('JKS', [b.trusted('a', 'b')]), d); // replace a: b → a
    const cases: Array<{ store: Keystore | undefined; plan: Plan; want: RegExp }> = [
      { store: b.store('JKS', [b.trusted('a', 'c')]), plan: planned, want: /alias a: the entry no longer holds the planned certificate/ },
      { store: b.store('JKS', [b.privateKey('a')]), plan: planned, want: /alias a: expected a trusted certificate to replace, found a privateKey entry \(never touched\)/ },
      { store: b.store('JKS', []), plan: planned, want: /alias a: expected a trusted certificate to replace, found no entry/ },
      { store: b.store('JKS', [b.trusted('A', 'a')]), plan: computePlan(b.store('JKS', []), d), want: /alias a: planned as new, but the store already holds it/ },
      { store: undefined, plan: planned, want: /the plan is for an existing store/ },
      {
        store: b.store('JKS', [b.privateKey('k')]),
        plan: { ...planned, actions: [{ action: 'remove', alias: 'k', reason: 'hand-made' }], changes: 1 },
        want: /alias k: expected a trusted certificate to remove, found a privateKey entry \(never touched\)/,
      },
      {
        store: b.store('JKS', []),
        plan: { ...planned, actions: [{ action: 'add', alias: 'a', sha256: b.sha('c'), reason: 'hand-made' }], changes: 1 },
        want: /alias a: the desired state declares no certificate with sha256/,
      },
    ];
    for (const c of cases) {
      const e = errorOf(() => applyPlan(c.store, c.plan, d, { now }));
      expect(e.code).toBe('INVALID_INPUT');
      expect(e.message).toMatch(/^the plan does not fit \/tmp\/cacerts \(/);
      expect(e.message).toMatch(c.want);
    }
  });
});
