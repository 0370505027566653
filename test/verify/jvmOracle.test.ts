/**
 * `midtrust verify` against the real JVM. For every scenario the same `openssl s_server` (or the
 * LDAP StartTLS responder) is judged by TrustProbe.java on Java 17 and on the JDK ≥ 18 — the
 * JVM's default trust manager over the same truststore, set with javax.net.ssl.trustStore — and
 * by midtrust; the verdicts must be the same. For -f and --after-upgrade, the JVM judges a store
 * built here with the entries apply / the upgrade must produce (not with midtrust's plan code).
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { writeKeystore } from '../../provider/keystore/keystoreCodec';
import type { Keystore, KeystoreType } from '../../provider/keystore/model';
import { tempDir } from '../helpers/keytool';
import { midtrust } from '../helpers/midtrustCli';
import { needs } from '../helpers/requireTools';
import { jvms, runProbe, type JvmVerdict, type ProbeCase } from './javaProbe';
import { startLdapStartTlsServer, type LdapStartTlsServer } from './ldapStartTlsServer';
import { PROFILE, startTlsServer, TestPki } from './testPki';


const PASSWORD_ENV = 'MT_VERIFY_STOREPASS';
const env = { [PASSWORD_ENV]: 'changeit', PATH: process.env.PATH ?? '/usr/bin:/bin' };
const YEAR = 365 * 24 * 3600 * 1000;
const stamp = (d: Date): string => `${d.toISOString().replace(/[-:T]/g, '').slice(0, 14)}Z`;

/** How midtrust is asked: which store option, which extra arguments. */
interface Scenario {
  readonly id: string;
  readonly what: string;
  readonly server: string;
  readonly mode: 'tls' | 'https' | 'starttls';
  readonly host?: string;
  /** The store the JVM uses (and midtrust too, unless `midtrustArgs` says otherwise). */
  readonly store: string;
  readonly midtrustArgs?: (s: string) => string[];
  /** Runs the JVM with this -Djava.security.properties file, and midtrust with --java-security. */
  readonly securityOverride?: boolean;
}

needs('keytool', 'jdk18', 'java', 'openssl').describe('midtrust verify reaches the JVM\'s verdict (Java 17 and JDK >= 18, same s_server, same store)', () => {
  const dir = tempDir('mt-verify-oracle-');
  const pki = new TestPki(path.join(dir, 'pki'));
  const servers = new Map<string, { port: number; stop: () => Promise<void> }>();
  const stores = new Map<string, string>();
  const scenarios: Scenario[] = [];
  const table: string[] = [];
  let ldap: LdapStartTlsServer | undefined;
  let midHomes: { delta: string; nonCa: string; incoming: string };
  let desired: { add: string; remove: string };
  const securityOverride = path.join(dir, 'sha1-everywhere.security');

  const store = (name: string, entries: Array<[string, string]>, type: KeystoreType = 'JKS', file = path.join(dir, `${name}.${type === 'JKS' ? 'jks' : 'p12'}`)): string => {
    const model: Keystore = {
      type,
      integrity: type === 'PKCS12' ? 'none' : 'verified',
      entries: entries.map(([alias, cert]) => ({ alias, kind: 'trustedCertificate' as const, timestamp: Date.UTC(2025, 0, 1), certificates: [pki.der(cert)] })),
    };
    fs.mkdirSync(path.dirname(file), { recursive: true });
    fs.writeFileSync(file, writeKeystore(model, type === 'PKCS12' ? undefined : 'changeit'));
    stores.set(name, file);
    return file;
  };

  beforeAll(async () => {
    const now = Date.now();
    const past = { start: stamp(new Date(now - 6 * YEAR)), end: stamp(new Date(now - 5 * YEAR)) };
    const future = { start: stamp(new Date(now + 5 * YEAR)), end: stamp(new Date(now + 6 * YEAR)) };
    const issue = pki.issue.bind(pki);
    issue('root', { subject: '/CN=Oracle Root CA/O=midtrust tests', issuer: 'self', ext: PROFILE.root, keySpec: 'rsa:2048' }); // RSA: MD5 and SHA-1 signatures need it
    issue('other-root', { subject: '/CN=Unrelated Root CA', issuer: 'self', ext: PROFILE.root });
    issue('inter', { subject: '/CN=Oracle Issuing CA 1', issuer: 'root', ext: PROFILE.intermediate });
    issue('leaf', { subject: '/CN=localhost', issuer: 'inter', ext: PROFILE.server() });
    issue('self', { subject: '/CN=localhost/O=self-signed', issuer: 'self', ext: PROFILE.server() });
    issue('self-expired', { subject: '/CN=localhost/O=self-signed expired', issuer: 'self', ext: PROFILE.server(), ...past });
    issue('leaf-expired', { subject: '/CN=localhost/O=expired', issuer: 'inter', ext: PROFILE.server(), ...past });
    issue('leaf-future', { subject: '/CN=localhost/O=not yet', issuer: 'inter', ext: PROFILE.server(), ...future });
    issue('leaf-clientauth', { subject: '/CN=localhost/O=client auth', issuer: 'inter', ext: PROFILE.server().replace('serverAuth', 'clientAuth') });
    issue('inter-expired', { subject: '/CN=Oracle Expired CA', issuer: 'root', ext: PROFILE.intermediate, ...past });
    issue('leaf-under-expired', { subject: '/CN=localhost/O=under expired', issuer: 'inter-expired', ext: PROFILE.server() });
    issue('inter-md5', { subject: '/CN=Oracle MD5 CA', issuer: 'root', ext: PROFILE.intermediate, md: 'md5' });
    issue('leaf-under-md5', { subject: '/CN=localhost/O=under md5', issuer: 'inter-md5', ext: PROFILE.server() });
    issue('inter-sha1', { subject: '/CN=Oracle SHA1 CA', issuer: 'root', ext: PROFILE.intermediate, md: 'sha1' });
    issue('leaf-under-sha1', { subject: '/CN=localhost/O=under sha1', issuer: 'inter-sha1', ext: PROFILE.server() });
    issue('leaf-rsa1024', { subject: '/CN=localhost/O=rsa1024', issuer: 'inter', ext: PROFILE.server(), keySpec: 'rsa:1024' });
    issue('leaf-rsa768', { subject: '/CN=localhost/O=rsa768', issuer: 'inter', ext: PROFILE.server(), keySpec: 'rsa:768' });
    issue('inter-not-ca', { subject: '/CN=Oracle Not A CA', issuer: 'root', ext: 'basicConstraints=critical,CA:FALSE\nsubjectKeyIdentifier=hash' });
    issue('leaf-under-not-ca', { subject: '/CN=localhost/O=under not-ca', issuer: 'inter-not-ca', ext: PROFILE.server() });
    issue('leaf-no-ip', { subject: '/CN=localhost/O=no ip', issuer: 'inter', ext: PROFILE.server('DNS:localhost') });
    issue('inter-2', { subject: '/CN=Oracle Sub CA under pathlen 0', issuer: 'inter', ext: PROFILE.intermediate });
    issue('leaf-too-deep', { subject: '/CN=localhost/O=too deep', issuer: 'inter-2', ext: PROFILE.server() });
    issue('leaf-critical', { subject: '/CN=localhost/O=critical', issuer: 'inter', ext: `${PROFILE.server()}\n1.3.6.1.4.1.55555.1=critical,ASN1:NULL` });
    issue('inter-no-certsign', { subject: '/CN=Oracle CA without keyCertSign', issuer: 'root', ext: 'basicConstraints=critical,CA:TRUE\nkeyUsage=critical,digitalSignature\nsubjectKeyIdentifier=hash' });
    issue('leaf-under-no-certsign', { subject: '/CN=localhost/O=under no certsign', issuer: 'inter-no-certsign', ext: PROFILE.server() });
    // Cross-signing: root B's name and key, signed by root A and by root C; B also self-signed.
    issue('root-a', { subject: '/CN=Cross Root A', issuer: 'self', ext: PROFILE.root });
    issue('root-c', { subject: '/CN=Cross Root C', issuer: 'self', ext: PROFILE.root });
    issue('root-b', { subject: '/CN=Cross Root B', issuer: 'self', ext: PROFILE.root });
    issue('root-b-by-a', { subject: '/CN=Cross Root B', issuer: 'root-a', ext: PROFILE.intermediate.replace(',pathlen:0', ''), key: 'root-b.key' });
    issue('root-b-by-c', { subject: '/CN=Cross Root B', issuer: 'root-c', ext: PROFILE.intermediate.replace(',pathlen:0', ''), key: 'root-b.key' });
    issue('inter-x', { subject: '/CN=Cross Issuing CA', issuer: 'root-b', ext: PROFILE.intermediate });
    issue('leaf-x', { subject: '/CN=localhost/O=cross', issuer: 'inter-x', ext: PROFILE.server() });
    // A root that expired years ago, still anchoring a valid intermediate.
    issue('root-old', { subject: '/CN=Oracle Expired Root', issuer: 'self', ext: PROFILE.root, start: stamp(new Date(now - 6 * YEAR)), end: stamp(new Date(now - YEAR)) });
    issue('inter-old', { subject: '/CN=Oracle CA under expired root', issuer: 'root-old', ext: PROFILE.intermediate });
    issue('leaf-old', { subject: '/CN=localhost/O=expired root', issuer: 'inter-old', ext: PROFILE.server() });

    store('root', [['oracle-root', 'root']]);
    store('other', [['unrelated-root', 'other-root']]);
    store('inter', [['issuing-ca', 'inter']]);
    store('self', [['server-pin', 'self']]);
    store('self-expired', [['server-pin', 'self-expired']]);
    store('root-p12', [['oracle-root', 'root']], 'PKCS12');
    store('cross-a', [['root-a', 'root-a']]);
    store('cross-b', [['root-b', 'root-b']]);
    store('cross-c', [['root-c', 'root-c']]);
    store('old-root', [['expired-root', 'root-old']]);
    store('leaf-pin', [['server-pin', 'leaf']]);
    store('not-ca-anchor', [['not-a-ca', 'inter-not-ca']]);
    // -f: the store now, and what apply must make of it (built here, not by midtrust).
    const current = store('f-current', [['unrelated-root', 'other-root']]);
    store('f-after-add', [['unrelated-root', 'other-root'], ['oracle-root', 'root']]);
    const withRoot = store('f-current-with-root', [['unrelated-root', 'other-root'], ['oracle-root', 'root']]);
    store('f-after-remove', [['unrelated-root', 'other-root']]);
    fs.writeFileSync(path.join(dir, 'root.pem'), pki.pem('root'));
    desired = { add: path.join(dir, 'add.yaml'), remove: path.join(dir, 'remove.yaml') };
    fs.writeFileSync(desired.add, `keystore:\n  path: ${current}\n  password: { env: ${PASSWORD_ENV} }\ncertificates:\n  - alias: oracle-root\n    file: root.pem\n`);
    fs.writeFileSync(desired.remove, `keystore:\n  path: ${withRoot}\n  password: { env: ${PASSWORD_ENV} }\ncertificates:\n  - alias: oracle-root\n    state: absent\n`);
    // --after-upgrade: a MID whose cacerts holds the private root; the incoming JRE's does not.
    const mid = (name: string, strategy: string): string => {
      const home = path.join(dir, name);
      fs.mkdirSync(path.join(home, 'agent', 'jre', 'lib', 'security'), { recursive: true });
      fs.writeFileSync(path.join(home, 'agent', 'config.xml'), `<?xml version="1.0" encoding="UTF-8"?>\n<parameters>\n  <parameter name="mid.truststore.migration.strategy" value="${strategy}"/>\n</parameters>\n`);
      store(`${name}-cacerts`, [['oracle-root', 'root'], ['unrelated-root', 'other-root']], 'JKS', path.join(home, 'agent', 'jre', 'lib', 'security', 'cacerts'));
      return home;
    };
    midHomes = { delta: mid('mid-delta', 'migrate_delta'), nonCa: mid('mid-non-ca', 'migrate_non_ca'), incoming: store('incoming', [['unrelated-root', 'other-root']]) };
    store('after-delta', [['unrelated-root', 'other-root'], ['snc_oracle-root', 'root']]);
    store('after-non-ca', [['unrelated-root', 'other-root']]);
    // The same rules as the JDK ships, minus the jdkCA condition: SHA-1 refused for every TLS server chain.
    fs.writeFileSync(securityOverride, 'jdk.certpath.disabledAlgorithms=MD2, MD5, SHA1 usage TLSServer, RSA keySize < 1024, DSA keySize < 1024, EC keySize < 224\n');

    const serve = async (name: string, leaf: string, chain: string[]): Promise<void> => {
      servers.set(name, await startTlsServer(pki, leaf, chain));
    };
    await Promise.all([
      serve('full', 'leaf', ['inter']),
      serve('leaf-only', 'leaf', []),
      serve('self', 'self', []),
      serve('self-expired', 'self-expired', []),
      serve('expired-leaf', 'leaf-expired', ['inter']),
      serve('expired-inter', 'leaf-under-expired', ['inter-expired']),
      serve('not-yet-valid', 'leaf-future', ['inter']),
      serve('client-eku', 'leaf-clientauth', ['inter']),
      serve('md5', 'leaf-under-md5', ['inter-md5']),
      serve('sha1', 'leaf-under-sha1', ['inter-sha1']),
      serve('rsa1024', 'leaf-rsa1024', ['inter']),
      serve('rsa768', 'leaf-rsa768', ['inter']),
      serve('not-ca', 'leaf-under-not-ca', ['inter-not-ca']),
      serve('disorder', 'leaf', ['root', 'inter']),
      serve('no-ip', 'leaf-no-ip', ['inter']),
      serve('cross', 'leaf-x', ['inter-x', 'root-b-by-a', 'root-b-by-c']),
      serve('old-root', 'leaf-old', ['inter-old']),
      serve('too-deep', 'leaf-too-deep', ['inter-2', 'inter']),
      serve('critical', 'leaf-critical', ['inter']),
      serve('no-certsign', 'leaf-under-no-certsign', ['inter-no-certsign']),
    ]);
    ldap = await startLdapStartTlsServer(fs.readFileSync(pki.file('leaf.key'), 'utf8'), pki.pem('leaf') + pki.pem('inter'));
    servers.set('ldap', { port: ldap.port, stop: () => ldap!.stop() });

    const s = (id: string, what: string, server: string, mode: Scenario['mode'], storeName: string, extra: Partial<Scenario> = {}): void => {
      scenarios.push({ id, what, server, mode, store: stores.get(storeName)!, ...extra });
    };
    s('full-chain', 'full chain sent, root in the store', 'full', 'https', 'root');
    s('root-missing', 'full chain sent, root not in the store', 'full', 'https', 'other');
    s('no-intermediate', 'server omits its intermediate, root in the store', 'leaf-only', 'https', 'root');
    s('intermediate-anchor', 'the intermediate is the only anchor', 'full', 'https', 'inter');
    s('self-signed-pinned', 'self-signed server certificate, pinned', 'self', 'https', 'self');
    s('self-signed-not-pinned', 'self-signed server certificate, not in the store', 'self', 'https', 'root');
    s('self-signed-pinned-expired', 'expired self-signed certificate, pinned', 'self-expired', 'https', 'self-expired');
    s('expired-leaf', 'expired server certificate', 'expired-leaf', 'https', 'root');
    s('expired-intermediate', 'expired intermediate', 'expired-inter', 'https', 'root');
    s('not-yet-valid', 'server certificate not yet valid', 'not-yet-valid', 'https', 'root');
    s('wrong-eku', 'server certificate for clientAuth only', 'client-eku', 'https', 'root');
    s('md5-intermediate', 'MD5-signed intermediate', 'md5', 'https', 'root');
    s('sha1-intermediate', 'SHA-1-signed intermediate under a private root (not jdkCA)', 'sha1', 'https', 'root');
    s('sha1-intermediate-no-jdkca', 'SHA-1 intermediate, java.security without the jdkCA condition', 'sha1', 'https', 'root', { securityOverride: true });
    s('rsa-1024-leaf', 'RSA-1024 server key (the limit is < 1024)', 'rsa1024', 'https', 'root');
    s('rsa-768-leaf', 'RSA-768 server key', 'rsa768', 'https', 'root');
    s('not-a-ca', 'intermediate with CA:FALSE', 'not-ca', 'https', 'root');
    s('path-length', 'a CA below an intermediate with pathlen:0', 'too-deep', 'https', 'root');
    s('unknown-critical-extension', 'server certificate with an unknown critical extension', 'critical', 'https', 'root');
    s('ca-without-keycertsign', 'intermediate whose KeyUsage lacks keyCertSign', 'no-certsign', 'https', 'root');
    s('pinned-ca-signed-leaf', 'the server certificate itself pinned (CA-issued, CA:FALSE)', 'full', 'https', 'leaf-pin');
    s('non-ca-anchor', 'the only anchor is a CA:FALSE certificate that signed the server certificate', 'not-ca', 'https', 'not-ca-anchor');
    s('out-of-order', 'chain sent out of order (builder route)', 'disorder', 'https', 'root');
    s('hostname-mismatch', 'https to 127.0.0.1, no IP in the certificate', 'no-ip', 'https', 'root', { host: '127.0.0.1' });
    s('bare-socket-no-name-check', 'the same, bare host:port (no name check)', 'no-ip', 'tls', 'root', { host: '127.0.0.1' });
    s('cross-signed-root-c', 'cross-signed: two paths, only root C trusted (second candidate)', 'cross', 'https', 'cross-c');
    s('cross-signed-root-a', 'cross-signed: only root A trusted', 'cross', 'https', 'cross-a');
    s('cross-signed-root-b', 'cross-signed: new root B trusted (same name and key)', 'cross', 'https', 'cross-b');
    s('cross-signed-none', 'cross-signed: none of the roots trusted', 'cross', 'https', 'other');
    s('expired-root-anchor', 'an expired root as the anchor', 'old-root', 'https', 'old-root');
    s('pkcs12-passwordless', 'password-less PKCS12 store', 'full', 'https', 'root-p12');
    s('desired-adds-root', '-f: the desired state adds the root (store after apply)', 'full', 'https', 'f-after-add', { midtrustArgs: () => ['-f', desired.add] });
    s('desired-removes-root', '-f: the desired state removes the root', 'full', 'https', 'f-after-remove', { midtrustArgs: () => ['-f', desired.remove] });
    s('after-upgrade-delta', '--after-upgrade under migrate_delta', 'full', 'https', 'after-delta', { midtrustArgs: () => ['--mid-home', midHomes.delta, '--after-upgrade', '--incoming', midHomes.incoming, '--storepass-env', PASSWORD_ENV] });
    s('after-upgrade-non-ca', '--after-upgrade under migrate_non_ca (private root lost)', 'full', 'https', 'after-non-ca', { midtrustArgs: () => ['--mid-home', midHomes.nonCa, '--after-upgrade', '--incoming', midHomes.incoming, '--storepass-env', PASSWORD_ENV] });
    s('starttls-root', 'LDAP StartTLS, root in the store', 'ldap', 'starttls', 'root');
    s('starttls-root-missing', 'LDAP StartTLS, root not in the store', 'ldap', 'starttls', 'other');
  }, 120_000);

  afterAll(async () => {
    await Promise.all([...servers.values()].map((s) => s.stop()));
    fs.rmSync(dir, { recursive: true, force: true });
    if (table.length) console.log(`scenario | Java 17 | JDK >= 18 | midtrust\n${table.join('\n')}`);
  });

  it('every scenario: midtrust says what Java 17 and the newer JDK say', async () => {
    const probeCase = (s: Scenario): ProbeCase => ({
      id: s.id,
      mode: s.mode,
      host: s.host ?? 'localhost',
      port: servers.get(s.server)!.port,
      store: s.store,
      storeType: s.store.endsWith('.p12') ? 'PKCS12' : 'JKS',
      ...(s.store.endsWith('.p12') ? {} : { passwordEnv: PASSWORD_ENV }),
    });
    const plain = scenarios.filter((s) => !s.securityOverride).map(probeCase);
    const overridden = scenarios.filter((s) => s.securityOverride).map(probeCase);
    const all = jvms();
    const java = [all.find((j) => j.version === 17)!, all.find((j) => j.version >= 18)!];
    const runs = await Promise.all(
      java.flatMap((j) => [
        runProbe(j, dir, plain, { env }).then((m) => ({ j, m })),
        runProbe(j, dir, overridden, { env, securityProperties: securityOverride, tag: 'override' }).then((m) => ({ j, m })),
      ]),
    );
    const jvmVerdict = (version: number, id: string): { verdict: JvmVerdict; detail: string } | undefined =>
      runs.filter((r) => r.j.version === version).map((r) => r.m.get(id)).find((v) => v !== undefined);

    const ours = await Promise.all(
      scenarios.map(async (s) => {
        const target = s.mode === 'starttls' ? `ldap://localhost:${servers.get(s.server)!.port}` : s.mode === 'https' ? `https://${s.host ?? 'localhost'}:${servers.get(s.server)!.port}` : `${s.host ?? 'localhost'}:${servers.get(s.server)!.port}`;
        const storeArgs = s.midtrustArgs ? s.midtrustArgs(s.store) : ['--keystore', s.store, ...(s.store.endsWith('.p12') ? [] : ['--storepass-env', PASSWORD_ENV])];
        const r = await midtrust(['verify', '--target', target, ...storeArgs, '--json', ...(s.securityOverride ? ['--java-security', securityOverride] : [])], { env, cwd: dir });
        return { s, r };
      }),
    );
    const mismatches: string[] = [];
    const newer = java.find((j) => j.version >= 18)!.version;
    for (const { s, r } of ours) {
      const j17 = jvmVerdict(17, s.id);
      const jNew = jvmVerdict(newer, s.id);
      const mine = r.code === 0 ? 'TRUSTED' : r.code === 2 ? 'UNTRUSTED' : `ERROR (${r.stderr.trim()})`;
      const problems = r.code === 2 ? (JSON.parse(r.stdout) as { problems: Array<{ code: string }> }).problems.map((p) => p.code).join(',') : '';
      table.push(`${s.id} (${s.what}) | ${j17?.verdict ?? 'missing'} | ${jNew?.verdict ?? 'missing'} | ${mine}${problems ? ` ${problems}` : ''}`);
      for (const [version, v] of [[17, j17], [newer, jNew]] as const) {
        if (!v || v.verdict === 'ERROR') mismatches.push(`${s.id}: Java ${version} could not judge it: ${v?.detail ?? 'no answer'}`);
        else if (v.verdict !== mine) mismatches.push(`${s.id}: Java ${version} says ${v.verdict} (${v.detail}), midtrust says ${mine}\n${r.stdout}`);
      }
    }
    expect(mismatches).toEqual([]);
  }, 120_000);
});
