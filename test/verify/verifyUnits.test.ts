/**
 * The small parts of verify, table-driven: targets, certificate extensions (checked against
 * keytool -printcert -v), the comment-keeping desired-state edit, bounded TLS parsing, StartTLS
 * refusals.
 */
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as path from 'node:path';
import fc from 'fast-check';
import { parseCertificateExtensions } from '../../provider/certificate/certificateExtensions';
import { MidtrustError } from '../../provider/errors';
import { appendDesiredCertificate } from '../../provider/plan/desiredStateEdit';
import { parseEndpointTarget } from '../../provider/verify/endpointTarget';
import { ldapStartTls } from '../../provider/verify/ldapStartTls';
import { serverCertificates } from '../../provider/verify/serverCertificateMessage';
import { errorOf } from '../helpers/errorOf';
import { runKeytool, tempDir } from '../helpers/keytool';
import { PROFILE, TestPki } from './testPki';

const dir = tempDir('mt-verify-units-');
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

describe('targets', () => {
  const ok: Array<[string, Partial<ReturnType<typeof parseEndpointTarget>>]> = [
    ['ldaps://ad.example.com', { kind: 'ldaps', host: 'ad.example.com', port: 636, identity: { algorithm: 'LDAP', hostname: 'ad.example.com' } }],
    ['ldap://ad.example.com:3389', { kind: 'starttls', port: 3389, identity: { algorithm: 'LDAP', hostname: 'ad.example.com' } }],
    ['https://proxy.corp/path?x=1', { kind: 'https', host: 'proxy.corp', port: 443, identity: { algorithm: 'HTTPS', hostname: 'proxy.corp' } }],
    ['HTTPS://Proxy:8443', { kind: 'https', host: 'Proxy', port: 8443 }],
    ['10.0.0.5:636', { kind: 'tls', host: '10.0.0.5', port: 636 }],
    ['[::1]:8443', { kind: 'tls', host: '::1', port: 8443 }],
    ['https://[2001:db8::1]', { kind: 'https', host: '2001:db8::1', port: 443 }],
  ];
  it.each(ok)('%s', (text, want) => expect(parseEndpointTarget(text)).toMatchObject(want));
  it('a bare host:port carries no identity check', () => expect(parseEndpointTarget('h:1').identity).toBeUndefined());
  it.each(['ftp://x:21', 'host', 'h:0', 'h:70000', 'https://user@h', '[nothex]:1', ':443'])('refuses %s with INVALID_INPUT', (t) => {
    expect(errorOf(() => parseEndpointTarget(t)).code).toBe('INVALID_INPUT');
  });
});

describe('certificate extensions, as keytool reads them', () => {
  it('KeyUsage bits, ExtendedKeyUsage and criticality match keytool -printcert -v', () => {
    const pki = new TestPki(path.join(dir, 'ext'));
    pki.issue('ca', { subject: '/CN=Ext CA', issuer: 'self', ext: PROFILE.root });
    pki.issue('leaf', { subject: '/CN=ext leaf', issuer: 'ca', ext: `${PROFILE.server()}\n1.3.6.1.4.1.55555.1=critical,ASN1:NULL\nnsCertType=client` });
    const printed = runKeytool(['-printcert', '-v', '-file', pki.file('leaf.pem')]);
    const ext = parseCertificateExtensions(pki.der('leaf'));
    // keytool: "#n: ObjectId: <oid> Criticality=<bool>"
    const keytoolCritical = [...printed.matchAll(/ObjectId: ([\d.]+) Criticality=true/g)].map((m) => m[1]).sort();
    expect([...ext.criticalOids].sort()).toEqual(keytoolCritical);
    expect(printed).toMatch(/DigitalSignature\s+Key_Encipherment/);
    expect(ext.keyUsage?.slice(0, 9)).toEqual([true, false, true, false, false, false, false, false, false]);
    expect(printed).toContain('serverAuth');
    expect(ext.extendedKeyUsage).toEqual(['1.3.6.1.5.5.7.3.1']);
    expect(ext.netscapeCertType?.[0]).toBe(true); // SSL client
    expect(ext.netscapeCertType?.[1]).toBe(false); // not SSL server
    const ca = parseCertificateExtensions(pki.der('ca'));
    expect(ca.keyUsage?.[5]).toBe(true);
    expect(ca.extendedKeyUsage).toBeUndefined();
  });
});

describe('--write-desired edits the YAML, keeping what a person wrote', () => {
  const der = Buffer.from('3003020101', 'hex');
  const sha = 'ab'.repeat(32);
  it('appends under certificates with its pin and a comment; comments, order and flow maps stay', () => {
    const text = '# header comment\nkeystore: { path: ./cacerts, password: { env: PW } }  # inline\n\ncertificates:\n  # a note\n  - alias: a\n    file: a.pem\nendpoints: [ldaps://ad:636]\n';
    const out = appendDesiredCertificate(text, { alias: 'new-ca', der, sha256: sha, comment: 'added by test' });
    expect(out).toContain('# header comment\nkeystore: { path: ./cacerts, password: { env: PW } } # inline');
    expect(out).toContain('  # a note\n  - alias: a\n    file: a.pem\n  # added by test\n  - alias: new-ca\n    sha256: ' + sha + '\n    pem: |\n      -----BEGIN CERTIFICATE-----\n      MAMCAQE=\n      -----END CERTIFICATE-----\n');
    expect(out).toContain('endpoints: [ ldaps://ad:636 ]');
  });
  it('an empty or flow-style list becomes a block list; an existing alias (any case) is refused', () => {
    expect(appendDesiredCertificate('keystore: { path: x }\ncertificates: []\n', { alias: 'n', der, sha256: sha })).toMatch(/certificates:\n {2}- alias: n\n/);
    expect(appendDesiredCertificate('keystore: { path: x }\ncertificates:\n', { alias: 'n', der, sha256: sha })).toMatch(/certificates:\n {2}- alias: n\n/);
    expect(errorOf(() => appendDesiredCertificate('keystore: { path: x }\ncertificates:\n  - { alias: New-CA, file: x.pem }\n', { alias: 'new-ca', der, sha256: sha })).message).toMatch(/already declares the alias New-CA/);
    expect(errorOf(() => appendDesiredCertificate('- not a map\n', { alias: 'n', der, sha256: sha })).code).toBe('INVALID_INPUT');
    expect(errorOf(() => appendDesiredCertificate('a: [\n', { alias: 'n', der, sha256: sha })).code).toBe('INVALID_INPUT');
  });
});

describe('reading the server\'s Certificate message', () => {
  const record = (type: number, body: Buffer): Buffer => Buffer.concat([Buffer.from([type, 3, 3, body.length >> 8, body.length & 0xff]), body]);
  const u24 = (n: number): Buffer => Buffer.from([n >> 16, (n >> 8) & 0xff, n & 0xff]);
  it('TLS 1.2: certificates in the order sent, across records', () => {
    const certs = [Buffer.from('aaaa', 'hex'), Buffer.from('bbbbbb', 'hex')];
    const list = Buffer.concat(certs.flatMap((c) => [u24(c.length), c]));
    const message = Buffer.concat([Buffer.from([11]), u24(list.length + 3), u24(list.length), list]);
    const bytes = Buffer.concat([record(22, Buffer.from([2, 0, 0, 0])), record(22, message.subarray(0, 5)), record(22, message.subarray(5))]);
    expect(serverCertificates(bytes).map((c) => Buffer.from(c).toString('hex'))).toEqual(['aaaa', 'bbbbbb']);
  });
  it('garbage never throws anything but MidtrustError', () => {
    expect(() =>
      fc.assert(
        fc.property(fc.uint8Array({ maxLength: 300 }), (bytes) => {
          try {
            serverCertificates(bytes);
          } catch (e) {
            if (!(e instanceof MidtrustError)) throw e;
          }
        }),
      ),
    ).not.toThrow();
  });
});

describe('StartTLS refusals are errors that say why', () => {
  const serve = (answer: Buffer | null): Promise<{ port: number; close: () => void }> =>
    new Promise((resolve) => {
      const s = net.createServer((c) => {
        c.on('error', () => undefined);
        c.once('data', () => (answer ? c.write(answer) : c.end()));
      });
      s.listen(0, '127.0.0.1', () => resolve({ port: (s.address() as net.AddressInfo).port, close: () => s.close() }));
    });
  const attempt = async (answer: Buffer | null): Promise<MidtrustError> => {
    const srv = await serve(answer);
    const sock = net.connect(srv.port, '127.0.0.1');
    await new Promise((r) => sock.once('connect', r));
    try {
      await ldapStartTls(sock, 2000);
      throw new Error('StartTLS should have failed');
    } catch (e) {
      return e as MidtrustError;
    } finally {
      sock.destroy();
      srv.close();
    }
  };
  it('resultCode 2 (protocolError) with the server\'s message', async () => {
    // LDAPMessage { 1, ExtendedResponse { resultCode 2, "", "no TLS here" } }
    const tlv = (tag: number, body: Buffer): Buffer => Buffer.concat([Buffer.from([tag, body.length]), body]);
    const resp = tlv(0x30, Buffer.concat([tlv(0x02, Buffer.from([1])), tlv(0x78, Buffer.concat([tlv(0x0a, Buffer.from([2])), tlv(0x04, Buffer.alloc(0)), tlv(0x04, Buffer.from('no TLS here'))]))]));
    const e = await attempt(resp);
    expect(e.code).toBe('IO');
    expect(e.message).toMatch(/refused StartTLS \(resultCode 2: no TLS here\)/);
  });
  it('a server that hangs up, and one that is not LDAP', async () => {
    expect((await attempt(null)).message).toMatch(/closed the connection instead of answering StartTLS/);
    expect((await attempt(Buffer.from('SSH-2.0-OpenSSH_9.2\r\n'))).message).toMatch(/not LDAP \(it starts with "SSH-2.0-Open"\)/);
  });
});
