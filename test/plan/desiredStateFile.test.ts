import * as fs from 'node:fs';
import * as path from 'node:path';
import { inspect } from 'node:util';
import { MidtrustError } from '../../provider/errors';
import { loadDesiredState, midCacertsPath } from '../../provider/plan/desiredStateFile';
import { makeCertificates } from './planFixtures';

const certs = makeCertificates(['a', 'b', 'c']);
const io = { readFile: (f: string) => fs.readFileSync(f), env: { MID_PW: 's3cr3t-Pa55' } as Record<string, string | undefined> };
const load = (yaml: string) => loadDesiredState(yaml, path.join(certs.dir, 'desired.yaml'), io);
const errorOf = (yaml: string): MidtrustError => {
  try {
    load(yaml);
  } catch (e) {
    return e as MidtrustError;
  }
  throw new Error('expected an error');
};

describe('loadDesiredState', () => {
  it('resolves paths relative to the file, reads env passwords and parses certificates', () => {
    const d = load(`keystore:\n  path: ./cacerts\n  password: { env: MID_PW }\ncertificates:\n  - alias: a\n    file: a.pem\n  - alias: gone\n    state: absent\n`);
    expect(d.keystore.path).toBe(path.join(certs.dir, 'cacerts'));
    expect(d.keystore.password?.reveal()).toBe('s3cr3t-Pa55');
    expect(d.certificates.map((c) => [c.alias, c.state])).toEqual([
      ['a', 'present'],
      ['gone', 'absent'],
    ]);
  });

  it('never shows the password in JSON or inspect output', () => {
    const d = load(`keystore:\n  path: ./cacerts\n  password: { value: s3cr3t-Pa55 }\ncertificates: []\n`);
    expect(JSON.stringify(d)).not.toContain('s3cr3t');
    expect(inspect(d, { depth: 10 })).not.toContain('s3cr3t');
  });

  it('declares every certificate of a chain file as <alias>, <alias>-2, ...', () => {
    fs.writeFileSync(path.join(certs.dir, 'chain.pem'), `Bundle for ACME\r\n${certs.pem('a')}\r\nsome text\n${certs.pem('b')}`);
    const d = load(`keystore: { path: ./cacerts }\ncertificates:\n  - alias: acme\n    file: chain.pem\n`);
    expect(d.certificates.map((c) => c.alias)).toEqual(['acme', 'acme-2']);
  });

  it('maps midHome to the JRE cacerts on POSIX and Windows layouts', () => {
    expect(midCacertsPath('/opt/servicenow/mid')).toBe('/opt/servicenow/mid/agent/jre/lib/security/cacerts');
    expect(midCacertsPath('C:\\ServiceNow\\mid1')).toBe('C:\\ServiceNow\\mid1\\agent\\jre\\lib\\security\\cacerts');
    const d = load(`keystore: { midHome: /opt/snc_mid_server }\ncertificates: []\n`);
    expect(d.keystore.path).toBe('/opt/snc_mid_server/agent/jre/lib/security/cacerts');
  });

  const bad: Array<{ name: string; yaml: string; want: RegExp }> = [
    { name: 'broken YAML', yaml: 'keystore: [\n', want: /not valid YAML/ },
    { name: 'unknown property with its line', yaml: 'keystore:\n  path: x\n  passwd: y\ncertificates: []\n', want: /desired\.yaml:3: keystore\.passwd: unknown property 'passwd'/ },
    { name: 'both path and midHome', yaml: 'keystore:\n  path: x\n  midHome: y\ncertificates: []\n', want: /keystore: give exactly one of 'path' or 'midHome'/ },
    { name: 'neither path nor midHome', yaml: 'keystore: {}\ncertificates: []\n', want: /give exactly one of 'path' or 'midHome'/ },
    { name: 'missing alias', yaml: 'keystore: { path: x }\ncertificates:\n  - file: a.pem\n', want: /desired\.yaml:3: certificates\[0\]: missing required property 'alias'/ },
    { name: 'file and pem together', yaml: 'keystore: { path: x }\ncertificates:\n  - alias: a\n    file: a.pem\n    pem: zzz\n', want: /certificates\[0\]: give exactly one of 'file' or 'pem'/ },
    { name: 'absent with a file', yaml: 'keystore: { path: x }\ncertificates:\n  - alias: a\n    state: absent\n    file: a.pem\n', want: /state 'absent' takes no 'file' or 'pem'/ },
    { name: 'bad state', yaml: 'keystore: { path: x }\ncertificates:\n  - alias: a\n    state: gone\n', want: /certificates\[0\]\.state: must be one of "present", "absent"/ },
    { name: 'env password missing', yaml: 'keystore:\n  path: x\n  password: { env: NOPE_VAR }\ncertificates: []\n', want: /desired\.yaml:3: keystore\.password: the environment variable NOPE_VAR is not set/ },
    { name: 'missing certificate file', yaml: 'keystore: { path: x }\ncertificates:\n  - alias: zz\n    file: nope.pem\n', want: /certificates\[0\]\.file: alias zz: cannot read nope\.pem/ },
    { name: 'control character in alias', yaml: 'keystore: { path: x }\ncertificates:\n  - alias: "a\\tb"\n    state: absent\n', want: /control characters/ },
  ];
  it.each(bad)('rejects $name with a clear message', ({ yaml, want }) => {
    const e = errorOf(yaml);
    expect(e).toBeInstanceOf(MidtrustError);
    expect(e.code).toBe('INVALID_INPUT');
    expect(e.message).toMatch(want);
  });

  it('rejects a private key given as a certificate, naming the alias and file', () => {
    const e = errorOf(`keystore: { path: x }\ncertificates:\n  - alias: oops\n    file: a.key\n`);
    expect(e.message).toMatch(/oops/);
    expect(e.message).toMatch(/a\.key/);
    expect(e.message).toMatch(/private key/);
  });

  it('reports several problems at once', () => {
    const e = errorOf('keystore:\n  path: x\n  bogus: 1\ncertificates:\n  - alias: a\n    state: nope\n');
    expect(e.message.split('\n').length).toBeGreaterThanOrEqual(3);
  });
});
