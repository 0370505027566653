/**
 * ExternalTruststore through the SDK's real dynamic-provider host over gRPC, on a MID home made in
 * a temp dir, keytool as the oracle. Needs `npm run build` (the host runs dist/).
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { keytoolList, tempDir } from '../helpers/keytool';
import { isSecret, secret, startDynamicProviderHost, UNKNOWN, unwrapSecrets, urnFor, type DynamicProviderHost, type Props } from '../helpers/dynamicProviderHost';
import { leaks, providerText, PROJECT_ROOT } from './providerFixtures';
import { BUNDLED_PASSWORD, MidHomes, WRAPPER_OVERRIDE, wrapperOf } from './providerMidFixtures';

const URN = urnFor('ExternalTruststore', 'ext');
const PASSWORD = 'Ext-9c1d-not-changeit';

let host: DynamicProviderHost;
let provider: string;
let tmp: string;
let homes: MidHomes;
let n = 0;

function inputs(midHome: string, extra: Props = {}): Props {
  return { midHome, truststorePath: path.join(tmp, 'stores', `ext-${++n}.p12`), __provider: provider, ...extra };
}

/** alias → sha256 of a store as keytool lists it. */
function listed(store: string, password: string | undefined): Map<string, string | undefined> {
  return new Map(keytoolList(store, password).map((e) => [e.alias, e.sha256]));
}

beforeAll(async () => {
  tmp = tempDir('midtrust-provider-ext-');
  homes = new MidHomes(tmp);
  provider = await providerText('externalTruststoreOps');
  host = await startDynamicProviderHost({ projectRoot: PROJECT_ROOT });
});

afterAll(async () => {
  await host?.close();
  fs.rmSync(tmp, { recursive: true, force: true });
});

describe('check', () => {
  const table: Array<{ name: string; change: Props; property: string; reason: RegExp }> = [
    { name: 'store inside the MID home', change: { truststorePath: '/opt/mid/agent/security/truststore.p12' }, property: 'truststorePath', reason: /inside the MID home \/opt\/mid; an upgrade replaces/ },
    { name: 'store is the bundled cacerts', change: { truststorePath: '/opt/mid/agent/jre/lib/security/cacerts' }, property: 'truststorePath', reason: /inside the MID home/ },
    { name: 'relative store path', change: { truststorePath: 'truststore.p12' }, property: 'truststorePath', reason: /relative path; give an absolute path/ },
    { name: 'relative MID home', change: { midHome: 'opt/mid' }, property: 'midHome', reason: /relative path/ },
    { name: 'JKS without a password', change: { storeType: 'JKS' }, property: 'storePassword', reason: /JKS store needs a storePassword/ },
    { name: 'unknown store type', change: { storeType: 'JCEKS' }, property: 'storeType', reason: /must be one of "PKCS12", "JKS"/ },
    { name: 'a line break in the password', change: { storePassword: secret('a\nwrapper.java.additional.9=-Devil') }, property: 'storePassword', reason: /control characters/ },
  ];
  test.each(table)('$name → one failure on $property', async ({ change, property, reason }) => {
    const { failures } = await host.check(URN, {}, { midHome: '/opt/mid', truststorePath: '/etc/mid/ts.p12', __provider: provider, ...change });
    expect(failures).toHaveLength(1);
    expect(failures[0].property).toBe(property);
    expect(failures[0].reason).toMatch(reason);
    expect(failures[0].reason).not.toContain('evil');
  });

  test('valid inputs pass; unknown values are not validated', async () => {
    expect((await host.check(URN, {}, { midHome: '/opt/mid', truststorePath: '/etc/mid/ts.p12', __provider: provider })).failures).toEqual([]);
    expect((await host.check(URN, {}, { midHome: UNKNOWN, truststorePath: UNKNOWN, storeType: UNKNOWN, __provider: provider })).failures).toEqual([]);
  });
});

describe('create', () => {
  test('seedFromBundled: a password-less PKCS12 with the bundled certificates; wrapper lines with the next free N; idempotent', async () => {
    const home = homes.make();
    const ins = inputs(home, { seedFromBundled: true });
    const store = String(ins.truststorePath);
    const created = await host.create(URN, ins);

    const bundled = listed(path.join(home, 'agent', 'jre', 'lib', 'security', 'cacerts'), BUNDLED_PASSWORD);
    const made = listed(store, undefined);
    expect([...made.values()].sort()).toEqual([...bundled.values()].sort());
    expect(made.size).toBe(3);
    expect(fs.readFileSync(store).subarray(0, 4).toString('hex')).not.toBe('feedfeed');

    expect(wrapperOf(home)).toBe(`${WRAPPER_OVERRIDE}wrapper.java.additional.4=-Djavax.net.ssl.trustStore=${store}\nwrapper.java.additional.5=-Djavax.net.ssl.trustStoreType=PKCS12\n`);
    expect(created.properties).toMatchObject({
      truststorePath: store,
      wiredTruststorePath: store,
      wiredStoreType: 'PKCS12',
      passwordWired: false,
      storeFormat: 'PKCS12',
      createdStore: true,
      restartRequired: true,
      restarted: false,
      note: expect.stringMatching(/Restart-Service snc_mid_<name>/),
    });

    const wrapperBefore = wrapperOf(home);
    const storeBefore = fs.readFileSync(store);
    const again = await host.create(URN, ins);
    expect(wrapperOf(home)).toBe(wrapperBefore);
    expect(fs.readFileSync(store).equals(storeBefore)).toBe(true);
    // A second resource wiring the same store (a renamed successor) takes over what the first made:
    // the store goes when the last of them lets go.
    expect(again.properties).toMatchObject({ createdStore: true, wiredTruststorePath: store });
    expect((await host.diff(created.id, URN, again.properties, ins)).changes).toBe('DIFF_NONE');
  });

  test('with a password and JKS: three lines; the password is in no output but storePassword (secret)', async () => {
    const home = homes.make();
    const ins = inputs(home, { storePassword: secret(PASSWORD), storeType: 'JKS', seedFromBundled: true });
    const store = String(ins.truststorePath);
    const created = await host.create(URN, ins);
    expect(fs.readFileSync(store).subarray(0, 4).toString('hex')).toBe('feedfeed');
    expect(listed(store, PASSWORD).size).toBe(3);
    expect(wrapperOf(home)).toBe(
      `${WRAPPER_OVERRIDE}wrapper.java.additional.4=-Djavax.net.ssl.trustStore=${store}\nwrapper.java.additional.5=-Djavax.net.ssl.trustStorePassword=${PASSWORD}\nwrapper.java.additional.6=-Djavax.net.ssl.trustStoreType=JKS\n`,
    );
    expect(isSecret(created.properties.storePassword)).toBe(true);
    expect(leaks(created.properties, PASSWORD)).toEqual([]);
    expect(created.id).not.toContain(PASSWORD);
    const read = await host.read(created.id, URN, created.properties);
    expect(isSecret(read.properties.storePassword)).toBe(true);
    expect(leaks(read.properties, PASSWORD)).toEqual([]);
  });

  test('an existing store is used as it is (its type wired), never rewritten; a wrong password is an error without the password', async () => {
    const home = homes.make();
    const store = path.join(tmp, 'stores', 'existing.jks');
    fs.mkdirSync(path.dirname(store), { recursive: true });
    fs.copyFileSync(path.join(home, 'agent', 'jre', 'lib', 'security', 'cacerts'), store);
    const before = fs.readFileSync(store);
    const created = await host.create(URN, inputs(home, { truststorePath: store, storePassword: secret(BUNDLED_PASSWORD) }));
    expect(created.properties).toMatchObject({ createdStore: false, wiredStoreType: 'JKS', storeFormat: 'JKS' });
    expect(fs.readFileSync(store).equals(before)).toBe(true);

    const other = homes.make();
    const err = await host.create(URN, inputs(other, { truststorePath: store, storePassword: secret('Wrong-pw-77') })).catch((e: Error) => e);
    expect(String(err)).toMatch(/password/);
    expect(String(err)).not.toContain('Wrong-pw-77');
    expect(wrapperOf(other)).toBe(WRAPPER_OVERRIDE);
  });

  test('not a MID home → NOT_FOUND, nothing created', async () => {
    const ins = inputs(path.join(tmp, 'no-mid'));
    await expect(host.create(URN, ins)).rejects.toThrow(/does not look like a MID Server home/);
    expect(fs.existsSync(String(ins.truststorePath))).toBe(false);
  });
});

describe('read, update, delete', () => {
  test('lines edited or removed by hand show as drift; the next diff plans an update that rewires', async () => {
    const home = homes.make();
    const ins = inputs(home);
    const created = await host.create(URN, ins);
    const file = path.join(home, 'agent', 'conf', 'wrapper-override.conf');

    fs.writeFileSync(file, wrapperOf(home).replace(String(ins.truststorePath), '/somewhere/else.p12'));
    const read = await host.read(created.id, URN, created.properties);
    expect(read.properties.wiredTruststorePath).toBe('/somewhere/else.p12');
    expect((await host.diff(created.id, URN, read.properties, ins)).changes).toBe('DIFF_SOME');
    const updated = await host.update(created.id, URN, read.properties, ins);
    expect(updated.properties.wiredTruststorePath).toBe(ins.truststorePath);
    expect(wrapperOf(home)).toBe(`${WRAPPER_OVERRIDE}wrapper.java.additional.4=-Djavax.net.ssl.trustStore=${String(ins.truststorePath)}\nwrapper.java.additional.5=-Djavax.net.ssl.trustStoreType=PKCS12\n`);

    fs.writeFileSync(file, WRAPPER_OVERRIDE);
    const gone = await host.read(created.id, URN, updated.properties);
    expect(gone.properties).toMatchObject({ wiredTruststorePath: null, wiredStoreType: null, passwordWired: false });
    expect((await host.diff(created.id, URN, gone.properties, ins)).changes).toBe('DIFF_SOME');

    // A password added to the declaration → update writes the password line.
    const withPw = { ...ins, storePassword: secret('') };
    expect((await host.diff(created.id, URN, updated.properties, withPw)).changes).toBe('DIFF_SOME');
    expect(await host.diff(created.id, URN, updated.properties, { ...ins, midHome: homes.make() })).toMatchObject({ replaces: ['midHome'] });
  });

  test('delete gives back what it found: the three lines removed (the file as before), the store it created removed; lines rewired by someone else are kept', async () => {
    const home = homes.make();
    const ins = inputs(home, { storePassword: secret(PASSWORD) });
    const created = await host.create(URN, ins);
    await host.delete(created.id, URN, created.properties);
    expect(wrapperOf(home)).toBe(WRAPPER_OVERRIDE);
    expect(fs.existsSync(String(ins.truststorePath))).toBe(false);
    await host.delete(created.id, URN, created.properties);

    const again = await host.create(URN, ins);
    const file = path.join(home, 'agent', 'conf', 'wrapper-override.conf');
    const rewired = wrapperOf(home).replace(String(ins.truststorePath), '/theirs.p12');
    fs.writeFileSync(file, rewired);
    await host.delete(again.id, URN, again.properties);
    expect(wrapperOf(home)).toBe(rewired);
  });

  test('restartCommand runs only when something changed', async () => {
    const home = homes.make();
    const marker = path.join(tmp, 'ext-restarted');
    const ins = inputs(home, { restartCommand: `touch '${marker}'` });
    const created = await host.create(URN, ins);
    expect(created.properties.restarted).toBe(true);
    expect(fs.existsSync(marker)).toBe(true);
    fs.rmSync(marker);
    const same = await host.update(created.id, URN, created.properties, ins);
    expect(same.properties.restarted).toBe(false);
    expect(fs.existsSync(marker)).toBe(false);
    await host.delete(created.id, URN, same.properties);
    expect(fs.existsSync(marker)).toBe(true);
    expect(unwrapSecrets<Props>(same.properties).restartCommand).toBe(`touch '${marker}'`);
  });
});
