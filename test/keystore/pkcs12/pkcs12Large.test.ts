/**
 * A PKCS12 store far larger than any truststore: writing and reading it must not depend on how
 * many elements fit on the call stack (a SafeContents of ~70,000 bags spread into function
 * arguments threw "Maximum call stack size exceeded"). keytool reads the result.
 */
import { X509Certificate } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { readKeystore, writeKeystore } from '../../../provider/keystore/keystoreCodec';
import type { Keystore } from '../../../provider/keystore/model';
import { buildCertificate, rdn } from '../../certificate/certificateBuilder';
import { runKeytool, tempDir } from '../../helpers/keytool';

const ENTRIES = 70_001;
const PASSWORD = 'large-Store.pass1';

let tmp: string;
beforeAll(() => {
  tmp = tempDir('midtrust-p12-large-');
});
afterAll(() => {
  fs.rmSync(tmp, { recursive: true, force: true });
});

test(`${ENTRIES} entries: written, read, extended and rewritten; keytool finds the first and the last`, () => {
  const der = buildCertificate({ subject: [rdn('2.5.4.3', 0x0c, 'one of many')] });
  const added = buildCertificate({ subject: [rdn('2.5.4.3', 0x0c, 'added last')] });
  const store: Keystore = { type: 'PKCS12', integrity: 'verified', entries: Array.from({ length: ENTRIES }, (_, i) => ({ alias: `e${i}`, kind: 'trustedCertificate', timestamp: 1_700_000_000_000, certificates: [der] })) };
  const read = readKeystore(writeKeystore(store, PASSWORD), { password: PASSWORD });
  expect(read.entries).toHaveLength(ENTRIES);
  const file = path.join(tmp, 'large.p12');
  fs.writeFileSync(file, writeKeystore({ ...read, entries: [...read.entries, { alias: 'added', kind: 'trustedCertificate', timestamp: 1_700_000_000_000, certificates: [added] }] }, PASSWORD));
  expect(readKeystore(fs.readFileSync(file), { password: PASSWORD }).entries).toHaveLength(ENTRIES + 1);
  const sha256 = (d: Uint8Array): string => new X509Certificate(d).fingerprint256;
  for (const [alias, cert] of [['e0', der], ['added', added]] as const) {
    const out = runKeytool(['-list', '-alias', alias, '-keystore', file, '-storetype', 'PKCS12', '-storepass:env', 'MT_PW'], { env: { MT_PW: PASSWORD } });
    expect(out).toContain(`Certificate fingerprint (SHA-256): ${sha256(cert)}`);
  }
}, 120_000);
