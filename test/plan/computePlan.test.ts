import * as fs from 'node:fs';
import { parseCertificateInput } from '../../provider/certificate/certificateInput';
import { sha256Hex } from '../../provider/certificate/fingerprint';
import type { Keystore, KeystoreEntry, KeystoreType } from '../../provider/keystore/model';
import { applyPlan } from '../../provider/plan/applyPlan';
import { computePlan } from '../../provider/plan/computePlan';
import type { DesiredCertificate, DesiredState } from '../../provider/plan/desiredState';
import { formatPlan, planToJson } from '../../provider/plan/formatPlan';
import { Secret } from '../../provider/plan/secret';
import { makeCertificates } from './planFixtures';

const certs = makeCertificates(['a', 'b', 'c', 'k']);
const der = (n: string): Uint8Array => parseCertificateInput(fs.readFileSync(certs.file(n)), n)[0];
const trusted = (alias: string, n: string): KeystoreEntry => ({ alias, kind: 'trustedCertificate', timestamp: 1, certificates: [der(n)] });
const keyEntry = (alias: string): KeystoreEntry => ({ alias, kind: 'privateKey', timestamp: 1, certificates: [der('k')], protectedKey: Uint8Array.of(1, 2, 3) });
const store = (type: KeystoreType, entries: KeystoreEntry[]): Keystore => ({ type, entries, integrity: 'verified' });
const present = (alias: string, n: string): DesiredCertificate => ({ alias, state: 'present', der: der(n), sha256: sha256Hex(der(n)), source: `${n}.pem` });
const absent = (alias: string): DesiredCertificate => ({ alias, state: 'absent', source: 'desired.yaml' });
const desired = (certificates: DesiredCertificate[], extra: Partial<DesiredState> = {}): DesiredState => ({
  sourceFile: 'desired.yaml',
  keystore: { path: '/tmp/cacerts', password: new Secret('changeit-SECRET'), create: false },
  exclusive: false,
  backup: 0,
  certificates,
  ...extra,
});
const actions = (s: Keystore | undefined, d: DesiredState): string[] => computePlan(s, d).actions.map((a) => `${a.action} ${a.alias}`);

describe('computePlan', () => {
  const cases: Array<{ name: string; store: Keystore; desired: DesiredState; want: string[] }> = [
    { name: 'add to an empty store', store: store('JKS', []), desired: desired([present('a', 'a')]), want: ['add a'] },
    { name: 'unchanged when the alias holds the same certificate', store: store('JKS', [trusted('a', 'a')]), desired: desired([present('a', 'a')]), want: ['unchanged a'] },
    { name: 'replace when the alias holds another certificate', store: store('JKS', [trusted('a', 'b')]), desired: desired([present('a', 'a')]), want: ['replace a'] },
    { name: 'remove a declared-absent alias', store: store('JKS', [trusted('a', 'a')]), desired: desired([absent('a')]), want: ['remove a'] },
    { name: 'absent alias already absent', store: store('JKS', []), desired: desired([absent('a')]), want: ['unchanged a'] },
    { name: 'JKS aliases match case-insensitively', store: store('JKS', [trusted('acme-root', 'a')]), desired: desired([present('ACME-Root', 'a')]), want: ['unchanged ACME-Root'] },
    { name: 'PKCS12 lookup is case-insensitive, stored case kept on replace', store: store('PKCS12', [trusted('Acme', 'b')]), desired: desired([present('acme', 'a')]), want: ['replace Acme'] },
    {
      name: 'exclusive removes unmanaged trusted certificates only, sorted',
      store: store('JKS', [trusted('zeta', 'b'), keyEntry('mykey'), trusted('alpha', 'c'), trusted('a', 'a')]),
      desired: desired([present('a', 'a')], { exclusive: true }),
      want: ['unchanged a', 'remove alpha', 'remove zeta'],
    },
    { name: 'same alias declared twice identically is deduplicated', store: store('JKS', []), desired: desired([present('a', 'a'), present('A', 'a')]), want: ['add a'] },
  ];
  it.each(cases)('$name', ({ store: s, desired: d, want }) => {
    expect(actions(s, d)).toEqual(want);
  });

  it('refuses to touch a key entry under a declared alias', () => {
    for (const d of [present('mykey', 'a'), absent('MyKey')]) {
      expect(() => computePlan(store('JKS', [keyEntry('mykey')]), desired([d]))).toThrow(/holds a private key entry under this alias; midtrust never replaces or deletes key entries/);
    }
  });

  it('refuses one alias declared twice with different certificates', () => {
    expect(() => computePlan(store('JKS', []), desired([present('a', 'a'), present('A', 'b')]))).toThrow(/declared twice/);
  });

  it('notes a certificate already trusted under another alias and still adds it', () => {
    const plan = computePlan(store('JKS', [trusted('old-name', 'a')]), desired([present('new-name', 'a')]));
    expect(plan.actions.map((a) => a.action)).toEqual(['add']);
    expect(plan.notes.join()).toMatch(/also trusted as old-name/);
  });

  it('fails for a missing store unless create is set', () => {
    expect(() => computePlan(undefined, desired([present('a', 'a')]))).toThrow(/does not exist.*create: true/);
    const d = desired([present('a', 'a')], { keystore: { path: '/tmp/x', create: true, type: 'JKS', password: new Secret('pw') } });
    const plan = computePlan(undefined, d);
    expect(plan.createStore).toEqual({ type: 'JKS' });
    expect(plan.changes).toBe(2);
    const created = applyPlan(undefined, plan, d, { now: new Date(5) });
    expect(created.entries.map((e) => e.alias)).toEqual(['a']);
  });

  it('is deterministic and never contains the password or PEM text', () => {
    const s = store('JKS', [trusted('a', 'b'), trusted('x', 'c')]);
    const d = desired([present('a', 'a'), absent('x'), present('b', 'b')], { exclusive: true });
    const j1 = JSON.stringify(planToJson(computePlan(s, d)));
    const j2 = JSON.stringify(planToJson(computePlan(s, d)));
    expect(j1).toBe(j2);
    expect(j1).not.toContain('SECRET');
    expect(j1).not.toContain('BEGIN');
    expect(formatPlan(computePlan(s, d))).toMatch(/Plan: 1 to add, 1 to replace, 1 to remove, 0 unchanged\./);
  });
});

describe('applyPlan', () => {
  it('keeps untouched entries as the same objects, in order; replaced entries keep their place', () => {
    const k = keyEntry('mykey');
    const z = trusted('zeta', 'c');
    const s = store('JKS', [k, trusted('a', 'b'), z]);
    const d = desired([present('a', 'a'), present('New', 'b')]);
    const next = applyPlan(s, computePlan(s, d), d, { now: new Date(1000) });
    expect(next.entries[0]).toBe(k);
    expect(next.entries[2]).toBe(z);
    expect(next.entries.map((e) => e.alias)).toEqual(['mykey', 'a', 'zeta', 'new']);
    expect(sha256Hex(next.entries[1].certificates[0])).toBe(sha256Hex(der('a')));
    expect(next.entries[3].timestamp).toBe(1000);
  });

  it('returns the same store object when there is nothing to change', () => {
    const s = store('PKCS12', [trusted('a', 'a')]);
    const d = desired([present('a', 'a')]);
    expect(applyPlan(s, computePlan(s, d), d, { now: new Date() })).toBe(s);
  });

  it('keeps the case of new PKCS12 aliases and lowercases JKS ones', () => {
    const d = desired([present('MixedCase', 'a')]);
    for (const [type, want] of [['PKCS12', 'MixedCase'], ['JKS', 'mixedcase']] as const) {
      const s = store(type, []);
      expect(applyPlan(s, computePlan(s, d), d, { now: new Date() }).entries[0].alias).toBe(want);
    }
  });
});
