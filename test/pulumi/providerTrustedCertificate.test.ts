/**
 * TrustedCertificate through the SDK's real dynamic-provider host over gRPC (cwd = repo root, so
 * the provider finds the library through its captured dist/ path), with keytool as the oracle.
 * Needs `npm run build` (the host runs dist/).
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { keytoolList, runKeytool, tempDir } from '../helpers/keytool';
import { isSecret, secret, startDynamicProviderHost, UNKNOWN, unwrapSecrets, urnFor, type DynamicProviderHost, type Props } from '../helpers/dynamicProviderHost';
import { acmePem, bundlePems, keytoolStore, leaks, providerText, sha256OfPem, PROJECT_ROOT } from './providerFixtures';

const PASSWORD = 'Pw-7f3a-not-changeit';
const URN = urnFor('TrustedCertificate', 'tc');

let host: DynamicProviderHost;
let provider: string;
let tmp: string;
let baseStore: string;
let n = 0;

/** A fresh copy of the keytool-made base store (one entry, `seed-ca`). */
function freshStore(): string {
  const file = path.join(tmp, `store-${++n}.jks`);
  fs.copyFileSync(baseStore, file);
  return file;
}

function inputs(keystorePath: string, extra: Props = {}): Props {
  return { keystorePath, storePassword: secret(PASSWORD), alias: 'acme-root-ca', certificatePem: acmePem('acme-root-ca'), __provider: provider, ...extra };
}

function list(store: string): Map<string, string | undefined> {
  return new Map(keytoolList(store, PASSWORD).map((e) => [e.alias, e.sha256]));
}

beforeAll(async () => {
  tmp = tempDir('midtrust-provider-tc-');
  baseStore = keytoolStore(path.join(tmp, 'base.jks'), PASSWORD, { 'seed-ca': bundlePems()[0] });
  provider = await providerText('trustedCertificateOps');
  host = await startDynamicProviderHost({ projectRoot: PROJECT_ROOT, env: { MIDTRUST_TRACE: '1' } });
});

afterAll(async () => {
  await host?.close();
  fs.rmSync(tmp, { recursive: true, force: true });
});

describe('check', () => {
  const privateKey = '-----BEGIN PRIVATE KEY-----\nMC4CAQAwBQYDK2VwBCIEIJ+DYvh6SEqVTm50DFtMDoQikTmiCqirVv9mWG9qfSnF\n-----END PRIVATE KEY-----\n';
  const table: Array<{ name: string; change: Props; property: string; reason: RegExp }> = [
    { name: 'garbage PEM', change: { certificatePem: 'hello' }, property: 'certificatePem', reason: /not a certificate/ },
    { name: 'truncated PEM', change: { certificatePem: '-----BEGIN CERTIFICATE-----\nMIIB' }, property: 'certificatePem', reason: /END line missing/ },
    { name: 'private key', change: { certificatePem: privateKey }, property: 'certificatePem', reason: /private key, not a certificate/ },
    { name: 'a chain', change: { certificatePem: acmePem('acme-root-ca') + acmePem('acme-issuing-ca') }, property: 'certificatePem', reason: /holds 2 certificates/ },
    { name: 'empty alias', change: { alias: '' }, property: 'alias', reason: /alias is empty/ },
    { name: 'control character in alias', change: { alias: 'a\nb' }, property: 'alias', reason: /control characters/ },
    { name: 'relative keystore path', change: { keystorePath: 'agent/jre/lib/security/cacerts' }, property: 'keystorePath', reason: /relative path; give an absolute path/ },
    { name: 'overwrite not a boolean', change: { overwrite: 'yes' }, property: 'overwrite', reason: /true or false/ },
    { name: 'unknown property', change: { alais: 'x' }, property: 'alais', reason: /unknown property 'alais'/ },
  ];
  test.each(table)('$name → one failure on $property', async ({ change, property, reason }) => {
    const { failures } = await host.check(URN, {}, inputs('/opt/mid/cacerts', change));
    expect(failures).toHaveLength(1);
    expect(failures[0].property).toBe(property);
    expect(failures[0].reason).toMatch(reason);
  });

  test('missing required properties are named; several bad properties give one failure each', async () => {
    const { failures } = await host.check(URN, {}, { keystorePath: 'rel', alias: '', __provider: provider });
    expect(failures.map((f) => f.reason).join('\n')).toMatch(/missing required property 'certificatePem'/);
    expect(failures.map((f) => f.property).sort()).toEqual(['alias', 'inputs', 'keystorePath']);
  });

  test('valid inputs pass and come back as given', async () => {
    const news = inputs('/opt/mid/cacerts');
    const res = await host.check(URN, {}, news);
    expect(res.failures).toEqual([]);
    expect(unwrapSecrets<Props>(res.inputs).certificatePem).toBe(acmePem('acme-root-ca'));
  });

  test('unknown values during preview are not validated, whatever their type', async () => {
    const res = await host.check(URN, {}, inputs(UNKNOWN, { alias: UNKNOWN, certificatePem: UNKNOWN, overwrite: UNKNOWN, storePassword: UNKNOWN }));
    expect(res.failures).toEqual([]);
  });
});

describe('create', () => {
  test('adds the entry in one write; keytool sees it; outputs describe the certificate', async () => {
    const store = freshStore();
    const created = await host.create(URN, inputs(store));
    const outs = unwrapSecrets<Props>(created.properties);
    expect(created.id).toBe(`${store}#acme-root-ca`);
    expect(outs).toMatchObject({
      keystorePath: store,
      alias: 'acme-root-ca',
      sha256Fingerprint: sha256OfPem(acmePem('acme-root-ca')),
      subject: expect.stringContaining('ACME Corp Root CA'),
      issuer: expect.stringContaining('ACME Corp Root CA'),
      notAfter: '2056-11-19T00:39:10.000Z',
      isCa: true,
      storeType: 'JKS',
    });
    expect(isSecret(created.properties.storePassword)).toBe(true);
    const listed = list(store);
    expect(listed.get('acme-root-ca')).toBe(sha256OfPem(acmePem('acme-root-ca')));
    expect(listed.has('seed-ca')).toBe(true);
  });

  test('a PKCS12 store works the same way', async () => {
    const store = keytoolStore(path.join(tmp, 'p12-store.p12'), PASSWORD, { 'seed-ca': bundlePems()[1] }, 'PKCS12');
    const created = await host.create(URN, inputs(store, { alias: 'Acme-Root-CA' }));
    expect(unwrapSecrets<Props>(created.properties).storeType).toBe('PKCS12');
    expect(list(store).get('acme-root-ca')).toBe(sha256OfPem(acmePem('acme-root-ca')));
  });

  test('adoption: the alias already holds the same certificate → adopted without writing', async () => {
    const store = freshStore();
    await host.create(URN, inputs(store));
    const before = fs.readFileSync(store);
    const mtime = fs.statSync(store).mtimeMs;
    // Another resource (or another stack) declares the same entry: PEM with CRLF line ends.
    const created = await host.create(URN, inputs(store, { certificatePem: acmePem('acme-root-ca').replace(/\n/g, '\r\n') }));
    expect(unwrapSecrets<Props>(created.properties).sha256Fingerprint).toBe(sha256OfPem(acmePem('acme-root-ca')));
    expect(fs.readFileSync(store).equals(before)).toBe(true);
    expect(fs.statSync(store).mtimeMs).toBe(mtime);
  });

  test('the alias holds another certificate → fails, saying to set overwrite: true; overwrite takes it over', async () => {
    const store = freshStore();
    const err = await host.create(URN, inputs(store, { alias: 'seed-ca' })).catch((e: Error) => e);
    expect(String(err)).toMatch(/seed-ca .*already trusts another certificate \(sha256 [0-9a-f]{12}…, subject .*\); set overwrite: true/);
    expect(String(err)).not.toContain(PASSWORD);
    expect(String(err)).not.toMatch(/\n\s+at /);
    expect(list(store).get('seed-ca')).toBe(sha256OfPem(bundlePems()[0]));

    await host.create(URN, inputs(store, { alias: 'seed-ca', overwrite: true }));
    expect(list(store).get('seed-ca')).toBe(sha256OfPem(acmePem('acme-root-ca')));
  });

  test('wrong password and missing store are errors for people, without the password', async () => {
    const store = freshStore();
    const wrong = await host.create(URN, inputs(store, { storePassword: secret('Nope-wrong-9') })).catch((e: Error) => e);
    expect(String(wrong)).toContain(store);
    expect(String(wrong)).not.toContain('Nope-wrong-9');
    const missing = await host.create(URN, inputs(path.join(tmp, 'nope', 'cacerts'))).catch((e: Error) => e);
    expect(String(missing)).toMatch(/does not exist; .*check keystorePath/);
  });
});

describe('read (refresh)', () => {
  test('entry deleted with keytool, or the store deleted → the resource stays, its fingerprint null, and the next diff plans an update', async () => {
    const store = freshStore();
    const created = await host.create(URN, inputs(store));
    runKeytool(['-delete', '-alias', 'acme-root-ca', '-keystore', store, '-storepass:env', 'MT_PW'], { env: { MT_PW: PASSWORD } });
    const read = await host.read(created.id, URN, created.properties, inputs(store));
    expect(read.id).toBe(created.id);
    expect(unwrapSecrets<Props>(read.properties)).toMatchObject({ sha256Fingerprint: null, subject: null, storeType: 'JKS' });
    expect((await host.diff(read.id, URN, read.properties, inputs(store))).changes).toBe('DIFF_SOME');

    fs.rmSync(store);
    const gone = await host.read(created.id, URN, created.properties);
    expect(unwrapSecrets<Props>(gone.properties)).toMatchObject({ sha256Fingerprint: null, storeType: null });
  });

  test('entry replaced with keytool → the actual fingerprint is reported and the next diff plans an update', async () => {
    const store = freshStore();
    const created = await host.create(URN, inputs(store));
    const other = path.join(tmp, 'other.pem');
    fs.writeFileSync(other, acmePem('proxy-acme-example'));
    runKeytool(['-delete', '-alias', 'acme-root-ca', '-keystore', store, '-storepass:env', 'MT_PW'], { env: { MT_PW: PASSWORD } });
    runKeytool(['-importcert', '-noprompt', '-alias', 'acme-root-ca', '-file', other, '-keystore', store, '-storepass:env', 'MT_PW'], { env: { MT_PW: PASSWORD } });

    const read = await host.read(created.id, URN, created.properties, inputs(store));
    const props = unwrapSecrets<Props>(read.properties);
    expect(read.id).toBe(created.id);
    expect(props.sha256Fingerprint).toBe(sha256OfPem(acmePem('proxy-acme-example')));
    expect(props.subject).toContain('proxy.acme.example');
    // certificatePem stays what was declared; inputs come back too, password still secret.
    expect(props.certificatePem).toBe(acmePem('acme-root-ca'));
    expect(read.inputs && unwrapSecrets<Props>(read.inputs).certificatePem).toBe(acmePem('acme-root-ca'));
    expect(isSecret(read.properties.storePassword)).toBe(true);

    const d = await host.diff(read.id, URN, read.properties, inputs(store));
    expect(d).toMatchObject({ changes: 'DIFF_SOME', replaces: [] });
    const updated = await host.update(read.id, URN, read.properties, inputs(store));
    expect(unwrapSecrets<Props>(updated.properties).sha256Fingerprint).toBe(sha256OfPem(acmePem('acme-root-ca')));
    expect(list(store).get('acme-root-ca')).toBe(sha256OfPem(acmePem('acme-root-ca')));
  });

  test('nothing changed → same id and outputs', async () => {
    const store = freshStore();
    const created = await host.create(URN, inputs(store));
    const read = await host.read(created.id, URN, created.properties);
    expect(unwrapSecrets(read.properties)).toEqual(unwrapSecrets(created.properties));
  });
});

describe('diff and update', () => {
  let store: string;
  let olds: Props;
  beforeAll(async () => {
    store = freshStore();
    olds = (await host.create(URN, inputs(store))).properties;
  });

  test('same inputs, or only PEM whitespace / CRLF changed → no change', async () => {
    expect((await host.diff('x', URN, olds, inputs(store))).changes).toBe('DIFF_NONE');
    const reformatted = `\n\n${acmePem('acme-root-ca').replace(/\n/g, '\r\n')}   \n`;
    expect((await host.diff('x', URN, olds, inputs(store, { certificatePem: reformatted }))).changes).toBe('DIFF_NONE');
    expect((await host.diff('x', URN, olds, inputs(store, { alias: 'ACME-Root-CA' }))).changes).toBe('DIFF_NONE');
  });

  test('certificate, password or overwrite changed → update in place', async () => {
    for (const change of [{ certificatePem: acmePem('acme-issuing-ca') }, { storePassword: secret('other') }, { overwrite: true }]) {
      expect(await host.diff('x', URN, olds, inputs(store, change))).toMatchObject({ changes: 'DIFF_SOME', replaces: [], deleteBeforeReplace: false });
    }
  });

  test('alias or keystore changed → replace, create before delete', async () => {
    expect(await host.diff('x', URN, olds, inputs(store, { alias: 'acme-root-ca-2' }))).toMatchObject({ changes: 'DIFF_SOME', replaces: ['alias'], deleteBeforeReplace: false });
    expect(await host.diff('x', URN, olds, inputs(path.join(tmp, 'elsewhere.jks')))).toMatchObject({ replaces: ['keystorePath'], deleteBeforeReplace: false });
  });

  test('a new spelling of the path is a replace, create before delete even for the same file; a normalised spelling is no replace', async () => {
    const link = path.join(tmp, `link-${n}.jks`);
    fs.symlinkSync(store, link);
    // Whether two spellings are one file is only known on the MID host; the ownership record there
    // makes the old delete keep what the new create claimed (test/pulumi/deployment*.test.ts).
    expect(await host.diff('x', URN, olds, inputs(link))).toMatchObject({ changes: 'DIFF_SOME', replaces: ['keystorePath'], deleteBeforeReplace: false });
    const respelled = `${path.dirname(store)}/./sub/..//${path.basename(store)}`;
    expect(await host.diff('x', URN, olds, inputs(respelled))).toMatchObject({ replaces: [] });
  });

  test('unknown values during preview → a change (replace for path/alias), never a crash', async () => {
    expect(await host.diff('x', URN, olds, inputs(store, { certificatePem: UNKNOWN }))).toMatchObject({ changes: 'DIFF_SOME', replaces: [] });
    expect(await host.diff('x', URN, olds, inputs(UNKNOWN))).toMatchObject({ changes: 'DIFF_SOME', replaces: ['keystorePath'], deleteBeforeReplace: false });
  });

  test('update writes the new certificate under the alias; a password-only update writes nothing', async () => {
    const updated = await host.update('x', URN, olds, inputs(store, { certificatePem: acmePem('acme-issuing-ca') }));
    expect(unwrapSecrets<Props>(updated.properties).sha256Fingerprint).toBe(sha256OfPem(acmePem('acme-issuing-ca')));
    expect(list(store).get('acme-root-ca')).toBe(sha256OfPem(acmePem('acme-issuing-ca')));
    const before = fs.readFileSync(store);
    await host.update('x', URN, updated.properties, inputs(store, { certificatePem: acmePem('acme-issuing-ca'), overwrite: false }));
    expect(fs.readFileSync(store).equals(before)).toBe(true);
  });
});

describe('delete', () => {
  test('removes only its own entry; an absent entry or store is fine', async () => {
    const store = freshStore();
    const a = await host.create(URN, inputs(store));
    const b = await host.create(URN, inputs(store, { alias: 'issuing', certificatePem: acmePem('acme-issuing-ca') }));
    await host.delete(a.id, URN, a.properties);
    expect([...list(store).keys()].sort()).toEqual(['issuing', 'seed-ca']);
    await host.delete(a.id, URN, a.properties);
    await host.delete(b.id, URN, { ...b.properties, keystorePath: path.join(tmp, 'gone.jks') });
    await host.delete(b.id, URN, { ...b.properties, keystorePath: path.join(tmp, 'decommissioned-mid', 'cacerts') });
    expect([...list(store).keys()].sort()).toEqual(['issuing', 'seed-ca']);
  });

  test('an alias that someone has since given another certificate by hand is left alone', async () => {
    const store = freshStore();
    const a = await host.create(URN, inputs(store));
    const pem = path.join(tmp, `by-hand-${n}.pem`);
    fs.writeFileSync(pem, acmePem('acme-issuing-ca'));
    runKeytool(['-delete', '-alias', 'acme-root-ca', '-keystore', store, '-storepass:env', 'MT_PW'], { env: { MT_PW: PASSWORD } });
    runKeytool(['-importcert', '-noprompt', '-alias', 'acme-root-ca', '-file', pem, '-keystore', store, '-storepass:env', 'MT_PW'], { env: { MT_PW: PASSWORD } });
    fs.rmSync(pem);
    await host.delete(a.id, URN, a.properties);
    expect(list(store).get('acme-root-ca')).toBe(sha256OfPem(acmePem('acme-issuing-ca')));
  });
});

describe('parallel creates', () => {
  test('100 TrustedCertificates on one keystore: all present, keytool verifies, writes coalesced', async () => {
    const store = freshStore();
    const certs = bundlePems().slice(1, 101);
    expect(certs).toHaveLength(100);
    const stderrBefore = host.stderr().length;
    const created = await Promise.all(
      certs.map((pem, i) => host.create(urnFor('TrustedCertificate', `ca-${i}`), inputs(store, { alias: `ca-${i}`, certificatePem: pem }))),
    );
    expect(created.map((c) => unwrapSecrets<Props>(c.properties).sha256Fingerprint)).toEqual(certs.map(sha256OfPem));
    // keytool reads the store with the password, so its integrity check passes too.
    const listed = list(store);
    expect(listed.size).toBe(101);
    certs.forEach((pem, i) => expect(listed.get(`ca-${i}`)).toBe(sha256OfPem(pem)));
    // One trace line per change, each naming the size of the batch it was written in: a batch of
    // s changes contributes s lines, so the number of writes is the sum of 1/s.
    const log = host.stderr().slice(stderrBefore);
    const sizes = [...log.matchAll(/claim ca-\d+: wrote .* \(batch of (\d+)\)/g)].map((m) => Number(m[1]));
    const writeCount = Math.round(sizes.reduce((acc, s) => acc + 1 / s, 0));
    console.log(`100 parallel creates: ${writeCount} writes (batch sizes ${[...new Set(sizes)].join(', ')})`);
    expect(sizes).toHaveLength(100);
    expect(writeCount).toBeLessThan(100);
  });
});

describe('secrets', () => {
  test('no output other than storePassword contains the password (create, read, update)', async () => {
    const store = freshStore();
    const created = await host.create(URN, inputs(store));
    const read = await host.read(created.id, URN, created.properties, inputs(store));
    const updated = await host.update(created.id, URN, created.properties, inputs(store, { certificatePem: acmePem('acme-issuing-ca') }));
    for (const props of [created.properties, read.properties, read.inputs ?? {}, updated.properties]) {
      expect(leaks(props, PASSWORD)).toEqual([]);
      expect(isSecret(props.storePassword)).toBe(true);
    }
    expect(created.id).not.toContain(PASSWORD);
    expect(host.stderr()).not.toContain(PASSWORD);
  });
});
