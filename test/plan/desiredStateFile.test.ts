import * as fs from 'node:fs';
import * as path from 'node:path';
import { inspect } from 'node:util';
import fc from 'fast-check';
import { sha256Hex } from '../../provider/certificate/fingerprint';
import { MidtrustError } from '../../provider/errors';
import { desiredStateFromObject, loadDesiredState, midCacertsPath, type DesiredStateIo } from '../../provider/plan/desiredStateFile';
import { makeCertificates, PASSWORD, type CertificateSet } from './planFixtures';
import { errorOf } from '../helpers/errorOf';

let certs: CertificateSet;
let io: DesiredStateIo;
beforeAll(() => {
  certs = makeCertificates(['a', 'b']);
  fs.writeFileSync(path.join(certs.dir, 'pw.txt'), `\uFEFF${PASSWORD}\r\nsecond line\r\n`);
  fs.writeFileSync(path.join(certs.dir, 'empty-pw.txt'), '\n');
  fs.writeFileSync(path.join(certs.dir, 'a.der'), certs.der('a'));
  io = { readFile: (f: string) => fs.readFileSync(f), env: { MID_PW: PASSWORD, EMPTY_PW: '' } };
});
afterAll(() => certs.cleanup());

const fileName = () => path.join(certs.dir, 'desired.yaml');
const load = (yaml: string, ioOverride: Partial<DesiredStateIo> = {}) => loadDesiredState(yaml, fileName(), { ...io, ...ioOverride });

describe('loadDesiredState: resolution', () => {
  it('resolves paths relative to the file, reads env passwords and parses certificates', () => {
    const d = load(`keystore:\n  path: ./cacerts\n  password: { env: MID_PW }\nbackup: 3\ncertificates:\n  - alias: a\n    file: a.pem\n  - alias: gone\n    state: absent\n`);
    expect(d.keystore.path).toBe(path.join(certs.dir, 'cacerts'));
    expect(d.keystore.password?.reveal()).toBe(PASSWORD);
    expect(d.keystore.create).toBe(false);
    expect(d.exclusive).toBe(false);
    expect(d.backup).toBe(3);
    expect(d.certificates.map((c) => [c.alias, c.state, c.source])).toEqual([
      ['a', 'present', 'a.pem'],
      ['gone', 'absent', `${fileName()} certificates[1]`],
    ]);
    const a = d.certificates[0];
    expect(a.state === 'present' && a.sha256).toBe(sha256Hex(certs.der('a')));
  });

  const passwords: Array<{ name: string; yaml: string; want: string | undefined }> = [
    { name: 'env', yaml: '{ env: MID_PW }', want: PASSWORD },
    { name: 'file: first line, without BOM and CRLF', yaml: '{ file: pw.txt }', want: PASSWORD },
    { name: 'value', yaml: `{ value: "${PASSWORD}" }`, want: PASSWORD },
    { name: 'none (password-less store)', yaml: '', want: undefined },
  ];
  it.each(passwords)('reads the password from $name', ({ yaml, want }) => {
    const d = load(`keystore:\n  path: ./cacerts\n${yaml ? `  password: ${yaml}\n` : ''}certificates: []\n`);
    expect(d.keystore.password?.reveal()).toBe(want);
  });

  it('never shows the password in JSON or inspect output', () => {
    for (const src of ['{ value: "pw-LEAK-7781" }', '{ env: MID_PW }', '{ file: pw.txt }']) {
      const d = load(`keystore:\n  path: ./cacerts\n  password: ${src}\ncertificates:\n  - alias: a\n    file: a.pem\n`);
      expect(JSON.stringify(d)).not.toContain(PASSWORD);
      expect(inspect(d, { depth: 10 })).not.toContain(PASSWORD);
      expect(`${d.keystore.password}`).toBe('[secret]');
    }
  });

  it('declares every certificate of a chain file as <alias>, <alias>-2, ... in file order', () => {
    const d = load(`keystore: { path: ./cacerts }\ncertificates:\n  - alias: acme\n    file: chain.pem\n  - alias: solo\n    file: a.der\n`);
    expect(d.certificates.map((c) => [c.alias, c.source])).toEqual([
      ['acme', 'chain.pem (1 of 2)'],
      ['acme-2', 'chain.pem (2 of 2)'],
      ['solo', 'a.der'],
    ]);
    const shas = d.certificates.map((c) => (c.state === 'present' ? c.sha256 : ''));
    expect(shas).toEqual([sha256Hex(certs.der('int')), sha256Hex(certs.der('root')), sha256Hex(certs.der('a'))]);
  });

  it('accepts inline PEM and JSON files', () => {
    const json = JSON.stringify({ keystore: { path: 'store.p12', create: true, type: 'PKCS12' }, exclusive: true, certificates: [{ alias: 'b', pem: certs.pem('b') }] });
    const d = loadDesiredState(json, path.join(certs.dir, 'desired.json'), io);
    expect(d.keystore).toEqual({ path: path.join(certs.dir, 'store.p12'), create: true, type: 'PKCS12' });
    expect(d.exclusive).toBe(true);
    expect(d.certificates.map((c) => [c.alias, c.source])).toEqual([['b', 'inline pem']]);
  });

  it('maps midHome to the JRE cacerts on POSIX and Windows layouts', () => {
    expect(midCacertsPath('/opt/servicenow/mid')).toBe('/opt/servicenow/mid/agent/jre/lib/security/cacerts');
    expect(midCacertsPath('C:\\ServiceNow\\mid1')).toBe('C:\\ServiceNow\\mid1\\agent\\jre\\lib\\security\\cacerts');
    expect(midCacertsPath('C:/ServiceNow/mid1', 'win32')).toBe('C:\\ServiceNow\\mid1\\agent\\jre\\lib\\security\\cacerts');
    expect(load(`keystore: { midHome: /opt/snc_mid_server }\ncertificates: []\n`).keystore.path).toBe('/opt/snc_mid_server/agent/jre/lib/security/cacerts');
    expect(load(`keystore: { midHome: 'C:\\ServiceNow\\mid1' }\ncertificates: []\n`, { platform: 'win32' }).keystore.path).toBe(
      'C:\\ServiceNow\\mid1\\agent\\jre\\lib\\security\\cacerts',
    );
    expect(load(`keystore: { midHome: mid }\ncertificates: []\n`).keystore.path).toBe(path.join(certs.dir, 'mid/agent/jre/lib/security/cacerts'));
  });

  it('validates objects that did not come from a file (CLI options) with the same schema', () => {
    const d = desiredStateFromObject({ keystore: { path: 'ks' }, certificates: [{ alias: 'a', file: 'a.pem' }] }, certs.dir, io);
    expect(d.keystore.path).toBe(path.join(certs.dir, 'ks'));
    expect(errorOf(() => desiredStateFromObject({ keystore: { path: 'ks' }, certificates: [{ alias: '', state: 'absent' }] }, certs.dir, io)).message).toBe(
      // Named by the option it came from (import/delete): the user wrote no desired-state file.
      '--alias: the alias is empty; give the name the entry has (or will have) in the keystore',
    );
  });
});

describe('loadDesiredState: problems name the file, line and property', () => {
  // `want` is matched against the message; lines count from 1 as editors do.
  const bad: Array<{ name: string; yaml: string; want: RegExp }> = [
    { name: 'broken YAML', yaml: 'keystore:\n  path: x\ncertificates: [\n', want: /not valid YAML:\n {2}.*desired\.yaml:4:1: / },
    { name: 'a key indented one space too far', yaml: 'keystore:\n  path: x\ncertificates:\n  - alias: acme-root-ca\n     file: a.pem\n', want: /desired\.yaml:4:\d+: .*\n {2}\(usually indentation: .*check these lines and the one after each\)/ },
    { name: 'duplicate YAML keys', yaml: 'keystore:\n  path: x\n  path: y\ncertificates: []\n', want: /desired\.yaml:3:\d+: Map keys must be unique/ },
    {
      name: 'an unknown property, at its own line, with a suggestion',
      yaml: 'keystore:\n  path: x\n  passwd:\n    env: X\ncertificates: []\n',
      want: /desired\.yaml:3: keystore\.passwd: unknown property 'passwd' \(did you mean 'password'\? allowed: path, midHome, store, password, create, type, javaVersion\)/,
    },
    { name: 'an unknown top-level property', yaml: 'keystore: { path: x }\ncertificates: []\nexclusiv: true\n', want: /desired\.yaml:3: exclusiv: unknown property 'exclusiv' \(did you mean 'exclusive'\?/ },
    { name: 'both path and midHome', yaml: '# fleet\nkeystore:\n  path: x\n  midHome: y\ncertificates: []\n', want: /desired\.yaml:2: keystore: give exactly one of 'path' \(the keystore file\) or 'midHome'/ },
    { name: 'neither path nor midHome', yaml: 'keystore: {}\ncertificates: []\n', want: /desired\.yaml:1: keystore: give exactly one of 'path'/ },
    { name: 'no certificates list', yaml: 'keystore: { path: x }\n', want: /desired\.yaml:1: \(top level\): missing required property 'certificates'/ },
    { name: 'a missing alias', yaml: 'keystore: { path: x }\ncertificates:\n  - file: a.pem\n', want: /desired\.yaml:3: certificates\[0\]: missing required property 'alias'/ },
    { name: 'an empty alias', yaml: 'keystore: { path: x }\ncertificates:\n  - alias: ""\n    file: a.pem\n', want: /desired\.yaml:3: certificates\[0\]\.alias: the alias is empty/ },
    {
      name: 'file and pem together',
      yaml: 'keystore: { path: x }\ncertificates:\n  - alias: a\n    state: absent\n  - alias: b\n    file: a.pem\n    pem: zzz\n',
      want: /desired\.yaml:5: certificates\[1\]: give exactly one of 'file' or 'pem' \(or state: absent\)$/,
    },
    { name: 'neither file nor pem', yaml: 'keystore: { path: x }\ncertificates:\n  - alias: a\n', want: /certificates\[0\]: give exactly one of 'file' or 'pem'/ },
    { name: 'absent with a file', yaml: 'keystore: { path: x }\ncertificates:\n  - alias: a\n    state: absent\n    file: a.pem\n', want: /desired\.yaml:3: certificates\[0\]: a certificate with state 'absent' takes no 'file', 'pem' or 'sha256'$/ },
    { name: 'a bad state', yaml: 'keystore: { path: x }\ncertificates:\n  - alias: a\n    state: gone\n', want: /desired\.yaml:4: certificates\[0\]\.state: must be one of "present", "absent"/ },
    { name: 'a control character in an alias', yaml: 'keystore: { path: x }\ncertificates:\n  - alias: "a\\tb"\n    state: absent\n', want: /desired\.yaml:3: certificates\[0\]\.alias: an alias must not contain control characters/ },
    { name: 'a number as alias', yaml: 'keystore: { path: x }\ncertificates:\n  - alias: 2024\n    state: absent\n', want: /certificates\[0\]\.alias: must be a string \(quote it in YAML\)/ },
    { name: 'two password sources', yaml: 'keystore:\n  path: x\n  password: { env: A, file: b }\ncertificates: []\n', want: /desired\.yaml:3: keystore\.password: give exactly one of 'env', 'file' or 'value'/ },
    { name: 'a bad variable name', yaml: 'keystore:\n  path: x\n  password: { env: "1-x" }\ncertificates: []\n', want: /keystore\.password\.env: not a valid environment variable name/ },
    { name: 'a negative backup count', yaml: 'keystore: { path: x }\nbackup: -1\ncertificates: []\n', want: /desired\.yaml:2: backup: must be >= 0/ },
    { name: 'an unknown store type', yaml: 'keystore: { path: x, create: true, type: BKS }\ncertificates: []\n', want: /keystore\.type: must be one of "JKS", "PKCS12"/ },
    { name: 'a JKS to create without a password', yaml: 'keystore:\n  path: x\n  create: true\n  type: JKS\ncertificates: []\n', want: /desired\.yaml:4: keystore\.type: a JKS store needs a password/ },
    { name: 'an unset password variable', yaml: 'keystore:\n  path: x\n  password: { env: NOPE_VAR }\ncertificates: []\n', want: /desired\.yaml:3: keystore\.password: the environment variable NOPE_VAR is not set/ },
    { name: 'an empty password variable', yaml: 'keystore:\n  path: x\n  password: { env: EMPTY_PW }\ncertificates: []\n', want: /keystore\.password: the environment variable EMPTY_PW is empty/ },
    { name: 'a missing password file', yaml: 'keystore:\n  path: x\n  password: { file: nope.txt }\ncertificates: []\n', want: /desired\.yaml:3: keystore\.password: cannot read the password file nope\.txt \(ENOENT/ },
    { name: 'an empty password file', yaml: 'keystore:\n  path: x\n  password: { file: empty-pw.txt }\ncertificates: []\n', want: /the password file empty-pw\.txt: its first line is empty/ },
    { name: 'a missing certificate file', yaml: 'keystore: { path: x }\ncertificates:\n  - alias: zz\n    file: nope.pem\n', want: /desired\.yaml:4: certificates\[0\]\.file: alias zz: cannot read nope\.pem \(ENOENT/ },
    { name: 'a private key given as certificate', yaml: 'keystore: { path: x }\ncertificates:\n  - alias: oops\n    file: a.key\n', want: /desired\.yaml:4: certificates\[0\]\.file: alias oops \(a\.key\): .*private key/ },
    { name: 'garbage inline PEM', yaml: 'keystore: { path: x }\ncertificates:\n  - alias: inl\n    pem: hello\n', want: /desired\.yaml:4: certificates\[0\]\.pem: alias inl \(inline pem\): not a certificate/ },
    { name: 'an empty file', yaml: '# nothing yet\n', want: /desired\.yaml: the desired-state file is empty/ },
    { name: 'a list instead of a mapping', yaml: '- a\n- b\n', want: /desired\.yaml:1: \(top level\): must be an object/ },
    {
      name: 'a YAML alias bomb',
      yaml: 'a: &a [1,1,1,1,1,1,1,1,1]\nb: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a]\nc: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b]\nd: [*c,*c,*c,*c,*c,*c,*c,*c,*c]\n',
      want: /desired\.yaml: cannot read the desired-state file: Excessive alias count/,
    },
  ];
  it.each(bad)('rejects $name', ({ yaml, want }) => {
    const e = errorOf(() => load(yaml));
    expect(e.code).toBe('INVALID_INPUT');
    expect(e.message).toMatch(want);
  });

  it('reports every problem at once, one per line', () => {
    const e = errorOf(() => load('keystore:\n  path: x\n  bogus: 1\n  password: { env: NOPE_VAR }\ncertificates:\n  - alias: a\n    state: nope\n'));
    expect(e.message.split('\n').slice(1)).toEqual([
      `  ${fileName()}:3: keystore.bogus: unknown property 'bogus' (allowed: path, midHome, store, password, create, type, javaVersion)`,
      `  ${fileName()}:7: certificates[0].state: must be one of "present", "absent"`,
    ]);
    // Resolution problems (files, variables) are collected together too, once the schema is satisfied.
    const e2 = errorOf(() => load('keystore:\n  path: x\n  password: { env: NOPE_VAR }\ncertificates:\n  - alias: a\n    file: nope.pem\n  - alias: b\n    file: b.key\n'));
    expect(e2.message.split('\n')).toHaveLength(4);
    expect(e2.message).toMatch(/^the desired state has 3 problems:/);
  });

  it('never puts the password in an error message', () => {
    const pw = `value: "${PASSWORD}"`;
    const files = [
      `keystore:\n  path: x\n  password: { ${pw} \ncertificates: []\n`, // YAML error on the password's line
      `keystore:\n  path: x\n  password: { ${pw}, ${pw} }\ncertificates: []\n`,
      `keystore:\n  path: x\n  password: { ${pw}, extra: 1 }\ncertificates: []\n`,
      `keystore:\n  path: x\n  password: { ${pw} }\n  bogus: 1\ncertificates:\n  - alias: a\n    file: nope.pem\n`,
      `keystore:\n  path: x\n  password: { ${pw} }\ncertificates:\n  - alias: a\n    file: a.key\n`,
      `keystore:\n  path: x\n  password: "${PASSWORD}"\ncertificates: []\n`,
      `keystore:\n  path: x\n  password: { file: pw.txt }\ncertificates:\n  - alias: a\n    pem: nope\n`,
      `keystore:\n  path: x\n  password: { env: MID_PW }\ncertificates:\n  - alias: a\n    file: pw.txt\n`, // the password file given as a certificate
    ];
    for (const f of files) {
      const e = errorOf(() => load(f));
      expect(e.message).not.toContain(PASSWORD);
      expect(e.message).not.toContain('LEAK');
    }
  });

  it('throws nothing but INVALID_INPUT for arbitrary text', () => {
    const yamlish = fc.array(fc.constantFrom('keystore:', 'path: x', '  ', '- ', 'alias: a', '&a', '*a', '{', '}', '[', ']', '"', "'", '\n', ':', '#', '!!binary', '|', '>', 'certificates:'), { maxLength: 40 });
    expect(() =>
      fc.assert(
        fc.property(fc.oneof(fc.string({ maxLength: 200 }), yamlish.map((parts) => parts.join(''))), (text) => {
          try {
            load(text);
          } catch (e) {
            if (!(e instanceof MidtrustError) || e.code !== 'INVALID_INPUT') throw e;
          }
        }),
        { numRuns: 300 },
      ),
    ).not.toThrow();
  });
});
