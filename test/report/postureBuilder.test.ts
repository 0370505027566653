import { Certificate } from '../../provider/certificate/certificate';
import { computePlan } from '../../provider/plan/computePlan';
import { checkEndpoints } from '../../provider/rules/endpointRules';
import { modelNextUpgrade, upgradeCandidates } from '../../provider/rules/midRules';
import { certificatesOfStore, runRules } from '../../provider/rules/runRules';
import { PostureBuilder } from '../../provider/report/postureBuilder';
import { CACERTS, NOW, cert, desired, endpoint, mid, store } from './reportFixtures';

const root = cert('ACME Root CA', 3000);
const issuing = cert('ACME Issuing CA', 700);
const proxy = cert('proxy.acme.example', 20, false);
const ldaps = cert('ldaps.acme.example', 60, false);
const other = cert('Someone Else', 900);
const vendor = cert('DigiCert Global Root CA', 2000);
const expired = cert('Old Partner CA', -3);

const declared = desired([
  ['acme-root', root],
  ['acme-issuing', issuing],
  ['proxy', proxy],
  ['ldaps', ldaps],
]);
const source = { kind: 'inventory' as const, path: 'hosts.yaml' };

describe('PostureBuilder: every figure comes from the plan, the rules and the upgrade model', () => {
  const builder = new PostureBuilder({ source, generator: 'midtrust test', now: NOW, desired: declared, desiredFile: 'desired.yaml' });
  // present, trusted under another alias, alias holding another certificate, missing; plus a vendor root and a private expired CA.
  const drifted = store([
    ['acme-root', root],
    ['issuing-old-name', issuing],
    ['proxy', other],
    ['digicertglobalrootca [jdk]', vendor],
    ['partner', expired],
  ]);
  const h = builder.observe({ name: 'mid-1', storePath: CACERTS, store: drifted, mid: mid('migrate_non_ca') });

  it('coverage per declared certificate: present, otherAlias, different, missing', () => {
    expect(h.coverage).toEqual(['present', 'otherAlias', 'different', 'missing']);
  });

  it('drift is the plan engine’s: same change count, the non-unchanged actions', () => {
    const plan = computePlan(drifted, { ...declared, keystore: { ...declared.keystore, path: CACERTS } });
    expect(h.drift?.changes).toBe(plan.changes);
    expect(h.drift?.actions).toEqual(plan.actions.filter((a) => a.action !== 'unchanged'));
    expect(h.drift?.actions.map((a) => `${a.action} ${a.alias}`)).toEqual(['add acme-issuing', 'replace proxy', 'add ldaps']);
  });

  it('findings are exactly what the audit rules say for this store and these settings', () => {
    expect(h.violations).toEqual(runRules({ certificates: certificatesOfStore(drifted), mid: mid('migrate_non_ca') }, { now: NOW, expiringDays: 30 }));
    expect(h.violations.map((v) => v.rule)).toEqual(expect.arrayContaining(['certificate-expired', 'lost-on-upgrade']));
  });

  it('upgrade losses are the upgrade model’s under the host’s strategy (CAs under migrate_non_ca)', () => {
    const model = modelNextUpgrade(upgradeCandidates(certificatesOfStore(drifted)), 'migrate_non_ca');
    expect(h.upgrade?.lost.map((l) => l.alias)).toEqual(model.lost.map((l) => l.alias));
    expect(h.upgrade?.lost.map((l) => l.alias).sort()).toEqual(['acme-root', 'issuing-old-name', 'partner', 'proxy']);
    expect(h.upgrade?.rule).toBe('non_ca');
  });

  it('JDK vendor roots are counted but not tracked; the soonest expiry is among tracked certificates', () => {
    expect(h.vendorCertificates).toBe(1);
    expect(h.certificates.map((c) => c.alias)).toEqual(['acme-root', 'issuing-old-name', 'partner', 'proxy']);
    expect(h.soonestExpiry).toMatchObject({ alias: 'partner', sha256: Certificate.fromDer(expired).sha256 });
    expect(h.store).toEqual({ path: CACERTS, type: 'JKS', integrity: 'verified', entries: 5 });
    expect(h.mid).toEqual({ home: '/opt/servicenow/mid', strategy: 'migrate_non_ca', externalTruststore: null });
  });

  it('the fleet: certificates by fingerprint with host counts, failed hosts, summary windows', () => {
    const good = builder.observe({
      name: 'mid-2',
      storePath: CACERTS,
      store: store([
        ['acme-root', root],
        ['acme-issuing', issuing],
        ['proxy', proxy],
        ['ldaps', ldaps],
      ]),
      mid: mid('migrate_delta', '/etc/servicenow/truststore.p12'),
    });
    const down = builder.failed('mid-3', 'ssh root@10.0.0.3:22: connect ECONNREFUSED');
    const p = builder.build([h, good, down]);
    expect(p.hosts.map((x) => x.name)).toEqual(['mid-1', 'mid-2', 'mid-3']);
    expect(p.declared.map((d) => d.alias)).toEqual(['acme-root', 'acme-issuing', 'proxy', 'ldaps']);
    expect(p.desiredFile).toBe('desired.yaml');
    expect(good.coverage).toEqual(['present', 'present', 'present', 'present']);
    expect(good.drift).toEqual({ changes: 0, actions: [] });
    expect(good.upgrade?.lost).toEqual([]);
    const bySubject = new Map(p.certificates.map((c) => [c.subject, c]));
    expect(bySubject.get('CN=ACME Root CA, O=ACME Corp')).toMatchObject({ aliases: ['acme-root'], hosts: 2, declared: true, isCa: true });
    expect(bySubject.get('CN=ACME Issuing CA, O=ACME Corp')).toMatchObject({ aliases: ['acme-issuing', 'issuing-old-name'], hosts: 2 });
    expect(bySubject.get('CN=Old Partner CA, O=ACME Corp')).toMatchObject({ hosts: 1, declared: false });
    expect(bySubject.has('CN=DigiCert Global Root CA, O=ACME Corp')).toBe(false);
    // Soonest first.
    expect(p.certificates.map((c) => c.notAfter)).toEqual([...p.certificates.map((c) => c.notAfter)].sort());
    expect(p.summary).toEqual({
      hosts: 3,
      reached: 2,
      failed: 1,
      drifted: 1,
      incomplete: 1,
      expired: { certificates: 1, hosts: 1 },
      expiring: { withinSoonDays: { certificates: 1, hosts: 1 }, withinLaterDays: { certificates: 2, hosts: 1 } },
      upgradeRisk: 1,
      violations: {
        error: [...h.violations, ...good.violations].filter((v) => v.severity === 'error').length,
        warning: [...h.violations, ...good.violations].filter((v) => v.severity === 'warning').length,
        advisory: [...h.violations, ...good.violations].filter((v) => v.severity === 'advisory').length,
      },
      endpoints: null,
    });
    expect(p.endpoints).toEqual([]);
    expect([h.endpoints, good.endpoints, down.endpoints]).toEqual([null, null, null]);
    expect(down).toMatchObject({ reached: false, error: 'ssh root@10.0.0.3:22: connect ECONNREFUSED', coverage: null, drift: null, store: null });
  });

  it('without a desired state: no drift, no coverage, nothing declared', () => {
    const b = new PostureBuilder({ source: { kind: 'keystore', path: 'cacerts' }, generator: 'midtrust test', now: NOW });
    const x = b.observe({ name: 'local', storePath: '/tmp/cacerts', store: store([['acme-root', root]]) });
    const p = b.build([x]);
    expect(x).toMatchObject({ drift: null, coverage: null, mid: null, upgrade: null });
    expect(p).toMatchObject({ desiredFile: null, declared: [], summary: { drifted: null, incomplete: null } });
  });

  it('with the incoming JRE store: what it ships counts as vendor, and upgrade losses are measured against it', () => {
    const b = new PostureBuilder({ source, generator: 'midtrust test', now: NOW, incoming: { path: 'new/cacerts', store: store([['digicert', vendor], ['partner', expired]]) } });
    const x = b.observe({ name: 'mid-1', storePath: CACERTS, store: store([['partner', expired], ['acme-root', root], ['vendor-renamed', vendor]]), mid: mid('do_not_migrate') });
    expect(x.certificates.map((c) => c.alias)).toEqual(['acme-root']);
    expect(x.upgrade?.lost.map((l) => l.alias)).toEqual(['acme-root']);
    expect(b.build([x]).incomingStore).toBe('new/cacerts');
  });
});

describe('PostureBuilder: declared endpoints (verdicts made by the gatherer with verify’s engine)', () => {
  const targets = ['ldaps://ad.acme.example', 'proxy.acme.example:8443', 'https://down.acme.example'];
  const b = new PostureBuilder({ source, generator: 'midtrust test', now: NOW, desired: { ...declared, endpoints: targets }, incoming: { path: 'new/cacerts', store: store([]) } });
  const notTrusted = endpoint(false, { problems: [{ code: 'ROOT_NOT_TRUSTED', message: 'the root CN=Partner Root is not in the store' }], suggest: [{ subject: 'CN=Partner Root', reason: 'add the root CA' }] });
  const unreachable = endpoint(null, { error: 'down.acme.example:443: connect ECONNREFUSED' });
  const a = b.observe({
    name: 'mid-a',
    storePath: CACERTS,
    store: store([['acme-root', root]]),
    mid: mid('migrate_delta'),
    endpoints: [
      { target: targets[0], ...endpoint(true), afterUpgrade: endpoint(true) },
      { target: targets[1], ...notTrusted, afterUpgrade: notTrusted },
      { target: targets[2], ...unreachable, afterUpgrade: unreachable },
    ],
  });
  const breaks = endpoint(false, { problems: [{ code: 'ROOT_NOT_TRUSTED', message: 'the root CN=ACME Root CA is not in the store' }], store: 'cacerts as it will be after the upgrade' });
  const c = b.observe({
    name: 'mid-b',
    storePath: CACERTS,
    store: store([['acme-root', root]]),
    mid: mid('migrate_non_ca'),
    endpoints: [
      { target: targets[0], ...endpoint(true), afterUpgrade: breaks },
      { target: targets[1], ...endpoint(true), afterUpgrade: endpoint(true) },
      { target: targets[2], ...endpoint(true), afterUpgrade: endpoint(true) },
    ],
  });
  const p = b.build([a, c, b.failed('mid-c', 'connection refused')]);
  const endpointFindings = (x: typeof a) => x.violations.filter((v) => v.rule.startsWith('endpoint-'));

  it('keeps each host’s verdicts in declared order; the declared list is in the report', () => {
    expect(p.endpoints).toEqual(targets);
    expect(a.endpoints?.map((e) => [e.target, e.trusted, e.afterUpgrade?.trusted])).toEqual([
      [targets[0], true, true],
      [targets[1], false, false],
      [targets[2], null, null],
    ]);
    expect(p.hosts[2].endpoints).toBeNull();
  });

  it('findings come from the endpoint rule: not trusted now, unreachable (never a pass), and what the upgrade breaks', () => {
    expect(endpointFindings(a)).toEqual(
      checkEndpoints(
        [
          { target: targets[0], when: 'now', store: 'cacerts', verdict: { trusted: true, problems: [], suggest: [] } },
          { target: targets[1], when: 'now', store: 'cacerts', verdict: { trusted: false, problems: notTrusted.problems, suggest: notTrusted.suggest } },
          { target: targets[2], when: 'now', store: 'cacerts', error: 'down.acme.example:443: connect ECONNREFUSED' },
        ],
        {},
      ),
    );
    expect(endpointFindings(a).map((v) => `${v.rule}: ${v.message}`)).toEqual([
      'endpoint-not-trusted: proxy.acme.example:8443 will not be trusted now with cacerts: the root CN=Partner Root is not in the store',
      'endpoint-unreachable: https://down.acme.example could not be checked now with cacerts: down.acme.example:443: connect ECONNREFUSED',
    ]);
    // Untrusted now and after: one finding, not two. Trusted now and not after: the upgrade breaks it.
    expect(endpointFindings(c).map((v) => `${v.rule}: ${v.message}`)).toEqual([
      'endpoint-not-trusted: ldaps://ad.acme.example will not be trusted after the upgrade with cacerts as it will be after the upgrade: the root CN=ACME Root CA is not in the store',
    ]);
  });

  it('the summary counts hosts: not trusted now, not checked, not trusted after the upgrade; findings counted with the rest', () => {
    expect(p.summary.endpoints).toEqual({ notTrusted: 1, notChecked: 1, notTrustedAfterUpgrade: 2 });
    expect(p.summary.violations.error).toBe([...a.violations, ...c.violations].filter((v) => v.severity === 'error').length);
    expect(p.summary.violations.error).toBeGreaterThanOrEqual(2);
  });

  it('without --incoming the after-upgrade count is null; without declared endpoints the whole slot is', () => {
    const plain = new PostureBuilder({ source, generator: 'midtrust test', now: NOW, desired: { ...declared, endpoints: targets } });
    const x = plain.observe({ name: 'mid-a', storePath: CACERTS, store: store([]), endpoints: targets.map((target) => ({ target, ...endpoint(true), afterUpgrade: null })) });
    expect(plain.build([x]).summary.endpoints).toEqual({ notTrusted: 0, notChecked: 0, notTrustedAfterUpgrade: null });
  });
});
