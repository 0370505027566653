import { computePlan, shortFingerprint } from '../../provider/plan/computePlan';
import { formatPlan, planToJson } from '../../provider/plan/formatPlan';
import type { Plan } from '../../provider/plan/plan';
import { makeCertificates, modelBuilders, PASSWORD, type CertificateSet } from './planFixtures';

let certs: CertificateSet;
let b: ReturnType<typeof modelBuilders>;
let plan: Plan;
beforeAll(() => {
  certs = makeCertificates(['a', 'b', 'c']);
  b = modelBuilders(certs);
  const s = b.store('JKS', [b.trusted('proxy', 'b'), b.trusted('old-proxy', 'c'), b.trusted('kept', 'c'), b.trusted('other', 'a')]);
  plan = computePlan(s, b.desired([b.present('acme-root', 'a'), b.present('proxy', 'a'), b.absent('old-proxy'), b.present('kept', 'c'), b.absent('never-there')]));
});
afterAll(() => certs.cleanup());

describe('formatPlan', () => {
  it('prints one line per change with its sign, fingerprints and source, then notes and a summary', () => {
    const fa = shortFingerprint(b.sha('a'));
    expect(formatPlan(plan).split('\n')).toEqual([
      'Keystore /tmp/cacerts (JKS)',
      `+ add     acme-root  (sha256 ${fa}) from a.pem`,
      `~ replace proxy      (sha256 ${shortFingerprint(b.sha('b'))} → ${fa}) from a.pem`,
      `- remove  old-proxy  (sha256 ${shortFingerprint(b.sha('c'))}): declared absent`,
      `note: acme-root: the same certificate (sha256 ${fa}) is also trusted as other; both aliases will trust it (declare other with state: absent if the old alias is obsolete)`,
      `note: proxy: the same certificate (sha256 ${fa}) is also trusted as other; both aliases will trust it (declare other with state: absent if the old alias is obsolete)`,
      `note: acme-root, proxy declare the same certificate (sha256 ${fa}); each alias gets its own entry`,
      'Plan: 1 to add, 1 to replace, 1 to remove (2 unchanged).',
      '',
    ]);
  });

  it('shows unchanged entries only when verbose', () => {
    const text = formatPlan(plan, { verbose: true });
    expect(text).toContain(`= unchanged kept         (sha256 ${shortFingerprint(b.sha('c'))}): already trusted\n`);
    expect(text).toContain('= unchanged never-there  (already absent)\n');
    expect(formatPlan(plan)).not.toContain('= unchanged');
  });

  it('says when there is nothing to do', () => {
    const s = b.store('PKCS12', [b.trusted('a', 'a')]);
    expect(formatPlan(computePlan(s, b.desired([b.present('a', 'a')])))).toBe('Keystore /tmp/cacerts (PKCS12)\nNo changes. /tmp/cacerts matches the desired state.\n');
  });

  it('mentions the creation of a store', () => {
    const text = formatPlan(computePlan(undefined, b.desired([b.present('a', 'a')], { keystore: { path: '/tmp/new.p12', create: true } })));
    expect(text).toMatch(/^Keystore \/tmp\/new\.p12 \(PKCS12\)\n\+ create {2}a new PKCS12 store\n\+ add/);
    expect(text).toMatch(/\nPlan: create the store, 1 to add, 0 to replace, 0 to remove\.\n$/);
  });

  it('never prints the password or PEM text', () => {
    const text = formatPlan(plan, { verbose: true });
    expect(text).not.toContain(PASSWORD);
    expect(text).not.toContain('BEGIN');
  });
});

describe('planToJson', () => {
  it('has the documented fields, in a stable order, and nothing else', () => {
    const json = planToJson(plan);
    expect(Object.keys(json)).toEqual(['keystorePath', 'storeType', 'changes', 'actions', 'notes']);
    expect(json.actions.map((a) => Object.keys(a))).toEqual([
      ['action', 'alias', 'sha256', 'reason', 'source'],
      ['action', 'alias', 'sha256', 'previousSha256', 'reason', 'source'],
      ['action', 'alias', 'sha256', 'reason', 'source'],
      ['action', 'alias', 'sha256', 'reason', 'source'],
      ['action', 'alias', 'reason', 'source'],
    ]);
    expect(json.actions[1]).toEqual({ action: 'replace', alias: 'proxy', sha256: b.sha('a'), previousSha256: b.sha('b'), reason: expect.any(String), source: 'a.pem' });
    // Round-trips through JSON unchanged (no Dates, no bytes, no secrets).
    expect(JSON.parse(JSON.stringify(json))).toEqual(json);
    const created = planToJson(computePlan(undefined, b.desired([], { keystore: { path: '/tmp/n', create: true, type: 'JKS' } })));
    expect(Object.keys(created)).toEqual(['keystorePath', 'storeType', 'createStore', 'changes', 'actions', 'notes']);
    expect(created.createStore).toEqual({ type: 'JKS' });
  });
});
