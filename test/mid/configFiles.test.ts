import { assertWellFormed, getMidParameter, readMidParameters, removeMidParameter, setMidParameter } from '../../provider/mid/configXml';
import { readExternalTruststore, setSystemProperties } from '../../provider/mid/wrapperOverride';
import { isInsideMidHome, midLayout } from '../../provider/mid/midLayout';
import { parseMigrationStrategy } from '../../provider/mid/migrationStrategy';

const CONFIG = `<?xml version="1.0" encoding="UTF-8"?>
<parameters>
    <!-- Instance -->
    <parameter name="url" value="https://acme.service-now.com/"/>
    <parameter name="mid.instance.password" secure="true" value="encrypted:AbC+/=="/>
    <!-- <parameter name="mid.truststore.migration.strategy" value="do_not_migrate"/> -->
    <parameter name="name" value="mid &amp; co"/>

</parameters>
`;

describe('config.xml', () => {
  it('reads parameters, ignoring commented-out ones and decoding entities', () => {
    expect(readMidParameters(CONFIG).map((p) => [p.name, p.value, p.secure])).toEqual([
      ['url', 'https://acme.service-now.com/', false],
      ['mid.instance.password', 'encrypted:AbC+/==', true],
      ['name', 'mid & co', false],
    ]);
  });

  it('adds a parameter with the neighbours’ indentation and changes nothing else', () => {
    const out = setMidParameter(CONFIG, 'mid.truststore.migration.strategy', 'migrate_non_ca');
    expect(out.replace('    <parameter name="mid.truststore.migration.strategy" value="migrate_non_ca"/>\n', '')).toBe(CONFIG);
    assertWellFormed(out, 'config.xml');
    expect(getMidParameter(out, 'mid.truststore.migration.strategy')?.value).toBe('migrate_non_ca');
  });

  it('changes only the value attribute of an existing parameter; setting the same value is a no-op', () => {
    const out = setMidParameter(CONFIG, 'url', 'https://other.service-now.com/');
    expect(out).toBe(CONFIG.replace('https://acme.service-now.com/', 'https://other.service-now.com/'));
    expect(setMidParameter(CONFIG, 'url', 'https://acme.service-now.com/')).toBe(CONFIG);
  });

  it('removes a parameter line and round-trips', () => {
    const added = setMidParameter(CONFIG, 'x.y', 'z');
    expect(removeMidParameter(added, 'x.y')).toBe(CONFIG);
    expect(removeMidParameter(CONFIG, 'absent')).toBe(CONFIG);
  });

  it('never rewrites an encrypted value', () => {
    expect(() => setMidParameter(CONFIG, 'mid.instance.password', 'plain')).toThrow(/encrypted.*never rewrites/);
    expect(() => removeMidParameter(CONFIG, 'mid.instance.password')).toThrow(/encrypted/);
  });

  it('keeps CRLF line endings', () => {
    const crlf = CONFIG.replace(/\n/g, '\r\n');
    const out = setMidParameter(crlf, 'a', 'b');
    expect(out.split('\r\n').length).toBe(crlf.split('\r\n').length + 1);
    expect(out.replace(/\r\n/g, '')).not.toContain('\n');
  });

  it('reports invalid XML with its line', () => {
    expect(() => assertWellFormed('<parameters>\n<parameter name="a">\n</parameters>', '/opt/mid/agent/config.xml')).toThrow(/config\.xml:\d+: not valid XML/);
  });
});

describe('wrapper-override.conf', () => {
  const CONF = '# MID wrapper overrides\nwrapper.java.additional.1=-Xmx1024m\nwrapper.java.additional.3=-Djavax.net.ssl.trustStore=/old/store\n# wrapper.java.additional.9=-Dfoo=bar\n';
  it('replaces existing lines in place and appends new ones with the next free N; idempotent', () => {
    const values = { 'javax.net.ssl.trustStore': '/etc/mid/truststore.p12', 'javax.net.ssl.trustStorePassword': 'pw', 'javax.net.ssl.trustStoreType': 'PKCS12' };
    const out = setSystemProperties(CONF, values);
    expect(out).toBe(
      '# MID wrapper overrides\nwrapper.java.additional.1=-Xmx1024m\nwrapper.java.additional.3=-Djavax.net.ssl.trustStore=/etc/mid/truststore.p12\n# wrapper.java.additional.9=-Dfoo=bar\nwrapper.java.additional.4=-Djavax.net.ssl.trustStorePassword=pw\nwrapper.java.additional.5=-Djavax.net.ssl.trustStoreType=PKCS12\n',
    );
    expect(setSystemProperties(out, values)).toBe(out);
    expect(readExternalTruststore(out)).toEqual({ path: '/etc/mid/truststore.p12', password: 'pw', type: 'PKCS12' });
  });
  it('removes properties set to undefined', () => {
    expect(setSystemProperties(CONF, { 'javax.net.ssl.trustStore': undefined })).toBe('# MID wrapper overrides\nwrapper.java.additional.1=-Xmx1024m\n# wrapper.java.additional.9=-Dfoo=bar\n');
  });
});

describe('MID layout and strategy', () => {
  it('maps POSIX and Windows homes', () => {
    expect(midLayout('/opt/servicenow/mid').cacerts).toBe('/opt/servicenow/mid/agent/jre/lib/security/cacerts');
    expect(midLayout('C:\\ServiceNow\\mid1\\agent').configXml).toBe('C:\\ServiceNow\\mid1\\agent\\config.xml');
    expect(isInsideMidHome(midLayout('/opt/mid'), '/opt/mid/agent/truststore')).toBe(true);
    expect(isInsideMidHome(midLayout('/opt/mid'), '/etc/mid/truststore')).toBe(false);
    expect(isInsideMidHome(midLayout('C:\\ServiceNow\\mid1'), 'c:\\servicenow\\MID1\\ts.p12')).toBe(true);
  });
  it('accepts only the three strategies, listing them', () => {
    expect(parseMigrationStrategy('migrate_non_ca')).toBe('migrate_non_ca');
    expect(() => parseMigrationStrategy('migrate_all')).toThrow(/migrate_delta, migrate_non_ca, do_not_migrate/);
  });
});
