import * as fs from 'node:fs';
import * as path from 'node:path';
import { Certificate } from '../../provider/certificate/certificate';
import { parseCertificateInput } from '../../provider/certificate/certificateInput';
import { midLayout } from '../../provider/mid/midLayout';
import { runRules } from '../../provider/rules/runRules';
import type { Violation } from '../../provider/rules/violation';
import { openssl, tempDir } from '../helpers/keytool';
import { makeCertificate } from './ruleFixtures';

const DAY = 86400000;
// An hour ahead: certificates made by openssl in beforeAll start "now", after this module loaded.
const now = new Date(Date.now() + 3600_000);
const named = (alias: string, der: Uint8Array) => ({ alias, certificate: Certificate.fromDer(der) });
const rulesOf = (vs: Violation[], alias: string) => vs.filter((v) => v.alias === alias).map((v) => `${v.rule}:${v.severity}`).sort();

describe('certificate rules', () => {
  let certs: Record<string, Uint8Array>;
  beforeAll(async () => {
    const dir = tempDir('mt-rules-');
    openssl(['req', '-newkey', 'rsa:2048', '-nodes', '-keyout', 'ca.key', '-x509', '-out', 'ca.pem', '-days', '30', '-subj', '/CN=ca', '-addext', 'basicConstraints=critical,CA:TRUE'], { cwd: dir });
    openssl(['req', '-newkey', 'rsa:2048', '-nodes', '-keyout', 'v1.key', '-out', 'v1.csr', '-subj', '/CN=v1'], { cwd: dir });
    openssl(['x509', '-req', '-in', 'v1.csr', '-CA', 'ca.pem', '-CAkey', 'ca.key', '-CAcreateserial', '-out', 'v1.pem', '-days', '90'], { cwd: dir });
    openssl(['req', '-newkey', 'rsa:2048', '-nodes', '-keyout', 's1.key', '-out', 's1.csr', '-subj', '/CN=sha1 leaf'], { cwd: dir });
    fs.writeFileSync(path.join(dir, 'leaf.ext'), 'basicConstraints=CA:FALSE\n');
    openssl(['x509', '-req', '-in', 's1.csr', '-CA', 'ca.pem', '-CAkey', 'ca.key', '-CAcreateserial', '-out', 's1.pem', '-days', '90', '-sha1', '-extfile', 'leaf.ext'], { cwd: dir });
    const pemDer = (f: string) => parseCertificateInput(fs.readFileSync(path.join(dir, f)), f)[0];
    certs = {
      good: (await makeCertificate({ cn: 'good CA' })).der,
      expired: (await makeCertificate({ cn: 'old', notBefore: new Date(now.getTime() - 400 * DAY), notAfter: new Date(now.getTime() - 2 * DAY) })).der,
      expiring: (await makeCertificate({ cn: 'soon', notAfter: new Date(now.getTime() + 10 * DAY) })).der,
      future: (await makeCertificate({ cn: 'future', notBefore: new Date(now.getTime() + 5 * DAY) })).der,
      rsa1024: (await makeCertificate({ cn: 'small', key: { name: 'RSASSA-PKCS1-v1_5', bits: 1024 } })).der,
      sha1root: (await makeCertificate({ cn: 'sha1 root', key: { name: 'RSASSA-PKCS1-v1_5', bits: 2048, hash: 'SHA-1' } })).der,
      leaf: (await makeCertificate({ cn: 'leaf', ca: false })).der,
      nobc: (await makeCertificate({ cn: 'no bc', ca: 'absent' })).der,
      v1: pemDer('v1.pem'),
      sha1leaf: pemDer('s1.pem'),
    };
  });

  it.each([
    ['good', []],
    ['expired', ['certificate-expired:error']],
    ['expiring', ['certificate-expiring:warning']],
    ['future', ['certificate-not-yet-valid:error']],
    ['rsa1024', ['weak-key:error']],
    ['sha1root', ['weak-signature:advisory']],
    ['sha1leaf', ['trusted-end-entity:advisory', 'weak-signature:warning']],
    ['leaf', ['trusted-end-entity:advisory']],
    ['nobc', ['trusted-end-entity:advisory']],
    ['v1', ['trusted-end-entity:advisory', 'x509-v1:warning']],
  ])('%s → %j', (name, want) => {
    expect(rulesOf(runRules({ certificates: [named(name, certs[name])] }, { now }), name)).toEqual(want);
  });

  it('configurable thresholds: expiring-days and minimum key sizes', () => {
    expect(rulesOf(runRules({ certificates: [named('expiring', certs.expiring)] }, { now, expiringDays: 5 }), 'expiring')).toEqual([]);
    expect(rulesOf(runRules({ certificates: [named('rsa1024', certs.rsa1024)] }, { now, minRsaBits: 1024 }), 'rsa1024')).toEqual([]);
    expect(rulesOf(runRules({ certificates: [named('good', certs.good)] }, { now, minEcBits: 384 }), 'good')).toEqual(['weak-key:error']);
  });

  it('same certificate under two aliases; one alias with two certificates', () => {
    const vs = runRules({ certificates: [named('a', certs.good), named('b', certs.good), named('A', certs.leaf)] }, { now });
    expect(vs.find((v) => v.rule === 'duplicate-certificate')).toMatchObject({ alias: 'b' });
    expect(vs.find((v) => v.rule === 'alias-conflict')).toMatchObject({ alias: 'A', severity: 'error' });
  });

  it('every violation names the alias and certificate and says what to do', () => {
    const vs = runRules({ certificates: Object.entries(certs).map(([n, d]) => named(n, d)) }, { now });
    for (const v of vs) {
      expect(v.message).toContain(v.alias!);
      expect(v.sha256).toMatch(/^[0-9a-f]{64}$/);
      expect(v.remediation.length).toBeGreaterThan(10);
    }
  });

  describe('MID rules', () => {
    const layout = midLayout('/opt/servicenow/mid');
    const mid = (strategy: 'migrate_delta' | 'migrate_non_ca' | 'do_not_migrate', external = {}) => ({ layout, strategy, external });
    it('migrate_non_ca loses private CAs and v1 certificates, not leaves', () => {
      const vs = runRules({ certificates: [named('private-ca', certs.good), named('leaf', certs.leaf), named('v1', certs.v1)], mid: mid('migrate_non_ca') }, { now });
      expect(vs.filter((v) => v.rule === 'lost-on-upgrade').map((v) => v.alias).sort()).toEqual(['private-ca', 'v1']);
    });
    it('migrate_delta loses nothing; do_not_migrate without external truststore warns and loses all', () => {
      expect(runRules({ certificates: [named('private-ca', certs.good)], mid: mid('migrate_delta') }, { now }).filter((v) => v.rule === 'lost-on-upgrade')).toEqual([]);
      const vs = runRules({ certificates: [named('private-ca', certs.good)], mid: mid('do_not_migrate') }, { now });
      expect(vs.map((v) => v.rule)).toEqual(expect.arrayContaining(['do-not-migrate-without-external-truststore', 'lost-on-upgrade']));
    });
    it('external truststore inside the MID home (error) and plain-text password (advisory)', () => {
      const vs = runRules({ certificates: [], mid: mid('do_not_migrate', { path: '/opt/servicenow/mid/agent/ts.p12', password: 'x' }) }, { now });
      expect(vs.map((v) => `${v.rule}:${v.severity}`).sort()).toEqual(['external-truststore-inside-mid-home:error', 'plaintext-truststore-password:advisory']);
    });
    it('migrate_delta resurrecting a vendor-removed root (advisory)', () => {
      const vs = runRules({ certificates: [named('oldroot [jdk]', certs.good)], mid: mid('migrate_delta'), incoming: { type: 'JKS', integrity: 'verified', entries: [] } }, { now });
      expect(vs.map((v) => `${v.rule}:${v.severity}`)).toContain('resurrected-vendor-root:advisory');
    });
  });
});
