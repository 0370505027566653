import * as fs from 'node:fs';
import * as path from 'node:path';
import { Certificate } from '../../provider/certificate/certificate';
import { formatFingerprint } from '../../provider/certificate/fingerprint';
import { readKeystore } from '../../provider/keystore/keystoreCodec';
import { openssl, runKeytool, tempDir } from '../helpers/keytool';

/** keytool -printcert -v blocks, one per certificate, as label → value. */
function printcert(file: string): Array<Record<string, string>> {
  const out = runKeytool(['-printcert', '-v', '-file', file]);
  return out
    .split(/\n(?=Certificate\[\d+\]:)/)
    .filter((b) => /Owner:/.test(b))
    .map((block) => {
      const rec: Record<string, string> = {};
      for (const line of block.split('\n')) {
        const m = /^\s*(Owner|Issuer|Serial number|Valid from|Signature algorithm name|Subject Public Key Algorithm|Version|SHA256):\s*(.*)$/.exec(line);
        if (m && !(m[1] in rec)) rec[m[1]] = m[2].replace(/ \((weak|disabled)\)$/, '').trim();
      }
      return rec;
    });
}

describe('certificate facts match keytool', () => {
  it('for every certificate of the JDK cacerts (names, serial, expiry, algorithms, fingerprint)', () => {
    const file = '/etc/ssl/certs/java/cacerts';
    if (!fs.existsSync(file)) {
      console.warn(`SKIPPED: ${file} absent`);
      return;
    }
    const store = readKeystore(fs.readFileSync(file), { password: 'changeit' });
    const dir = tempDir('mt-facts-');
    const pem = store.entries
      .map((e) => `-----BEGIN CERTIFICATE-----\n${Buffer.from(e.certificates[0]).toString('base64').replace(/.{64}/g, '$&\n')}\n-----END CERTIFICATE-----\n`)
      .join('');
    fs.writeFileSync(path.join(dir, 'all.pem'), pem);
    const oracle = printcert(path.join(dir, 'all.pem'));
    expect(oracle).toHaveLength(store.entries.length);
    store.entries.forEach((e, i) => {
      const c = Certificate.fromDer(e.certificates[0]);
      const want = oracle[i];
      expect(c.facts.subject).toBe(want.Owner);
      expect(c.facts.issuer).toBe(want.Issuer);
      expect(c.facts.serialNumber).toBe(want['Serial number']);
      expect(c.facts.signatureAlgorithm).toBe(want['Signature algorithm name']);
      expect(`${c.facts.version}`).toBe(want.Version);
      expect(formatFingerprint(c.sha256)).toBe(want.SHA256);
      const key = /^(\d+)-bit (\w+) key/.exec(want['Subject Public Key Algorithm'] ?? '');
      if (key) expect([c.facts.keySize, c.facts.keyAlgorithm === 'EC' ? 'EC' : c.facts.keyAlgorithm]).toEqual([Number(key[1]), key[2]]);
      const until = /until: (.*)$/.exec(want['Valid from'])![1];
      expect(Math.abs(new Date(until).getTime() - c.facts.notAfter.getTime())).toBeLessThan(24 * 3600 * 1000);
    });
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('for generated certificates: basic constraints, v1, SHA-1, small RSA, EC, Ed25519', () => {
    const dir = tempDir('mt-facts-gen-');
    const run = (args: string[]): void => {
      openssl(args, { cwd: dir });
    };
    run(['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', 'ca.key', '-out', 'ca.pem', '-days', '30', '-subj', '/C=US/O=Test, Inc./CN=Test CA', '-addext', 'basicConstraints=critical,CA:TRUE,pathlen:1']);
    run(['req', '-newkey', 'rsa:1024', '-nodes', '-keyout', 'v1.key', '-out', 'v1.csr', '-subj', '/CN=v1 leaf']);
    run(['x509', '-req', '-in', 'v1.csr', '-CA', 'ca.pem', '-CAkey', 'ca.key', '-CAcreateserial', '-out', 'v1.pem', '-days', '10', '-sha1']);
    run(['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-384', '-nodes', '-keyout', 'ec.key', '-out', 'ec.pem', '-days', '30', '-subj', '/CN=ec leaf', '-addext', 'basicConstraints=CA:FALSE']);
    run(['req', '-x509', '-newkey', 'ed25519', '-nodes', '-keyout', 'ed.key', '-out', 'ed.pem', '-days', '30', '-subj', '/CN=ed']);
    const der = (n: string) => Certificate.fromDer(Buffer.from(fs.readFileSync(path.join(dir, n), 'utf8').replace(/-----[^-]+-----|\s/g, ''), 'base64'));
    const ca = der('ca.pem').facts;
    expect(ca).toMatchObject({ version: 3, basicConstraints: { ca: true, pathLength: 1 }, isCa: true, keyAlgorithm: 'RSA', keySize: 2048, signatureAlgorithm: 'SHA256withRSA', subject: 'CN=Test CA, O="Test, Inc.", C=US', subjectCommonName: 'Test CA' });
    expect(der('ca.pem').selfSigned).toBe(true);
    const v1 = der('v1.pem');
    expect(v1.facts).toMatchObject({ version: 1, basicConstraints: 'absent', isCa: false, keySize: 1024, signatureAlgorithm: 'SHA1withRSA', issuer: 'CN=Test CA, O="Test, Inc.", C=US' });
    expect(v1.selfSigned).toBe(false);
    expect(der('ec.pem').facts).toMatchObject({ keyAlgorithm: 'EC', keySize: 384, namedCurve: 'secp384r1', basicConstraints: { ca: false }, isCa: false, signatureAlgorithm: 'SHA256withECDSA' });
    expect(der('ed.pem').facts).toMatchObject({ keyAlgorithm: 'Ed25519', signatureAlgorithm: 'Ed25519' });
    // Cross-check with keytool's own reading of the same files.
    const oracle = printcert(path.join(dir, 'v1.pem'))[0];
    expect(oracle.Version).toBe('1');
    expect(oracle['Signature algorithm name']).toBe('SHA1withRSA');
    fs.rmSync(dir, { recursive: true, force: true });
  });
});
