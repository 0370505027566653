/**
 * The one resolver for "the store this MID's JVM uses" (provider/mid/effectiveStore.ts), on MID
 * homes made in a temp dir: what wrapper-override.conf wires, in which line, with which password,
 * and what every door gets from it (a desired state's store, the plan's header and --json).
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { MidtrustError } from '../../provider/errors';
import { LocalHost } from '../../provider/host/localHost';
import { effectiveStoreJson, effectiveStorePassword, resolveDesiredStore, resolveMidStore } from '../../provider/mid/effectiveStore';
import { loadDesiredState } from '../../provider/plan/desiredStateFile';
import { computePlan } from '../../provider/plan/computePlan';
import { formatPlan, planToJson } from '../../provider/plan/formatPlan';
import { errorOf } from '../helpers/errorOf';
import { tempDir } from '../helpers/keytool';

const host = new LocalHost();

/** The MidtrustError a promise rejects with. */
async function rejection(run: () => Promise<unknown>): Promise<MidtrustError> {
  const e = await run().then(
    () => undefined,
    (err: unknown) => err,
  );
  expect(e).toBeInstanceOf(MidtrustError);
  return e as MidtrustError;
}
let dir: string;
let n = 0;

beforeAll(() => {
  dir = tempDir('mt-effective-');
});

/** A MID home whose wrapper-override.conf holds `wrapper` (none when undefined), with empty stand-in stores. */
function midHome(wrapper: string | undefined, extra: { jssecacerts?: boolean } = {}): string {
  const home = path.join(dir, `mid-${++n}`);
  const security = path.join(home, 'agent', 'jre', 'lib', 'security');
  fs.mkdirSync(security, { recursive: true });
  fs.mkdirSync(path.join(home, 'agent', 'conf'), { recursive: true });
  fs.writeFileSync(path.join(home, 'agent', 'config.xml'), '<parameters/>\n');
  fs.writeFileSync(path.join(security, 'cacerts'), '');
  if (extra.jssecacerts) fs.writeFileSync(path.join(security, 'jssecacerts'), '');
  if (wrapper !== undefined) fs.writeFileSync(path.join(home, 'agent', 'conf', 'wrapper-override.conf'), wrapper);
  return home;
}

const EXTERNAL = '/etc/servicenow/mid-truststore.p12';
const WIRED = `# site settings\nwrapper.java.maxmemory=1024\nwrapper.java.additional.1=-Dfoo=bar\nwrapper.java.additional.4=-Djavax.net.ssl.trustStore=${EXTERNAL}\nwrapper.java.additional.5=-Djavax.net.ssl.trustStoreType=PKCS12\nwrapper.java.additional.6=-Djavax.net.ssl.trustStorePassword=Wired-pw-1\n`;

describe('resolveMidStore', () => {
  const table: Array<{ name: string; wrapper?: string; jsse?: boolean; choice?: 'effective' | 'bundled'; want: { kind: string; path: (home: string) => string; why: RegExp; line?: number } }> = [
    { name: 'no wrapper-override.conf', want: { kind: 'bundled', path: (h) => path.join(h, 'agent/jre/lib/security/cacerts'), why: /^bundled cacerts \(no trustStore wired in agent\/conf\/wrapper-override\.conf\)$/ } },
    { name: 'a wrapper-override.conf without the wiring', wrapper: 'wrapper.java.additional.1=-Dfoo=bar\n', want: { kind: 'bundled', path: (h) => path.join(h, 'agent/jre/lib/security/cacerts'), why: /^bundled cacerts/ } },
    { name: 'a commented-out wiring', wrapper: `# wrapper.java.additional.4=-Djavax.net.ssl.trustStore=${EXTERNAL}\n`, want: { kind: 'bundled', path: (h) => path.join(h, 'agent/jre/lib/security/cacerts'), why: /^bundled cacerts/ } },
    { name: 'wired: the external truststore, with its line', wrapper: WIRED, want: { kind: 'external', path: () => EXTERNAL, why: /^external truststore wired in .*wrapper-override\.conf line 4$/, line: 4 } },
    { name: 'wired twice: the last line wins, as in Java', wrapper: `${WIRED}wrapper.java.additional.9=-Djavax.net.ssl.trustStore=/etc/other.jks\n`, want: { kind: 'external', path: () => '/etc/other.jks', why: /line 7$/, line: 7 } },
    { name: 'a jssecacerts beside cacerts: Java reads it first', jsse: true, want: { kind: 'jssecacerts', path: (h) => path.join(h, 'agent/jre/lib/security/jssecacerts'), why: /^bundled jssecacerts/ } },
    { name: 'store: bundled on a wired MID: the bundled cacerts, and what the JVM reads instead', wrapper: WIRED, choice: 'bundled', want: { kind: 'bundled', path: (h) => path.join(h, 'agent/jre/lib/security/cacerts'), why: /^bundled cacerts, chosen; the JVM reads the external truststore \/etc\/servicenow\/mid-truststore\.p12 wired in .* line 4 instead$/, line: 4 } },
  ];
  test.each(table)('$name', async ({ wrapper, jsse, choice, want }) => {
    const home = midHome(wrapper, { jssecacerts: jsse });
    const s = await resolveMidStore(host, home, { choice });
    expect(s.kind).toBe(want.kind);
    expect(s.path).toBe(want.path(home));
    expect(s.why).toMatch(want.why);
    expect(s.external?.line).toBe(want.line);
    // The wired password is never part of what is printed or serialized.
    expect(JSON.stringify(effectiveStoreJson(s))).not.toContain('Wired-pw-1');
    expect(s.why).not.toContain('Wired-pw-1');
  });

  test('the whole MID home given as …/agent resolves the same', async () => {
    const home = midHome(WIRED);
    expect((await resolveMidStore(host, path.join(home, 'agent'))).path).toBe(EXTERNAL);
  });

  test.each([
    { name: 'a relative path', value: 'conf/truststore.p12', reason: /is not an absolute path \(or NONE\)/ },
    { name: 'NONE', value: 'NONE', reason: /is not an absolute path/ },
    { name: 'an environment variable', value: '%MID_TRUSTSTORE%', reason: /depends on an environment variable of the MID's service/ },
  ])('a wiring it cannot follow ($name): a clear error naming the line, never a guess', async ({ value, reason }) => {
    const home = midHome(`wrapper.java.additional.2=-Djavax.net.ssl.trustStore=${value}\n`);
    const e = await rejection(() => resolveMidStore(host, home));
    expect(e.code).toBe('INVALID_INPUT');
    expect(e.message).toMatch(/wrapper-override\.conf line 1: /);
    expect(e.message).toMatch(reason);
  });

  test('store: bundled (migrate, restore, upgrade-preview) is known even when the wiring cannot be followed, and says so', async () => {
    const home = midHome('wrapper.java.additional.2=-Djavax.net.ssl.trustStore=conf/ts.p12\n');
    const s = await resolveMidStore(host, home, { choice: 'bundled' });
    expect(s.path).toBe(path.join(home, 'agent/jre/lib/security/cacerts'));
    expect(s.why).toMatch(/^bundled cacerts, chosen; the JVM reads another store \(.*line 1: .* is not an absolute path/);
  });

  test('not a MID home: NOT_FOUND naming what is missing', async () => {
    const e = await rejection(() => resolveMidStore(host, path.join(dir, 'nowhere')));
    expect(e.code).toBe('NOT_FOUND');
    expect(e.message).toMatch(/does not look like a MID Server home: missing .*config\.xml/);
  });
});

describe('effectiveStorePassword: the JVM opens a wired store with the wired password', () => {
  test('wired: the wired password; a different given one is not used, and the note names neither', async () => {
    const s = await resolveMidStore(host, midHome(WIRED));
    expect(effectiveStorePassword(s, undefined)).toEqual({ password: 'Wired-pw-1' });
    expect(effectiveStorePassword(s, 'Wired-pw-1')).toEqual({ password: 'Wired-pw-1' });
    const other = effectiveStorePassword(s, 'changeit');
    expect(other.password).toBe('Wired-pw-1');
    expect(other.note).toMatch(/the given store password is not used for \/etc\/servicenow\/mid-truststore\.p12: the JVM opens it with the password wired in .* line 6/);
    expect(other.note).not.toMatch(/changeit|Wired-pw-1/);
  });
  test('no wired password (a password-less PKCS12), the bundled store, or a %VAR% password: the given one', async () => {
    const noPassword = await resolveMidStore(host, midHome(`wrapper.java.additional.4=-Djavax.net.ssl.trustStore=${EXTERNAL}\n`));
    expect(effectiveStorePassword(noPassword, 'given')).toEqual({ password: 'given' });
    const bundled = await resolveMidStore(host, midHome(WIRED), { choice: 'bundled' });
    expect(effectiveStorePassword(bundled, 'changeit')).toEqual({ password: 'changeit' });
    const variable = await resolveMidStore(host, midHome(`${WIRED}wrapper.java.additional.7=-Djavax.net.ssl.trustStorePassword=%TS_PW%\n`));
    expect(effectiveStorePassword(variable, 'given')).toEqual({ password: 'given' });
  });
});

describe('resolveDesiredStore: keystore.midHome names the store the JVM reads; the plan says which and why', () => {
  const io = { readFile: (f: string) => fs.readFileSync(f), env: { MID_STOREPASS: 'changeit' } };
  const desired = (home: string, store?: string): ReturnType<typeof loadDesiredState> =>
    loadDesiredState(`keystore:\n  midHome: ${home}\n${store ? `  store: ${store}\n` : ''}  password: { env: MID_STOREPASS }\ncertificates:\n  - alias: old\n    state: absent\n`, path.join(dir, 'desired.yaml'), io);

  test('wired: path, password and source come from the wiring; plan header and --json name the store and why', async () => {
    const home = midHome(WIRED);
    const before = desired(home);
    expect(before.keystore.path).toBe(path.join(home, 'agent/jre/lib/security/cacerts'));
    const d = await resolveDesiredStore(host, before);
    expect(d.keystore.path).toBe(EXTERNAL);
    expect(d.keystore.password?.reveal()).toBe('Wired-pw-1');
    expect(d.keystore.source).toMatchObject({ kind: 'external', path: EXTERNAL, why: expect.stringMatching(/line 4$/) });
    expect(JSON.stringify(d)).not.toMatch(/Wired-pw-1|changeit/);
    // Resolving twice changes nothing (every door may call it).
    expect(await resolveDesiredStore(host, d)).toBe(d);

    const plan = computePlan({ type: 'PKCS12', integrity: 'verified', entries: [] }, d);
    expect(formatPlan(plan).split('\n').slice(0, 2)).toEqual([`Keystore ${EXTERNAL} (PKCS12)`, expect.stringMatching(/^ {2}external truststore wired in .*wrapper-override\.conf line 4$/)]);
    expect(plan.notes).toEqual([expect.stringMatching(/the given store password is not used/)]);
    expect(planToJson(plan)).toMatchObject({ keystorePath: EXTERNAL, store: { kind: 'external', path: EXTERNAL, why: expect.stringMatching(/line 4$/) } });
  });

  test('store: bundled keeps the bundled cacerts and the given password, and says what it bypasses', async () => {
    const home = midHome(WIRED);
    const d = await resolveDesiredStore(host, desired(home, 'bundled'));
    expect(d.keystore.path).toBe(path.join(home, 'agent/jre/lib/security/cacerts'));
    expect(d.keystore.password?.reveal()).toBe('changeit');
    expect(d.keystore.source).toMatchObject({ kind: 'bundled', bypassed: EXTERNAL });
  });

  test('store without midHome is refused by the schema, naming what to do', () => {
    const e = errorOf(() => loadDesiredState('keystore:\n  path: ./cacerts\n  store: bundled\ncertificates: []\n', path.join(dir, 'd.yaml'), io));
    expect(e.code).toBe('INVALID_INPUT');
    expect(e.message).toMatch(/store chooses among the stores of a MID home: give midHome with it/);
  });
});
