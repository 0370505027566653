/**
 * Issue #13 item 8: a hand-made JKS (or JCEKS) holding one alias twice. Java loads entries into a
 * Hashtable keyed by the alias as stored, so the later entry replaces the earlier one: keytool
 * lists 3 entries where the file has 4. midtrust must list what keytool lists — checked against
 * keytool 17 and, when present, a JDK >= 18.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { parseCertificateInput } from '../../../provider/certificate/certificateInput';
import { jksDigest } from '../../../provider/keystore/jks/jksDigest';
import { readKeystore, writeKeystore } from '../../../provider/keystore/keystoreCodec';
import { Certificate } from '../../../provider/certificate/certificate';
import type { KeystoreType } from '../../../provider/keystore/model';
import { allKeytools, keytoolList, openssl, tempDir } from '../../helpers/keytool';
import { midtrust } from '../../helpers/midtrustCli';

const PASSWORD = 'changeit';
let dir: string;
const ders: Record<string, Uint8Array> = {};

beforeAll(() => {
  dir = tempDir('mt-jksdup-');
  for (const n of ['a', 'b', 'c']) {
    openssl(['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-keyout', `${n}.key`, '-out', `${n}.pem`, '-days', '30', '-subj', `/CN=${n}`], { cwd: dir });
    ders[n] = parseCertificateInput(fs.readFileSync(path.join(dir, `${n}.pem`)), n)[0];
  }
});
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

/**
 * Writes xx, yy, ww, zz (midtrust's writer refuses a duplicate), then renames ww to xx in the bytes
 * and re-keys the digest: what a hand edit or a buggy tool leaves behind.
 */
function storeWithDuplicate(type: KeystoreType): string {
  const entry = (alias: string, cert: string, timestamp: number) => ({ alias, kind: 'trustedCertificate' as const, timestamp, certificates: [ders[cert]] });
  const bytes = Buffer.from(writeKeystore({ type, integrity: 'verified', entries: [entry('xx', 'a', 1000), entry('yy', 'b', 2000), entry('ww', 'c', 3000), entry('zz', 'a', 4000)] }, PASSWORD));
  const at = bytes.indexOf(Buffer.from([0, 2, ...Buffer.from('ww')]));
  Buffer.from('xx').copy(bytes, at + 2);
  Buffer.from(jksDigest(PASSWORD, bytes.subarray(0, bytes.length - 20))).copy(bytes, bytes.length - 20);
  const file = path.join(dir, `dup.${type.toLowerCase()}`);
  fs.writeFileSync(file, bytes);
  return file;
}

const sha = (der: Uint8Array) => Certificate.fromDer(der).sha256;

describe.each(['JKS', 'JCEKS'] as const)('%s with one alias twice', (type) => {
  it('lists what keytool lists: the later entry wins', async () => {
    const file = storeWithDuplicate(type);
    const expected = [
      { alias: 'xx', sha256: sha(ders.c) },
      { alias: 'yy', sha256: sha(ders.b) },
      { alias: 'zz', sha256: sha(ders.a) },
    ];
    for (const k of allKeytools()) {
      expect(keytoolList(file, PASSWORD, { keytool: k, storetype: type }).map((e) => ({ alias: e.alias, sha256: e.sha256 }))).toEqual(expected);
    }
    const store = readKeystore(fs.readFileSync(file), { password: PASSWORD });
    expect(store.entries.map((e) => ({ alias: e.alias, sha256: sha(e.certificates[0]) })).sort((x, y) => x.alias.localeCompare(y.alias))).toEqual(expected);
    const ls = await midtrust(['ls', file, '--storepass-env', 'SP', '--json'], { env: { SP: PASSWORD } });
    expect(JSON.parse(ls.stdout).entries.map((e: { alias: string; sha256: string }) => ({ alias: e.alias, sha256: e.sha256 }))).toEqual(expected);
  });
});
