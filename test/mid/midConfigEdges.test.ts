/**
 * Issue #13 item 8, the MID configuration files: duplicate config.xml parameters, an encrypted
 * strategy, absurd wrapper.java.additional.<N> numbers, `%`/`#` in values written to
 * wrapper-override.conf, and the alias prefix of migrated certificates.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { duplicateMidParameters, getMidParameter, removeMidParameter, setMidParameter } from '../../provider/mid/configXml';
import { readExternalTruststore, readSystemProperties, setSystemProperties } from '../../provider/mid/wrapperOverride';
import { errorOf } from '../helpers/errorOf';
import { openssl, runKeytool, tempDir } from '../helpers/keytool';
import { midtrust } from '../helpers/midtrustCli';

const STRATEGY = 'mid.truststore.migration.strategy';
const DUPLICATED = `<?xml version="1.0" encoding="UTF-8"?>
<parameters>
  <parameter name="mid.truststore.migration.strategy" value="migrate_non_ca"/>
  <parameter name="url" value="https://acme.service-now.com/"/>
  <parameter name="mid.truststore.migration.strategy" value="do_not_migrate"/>
</parameters>
`;

describe('duplicate config.xml parameters: the MID uses the last; midtrust reports them and edits all', () => {
  it('reads the value the MID uses (the last) and lists the duplicates with their lines', () => {
    expect(getMidParameter(DUPLICATED, STRATEGY)?.value).toBe('do_not_migrate');
    expect(duplicateMidParameters(DUPLICATED)).toEqual([{ name: STRATEGY, occurrences: [{ line: 3, value: 'migrate_non_ca' }, { line: 5, value: 'do_not_migrate' }] }]);
    expect(duplicateMidParameters(DUPLICATED.replace(/\n.*do_not_migrate.*\n/, '\n'))).toEqual([]);
  });

  it('setting a duplicated parameter sets every occurrence; removing it removes them all', () => {
    const set = setMidParameter(DUPLICATED, STRATEGY, 'migrate_delta');
    expect(set).toBe(DUPLICATED.replace('migrate_non_ca', 'migrate_delta').replace('do_not_migrate', 'migrate_delta'));
    expect(setMidParameter(set, STRATEGY, 'migrate_delta')).toBe(set);
    expect(removeMidParameter(DUPLICATED, STRATEGY)).toBe('<?xml version="1.0" encoding="UTF-8"?>\n<parameters>\n  <parameter name="url" value="https://acme.service-now.com/"/>\n</parameters>\n');
  });

  it('refuses to edit a duplicated parameter when any occurrence is encrypted', () => {
    const mixed = DUPLICATED.replace('value="migrate_non_ca"', 'secure="true" value="encrypted:AbC="');
    expect(errorOf(() => setMidParameter(mixed, STRATEGY, 'migrate_delta')).message).toMatch(/encrypted/);
  });
});

describe('on a MID home (CLI)', () => {
  let dir: string;
  let home: string;
  beforeAll(() => {
    dir = tempDir('mt-midcfg-');
    openssl(['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-keyout', 'ca.key', '-out', 'ca.pem', '-days', '30', '-subj', '/CN=private-ca', '-addext', 'basicConstraints=critical,CA:TRUE'], { cwd: dir });
    home = path.join(dir, 'mid');
    const cacerts = path.join(home, 'agent', 'jre', 'lib', 'security', 'cacerts');
    fs.mkdirSync(path.dirname(cacerts), { recursive: true });
    runKeytool(['-importcert', '-noprompt', '-alias', 'private-ca', '-file', path.join(dir, 'ca.pem'), '-keystore', cacerts, '-storetype', 'JKS', '-storepass:env', 'SP'], { env: { SP: 'changeit' } });
    fs.copyFileSync(cacerts, path.join(dir, 'incoming.jks'));
  });
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));
  const config = (text: string) => fs.writeFileSync(path.join(home, 'agent', 'config.xml'), text);
  const env = { SP: 'changeit' };

  it('upgrade-preview uses the last of duplicated strategies and says so; audit reports the duplicate', async () => {
    config(DUPLICATED);
    const r = await midtrust(['upgrade-preview', '--mid-home', home, '--incoming', path.join(dir, 'incoming.jks'), '--storepass-env', 'SP', '--json'], { env });
    expect(r.code).toBe(0);
    const json = JSON.parse(r.stdout);
    expect(json.rule).toBe('none');
    expect(json.why).toMatch(/config\.xml sets mid\.truststore\.migration\.strategy 2 times \(line 3: migrate_non_ca, line 5: do_not_migrate\); the MID uses the last one/);
    const audit = await midtrust(['audit', '--mid-home', home, '--storepass-env', 'SP', '--json'], { env });
    const v = JSON.parse(audit.stdout).violations.find((x: { rule: string }) => x.rule === 'duplicate-mid-parameter');
    expect(v).toMatchObject({ severity: 'warning', message: expect.stringMatching(/mid\.truststore\.migration\.strategy is set 2 times/) });
  });

  it('an encrypted (secure="true") strategy is reported as encrypted, and an explicit --strategy still works', async () => {
    config('<parameters>\n  <parameter name="mid.truststore.migration.strategy" secure="true" value="encrypted:QUJD"/>\n</parameters>\n');
    const r = await midtrust(['upgrade-preview', '--mid-home', home, '--incoming', path.join(dir, 'incoming.jks'), '--storepass-env', 'SP'], { env });
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/mid\.truststore\.migration\.strategy is encrypted \(secure="true"\).*give --strategy/);
    expect(r.stderr).not.toMatch(/not a migration strategy/);
    const explicit = await midtrust(['upgrade-preview', '--mid-home', home, '--incoming', path.join(dir, 'incoming.jks'), '--strategy', 'migrate_non_ca', '--storepass-env', 'SP'], { env });
    expect(explicit.code).toBe(0);
  });

  it('--prefix must be a short printable alias prefix', async () => {
    config('<parameters/>\n');
    const run = (prefix: string) => midtrust(['upgrade-preview', '--mid-home', home, '--incoming', path.join(dir, 'incoming.jks'), '--prefix', prefix, '--storepass-env', 'SP'], { env });
    const ansi = await run('\u001b[31msnc_');
    expect(ansi.code).toBe(1);
    expect(ansi.stderr).toMatch(/alias prefix "\\u001b\[31msnc_": .*control or formatting character/);
    const long = await run('x'.repeat(200));
    expect(long.code).toBe(1);
    expect(long.stderr).toMatch(/alias prefix .*: at most 32 characters/);
    expect((await run('')).stderr).toMatch(/alias prefix "": .*empty/);
    expect((await run('sac-')).code).toBe(0);
  });
});

describe('wrapper-override.conf values are written the way the Java Service Wrapper reads them', () => {
  it('never writes a number in exponent form: N past the wrapper’s 15 digits is ignored by it, and by midtrust', () => {
    const text = 'wrapper.java.additional.2=-Xmx1g\nwrapper.java.additional.100000000000000000000000=-Dfoo=bar\n';
    const out = setSystemProperties(text, { 'javax.net.ssl.trustStore': '/etc/mid/ts.p12' });
    expect(out).not.toMatch(/e\+/);
    expect(out).toBe(`${text}wrapper.java.additional.3=-Djavax.net.ssl.trustStore=/etc/mid/ts.p12\n`);
    expect(readSystemProperties(text).has('foo')).toBe(false);
    const big = 'wrapper.java.additional.999999999999998=-Xmx1g\n';
    expect(setSystemProperties(big, { a: 'b' })).toBe(`${big}wrapper.java.additional.999999999999999=-Da=b\n`);
    expect(errorOf(() => setSystemProperties('wrapper.java.additional.999999999999999=-Xmx1g\n', { a: 'b' })).message).toMatch(/number is 999999999999999; .*at most 15 digits.*renumber/);
  });

  it('escapes % as %WRAPPER_PERCENTAGE% and # as ##, and reads them back as written', () => {
    const password = 'p%JAVA_HOME%x#1%%';
    const out = setSystemProperties('', { 'javax.net.ssl.trustStorePassword': password });
    expect(out).toBe('wrapper.java.additional.1=-Djavax.net.ssl.trustStorePassword=p%WRAPPER_PERCENTAGE%JAVA_HOME%WRAPPER_PERCENTAGE%x##1%WRAPPER_PERCENTAGE%%WRAPPER_PERCENTAGE%\n');
    expect(readExternalTruststore(out).password).toBe(password);
    expect(setSystemProperties(out, { 'javax.net.ssl.trustStorePassword': password })).toBe(out);
    // A hand-written line: an unescaped # starts a comment for the wrapper.
    expect(readExternalTruststore('wrapper.java.additional.1=-Djavax.net.ssl.trustStorePassword=abc#def\n').password).toBe('abc');
  });

  it('refuses what the wrapper cannot carry: line breaks (they would add properties), control characters, quotes, edge spaces', () => {
    for (const bad of ['a\nwrapper.java.command=/tmp/evil', 'a\u0007b', 'a"b', ' lead', 'trail ']) {
      expect(errorOf(() => setSystemProperties('', { 'javax.net.ssl.trustStorePassword': bad })).message).toMatch(/javax\.net\.ssl\.trustStorePassword: .*cannot be written to wrapper-override\.conf/);
    }
  });
});
