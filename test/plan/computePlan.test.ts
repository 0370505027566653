import type { Keystore } from '../../provider/keystore/model';
import { computePlan, shortFingerprint } from '../../provider/plan/computePlan';
import type { DesiredState } from '../../provider/plan/desiredState';
import { planToJson } from '../../provider/plan/formatPlan';
import { Secret } from '../../provider/plan/secret';
import { makeCertificates, modelBuilders, PASSWORD, type CertificateSet } from './planFixtures';
import { errorOf } from '../helpers/errorOf';

let certs: CertificateSet;
let b: ReturnType<typeof modelBuilders>;
beforeAll(() => {
  certs = makeCertificates(['a', 'b', 'c', 'k']);
  b = modelBuilders(certs);
});
afterAll(() => certs.cleanup());

type Builders = ReturnType<typeof modelBuilders>;
const summary = (s: Keystore | undefined, d: DesiredState): string[] => computePlan(s, d).actions.map((a) => `${a.action} ${a.alias}`);

describe('computePlan actions', () => {
  // Each case builds its store and desired state from the openssl certificates a, b, c (k: a key entry's certificate).
  const cases: Array<{ name: string; make: (b: Builders) => [Keystore, DesiredState]; want: string[] }> = [
    { name: 'add to an empty store', make: (b) => [b.store('JKS', []), b.desired([b.present('a', 'a')])], want: ['add a'] },
    { name: 'unchanged: the alias holds the same certificate', make: (b) => [b.store('JKS', [b.trusted('a', 'a')]), b.desired([b.present('a', 'a')])], want: ['unchanged a'] },
    { name: 'replace: the alias holds another certificate', make: (b) => [b.store('JKS', [b.trusted('a', 'b')]), b.desired([b.present('a', 'a')])], want: ['replace a'] },
    { name: 'remove a declared-absent alias', make: (b) => [b.store('JKS', [b.trusted('a', 'a')]), b.desired([b.absent('a')])], want: ['remove a'] },
    { name: 'an absent alias already absent', make: (b) => [b.store('JKS', [b.trusted('z', 'a')]), b.desired([b.absent('a')])], want: ['unchanged a'] },
    { name: 'JKS: a declared alias in capitals finds the lowercase entry', make: (b) => [b.store('JKS', [b.trusted('acme-root', 'a')]), b.desired([b.present('ACME-Root', 'a')])], want: ['unchanged ACME-Root'] },
    { name: 'JKS: remove matches case-insensitively', make: (b) => [b.store('JCEKS', [b.trusted('old-proxy', 'a')]), b.desired([b.absent('Old-Proxy')])], want: ['remove old-proxy'] },
    { name: 'PKCS12: lookup is case-insensitive', make: (b) => [b.store('PKCS12', [b.trusted('Acme', 'a')]), b.desired([b.present('ACME', 'a')])], want: ['unchanged ACME'] },
    { name: 'PKCS12: replace names the stored spelling', make: (b) => [b.store('PKCS12', [b.trusted('Acme', 'b')]), b.desired([b.present('acme', 'a')])], want: ['replace Acme'] },
    {
      name: 'exclusive removes unmanaged trusted certificates only, sorted by alias',
      make: (b) => [
        b.store('JKS', [b.trusted('zeta', 'b'), b.privateKey('mykey'), b.trusted('Beta', 'c'), b.secretKey('aaa-secret'), b.trusted('a', 'a'), b.trusted('alpha', 'c')]),
        b.desired([b.present('a', 'a')], { exclusive: true }),
      ],
      want: ['unchanged a', 'remove alpha', 'remove Beta', 'remove zeta'],
    },
    {
      name: 'declared order first, then exclusive removals',
      make: (b) => [b.store('PKCS12', [b.trusted('x', 'c'), b.trusted('m', 'a')]), b.desired([b.present('n', 'b'), b.absent('m'), b.present('a', 'a')], { exclusive: true })],
      want: ['add n', 'remove m', 'add a', 'remove x'],
    },
    { name: 'the same alias declared twice identically is deduplicated', make: (b) => [b.store('JKS', []), b.desired([b.present('a', 'a'), b.present('A', 'a')])], want: ['add a'] },
    { name: 'the same absent alias declared twice', make: (b) => [b.store('JKS', [b.trusted('a', 'a')]), b.desired([b.absent('a'), b.absent('A')])], want: ['remove a'] },
  ];
  it.each(cases)('$name', ({ make, want }) => {
    const [s, d] = make(b);
    expect(summary(s, d)).toEqual(want);
  });

  it('fills fingerprints, reasons and sources', () => {
    const s = b.store('JKS', [b.trusted('r', 'b'), b.trusted('gone', 'c'), b.trusted('same', 'a')]);
    const plan = computePlan(s, b.desired([b.present('n', 'a'), b.present('r', 'a'), b.absent('gone'), b.present('same', 'a')]));
    expect(plan.actions).toEqual([
      { action: 'add', alias: 'n', sha256: b.sha('a'), reason: 'not in the store', source: 'a.pem' },
      {
        action: 'replace',
        alias: 'r',
        sha256: b.sha('a'),
        previousSha256: b.sha('b'),
        reason: `the alias holds another certificate (sha256 ${shortFingerprint(b.sha('b'))} → ${shortFingerprint(b.sha('a'))})`,
        source: 'a.pem',
      },
      { action: 'remove', alias: 'gone', sha256: b.sha('c'), reason: 'declared absent', source: 'desired.yaml certificates[9]' },
      { action: 'unchanged', alias: 'same', sha256: b.sha('a'), reason: 'already trusted', source: 'a.pem' },
    ]);
    expect(plan.changes).toBe(3);
    expect(plan.storeType).toBe('JKS');
    expect(plan.keystorePath).toBe('/tmp/cacerts');
  });

  it('never touches key entries: a declared alias holding one is refused, all problems in one error', () => {
    const s = b.store('JCEKS', [b.privateKey('mykey'), b.secretKey('db-secret'), b.trusted('a', 'a')]);
    const e = errorOf(() => computePlan(s, b.desired([b.present('MyKey', 'a'), b.absent('DB-Secret'), b.present('a', 'a'), b.present('dup', 'a'), b.present('DUP', 'b')])));
    expect(e.code).toBe('INVALID_INPUT');
    expect(e.message.split('\n')).toEqual([
      'cannot plan /tmp/cacerts:',
      "  alias dup is declared twice with different certificates (dup: a.pem; DUP: b.pem); aliases are compared case-insensitively, and a chain file also declares <alias>-2, <alias>-3, … — rename one",
      "  alias MyKey (a.pem): /tmp/cacerts holds a private key entry 'mykey' under this alias; midtrust never replaces or deletes key entries — choose another alias",
      "  alias DB-Secret (desired.yaml certificates[9]): /tmp/cacerts holds a secret key entry 'db-secret' under this alias; midtrust never replaces or deletes key entries — choose another alias",
    ]);
  });

  it('refuses one alias declared both present and absent', () => {
    expect(errorOf(() => computePlan(b.store('JKS', []), b.desired([b.present('a', 'a'), b.absent('A')]))).message).toMatch(/alias a is declared both present \(a\.pem\) and absent/);
  });

  it('fails for a missing store unless create is set, and then plans its creation', () => {
    const e = errorOf(() => computePlan(undefined, b.desired([b.present('a', 'a')])));
    expect(e.code).toBe('NOT_FOUND');
    expect(e.message).toMatch(/\/tmp\/cacerts does not exist.*create: true/);
    const d = b.desired([b.present('a', 'a'), b.absent('old')], { keystore: { path: '/tmp/x', create: true, type: 'JKS', password: new Secret('pw') } });
    const plan = computePlan(undefined, d);
    expect(plan.createStore).toEqual({ type: 'JKS' });
    expect(plan.storeType).toBe('JKS');
    expect(plan.actions.map((a) => a.action)).toEqual(['add', 'unchanged']);
    expect(plan.changes).toBe(2);
    expect(computePlan(undefined, b.desired([], { keystore: { path: '/tmp/x', create: true } })).createStore).toEqual({ type: 'PKCS12' });
  });
});

describe('computePlan notes', () => {
  it('notes a certificate already trusted under another alias, and still adds it under the declared alias', () => {
    const plan = computePlan(b.store('JKS', [b.trusted('old-name', 'a'), b.trusted('zz-copy', 'a')]), b.desired([b.present('new-name', 'a')]));
    expect(plan.actions.map((a) => `${a.action} ${a.alias}`)).toEqual(['add new-name']);
    expect(plan.notes).toEqual([
      `new-name: the same certificate (sha256 ${shortFingerprint(b.sha('a'))}) is also trusted as old-name, zz-copy; both aliases will trust it (declare old-name with state: absent if the old alias is obsolete)`,
    ]);
  });

  it('says so when exclusive removes the other alias', () => {
    const plan = computePlan(b.store('JKS', [b.trusted('old-name', 'a')]), b.desired([b.present('new-name', 'a')], { exclusive: true }));
    expect(plan.actions.map((a) => `${a.action} ${a.alias}`)).toEqual(['add new-name', 'remove old-name']);
    expect(plan.notes[0]).toMatch(/also trusted as old-name, which exclusive: true removes; it stays trusted as new-name/);
  });

  it('does not note aliases the desired state manages itself, but notes one certificate declared twice', () => {
    const plan = computePlan(b.store('JKS', [b.trusted('old', 'a')]), b.desired([b.absent('old'), b.present('root', 'a'), b.present('chain-2', 'a')]));
    expect(plan.notes).toEqual([`root, chain-2 declare the same certificate (sha256 ${shortFingerprint(b.sha('a'))}); each alias gets its own entry`]);
  });

  it('notes expired and not-yet-valid certificates when given a time', () => {
    const d = b.desired([b.present('a', 'a')]);
    expect(computePlan(b.store('JKS', []), d).notes).toEqual([]);
    expect(computePlan(b.store('JKS', []), d, { now: new Date(Date.now() + 400 * 86400_000) }).notes).toEqual([expect.stringMatching(/^a: the certificate expired on \d{4}-/)]);
    expect(computePlan(b.store('JKS', []), d, { now: new Date(86400_000) }).notes).toEqual([expect.stringMatching(/^a: the certificate is not valid before \d{4}-/)]);
  });

  it('notes that keystore.type does not convert an existing store', () => {
    const plan = computePlan(b.store('JKS', []), b.desired([], { keystore: { path: '/tmp/cacerts', create: true, type: 'PKCS12' } }));
    expect(plan.notes).toEqual(['keystore.type PKCS12 applies only when the store is created; /tmp/cacerts is JKS and stays JKS']);
    expect(plan.changes).toBe(0);
  });
});

describe('computePlan output', () => {
  it('is deterministic, whatever the order of the store entries', () => {
    const entries = () => [b.trusted('a', 'b'), b.trusted('x', 'c'), b.trusted('Q', 'a'), b.trusted('q2', 'b'), b.privateKey('key')];
    const d = b.desired([b.present('a', 'a'), b.absent('x'), b.present('b', 'b')], { exclusive: true });
    const j1 = JSON.stringify(planToJson(computePlan(b.store('PKCS12', entries()), d)));
    const j2 = JSON.stringify(planToJson(computePlan(b.store('PKCS12', entries()), d)));
    const j3 = JSON.stringify(planToJson(computePlan(b.store('PKCS12', entries().reverse()), d)));
    expect(j2).toBe(j1);
    expect(j3).toBe(j1);
    expect(JSON.parse(j1).actions.map((a: { action: string; alias: string }) => `${a.action} ${a.alias}`)).toEqual(['replace a', 'remove x', 'add b', 'remove Q', 'remove q2']);
  });

  it('never contains the password or certificate bytes', () => {
    const s = b.store('JKS', [b.trusted('a', 'b'), b.trusted('x', 'c')]);
    const plan = computePlan(s, b.desired([b.present('a', 'a'), b.absent('x'), b.present('b', 'b')], { exclusive: true }));
    const text = JSON.stringify(plan);
    expect(text).not.toContain(PASSWORD);
    expect(text).not.toContain('BEGIN');
    const base64 = Buffer.from(certs.der('a')).toString('base64').slice(40, 80);
    expect(text).not.toContain(base64);
    expect(Object.keys(plan).sort()).toEqual(['actions', 'changes', 'keystorePath', 'notes', 'storeType']);
  });
});
