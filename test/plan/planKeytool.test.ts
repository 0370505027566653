/**
 * The plan against stores keytool made: Java's alias rules as keytool applies them, key entries
 * never touched, and the applied model written back and listed by keytool again.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { sha256Hex } from '../../provider/certificate/fingerprint';
import { readKeystore, writeKeystore } from '../../provider/keystore/keystoreCodec';
import { applyPlan } from '../../provider/plan/applyPlan';
import { computePlan } from '../../provider/plan/computePlan';
import { loadDesiredState } from '../../provider/plan/desiredStateFile';
import { keytoolList, runKeytool } from '../helpers/keytool';
import { needs } from '../helpers/requireTools';
import { makeCertificates, PASSWORD, type CertificateSet } from './planFixtures';


let certs: CertificateSet;
beforeAll(() => {
  certs = makeCertificates(['a', 'b', 'c']);
});
afterAll(() => certs?.cleanup());

for (const type of ['JKS', 'PKCS12'] as const) needs('keytool').describe(`plan and apply on a keytool-made ${type} store`, () => {
  it('matches aliases as Java does, keeps the key entry, and keytool lists the result', () => {
    const store = path.join(certs.dir, `store-${type}`);
    const env = { MID_STOREPASS: PASSWORD };
    const common = ['-keystore', store, '-storetype', type, '-storepass:env', 'MID_STOREPASS', '-noprompt'];
    // PKCS12 keys share the store password in keytool; JKS takes its own (the same here).
    runKeytool(['-genkeypair', '-alias', 'Mid-Key', '-keyalg', 'EC', '-groupname', 'secp256r1', '-dname', 'CN=mid', '-keypass:env', 'MID_STOREPASS', ...common], { env });
    runKeytool(['-importcert', '-alias', 'ACME-Root', '-file', certs.file('a'), ...common], { env });
    runKeytool(['-importcert', '-alias', 'Old-Proxy', '-file', certs.file('b'), ...common], { env });

    const current = readKeystore(fs.readFileSync(store), { password: PASSWORD });
    const io = { readFile: (f: string) => fs.readFileSync(f), env };
    const yaml = (certificates: string) => `keystore:\n  path: store-${type}\n  password: { env: MID_STOREPASS }\nexclusive: true\ncertificates:\n${certificates}`;
    const load = (certificates: string) => loadDesiredState(yaml(certificates), path.join(certs.dir, 'desired.yaml'), io);

    // A declared alias over the key entry, in another case, is still the key entry: refused.
    expect(() => computePlan(current, load('  - alias: MID-KEY\n    file: c.pem\n'))).toThrow(/private key entry .* never replaces or deletes key entries/);

    const desired = load('  - alias: acme-root\n    file: a.pem\n  - alias: New-One\n    file: c.pem\n');
    const plan = computePlan(current, desired);
    expect(plan.actions.map((a) => `${a.action} ${a.alias.toLowerCase()}`)).toEqual(['unchanged acme-root', 'add new-one', 'remove old-proxy']);

    const next = applyPlan(current, plan, desired, { now: new Date() });
    const keyEntry = current.entries.find((e) => e.kind === 'privateKey');
    expect(next.entries).toContain(keyEntry);
    fs.writeFileSync(store, writeKeystore(next, PASSWORD));

    const listed = keytoolList(store, PASSWORD).map((e) => ({ ...e, alias: e.alias.toLowerCase() }));
    expect(listed).toEqual([
      { alias: 'acme-root', kind: 'trustedCertificate', sha256: sha256Hex(certs.der('a')) },
      { alias: 'mid-key', kind: 'privateKey', sha256: sha256Hex((keyEntry?.certificates ?? [])[0]) },
      { alias: 'new-one', kind: 'trustedCertificate', sha256: sha256Hex(certs.der('c')) },
    ]);
    // Converged: planning the written store again changes nothing.
    expect(computePlan(readKeystore(fs.readFileSync(store), { password: PASSWORD }), desired).changes).toBe(0);
  });
});
