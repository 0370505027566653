/**
 * The RFC 7292 Appendix B KDF written for midtrust, checked against node-forge's independent
 * implementation (forge.pkcs12.generateKey) for every hash, diversifier and awkward length.
 */
import forge from 'node-forge';
import { bmpPassword, KDF_ID, pkcs12Kdf } from '../../../provider/keystore/pkcs12/pkcs12Kdf';
import type { HashName } from '../../../provider/keystore/pkcs12/pkcs12Oids';

// forge has no SHA-224 (its sha512.sha224 is SHA-512/224), so SHA-224 is not cross-checked here.
const forgeMd: Record<Exclude<HashName, 'sha224'>, () => forge.md.MessageDigest> = {
  sha1: () => forge.md.sha1.create(),
  sha256: () => forge.md.sha256.create(),
  sha384: () => forge.md.sha384.create(),
  sha512: () => forge.md.sha512.create(),
};

function viaForge(hash: Exclude<HashName, 'sha224'>, password: string, salt: Uint8Array, id: number, iterations: number, n: number): string {
  const saltBin = forge.util.createBuffer(Buffer.from(salt).toString('binary'));
  const out = forge.pkcs12.generateKey(password, saltBin, id, iterations, n, forgeMd[hash]());
  return Buffer.from(out.getBytes(), 'binary').toString('hex');
}

const salt20 = Uint8Array.from({ length: 20 }, (_, i) => (i * 37 + 11) & 0xff);

describe('pkcs12Kdf agrees with node-forge', () => {
  test.each<[Exclude<HashName, 'sha224'>, string, Uint8Array, number, number, number]>([
    ['sha1', 'changeit', salt20, KDF_ID.key, 1, 5], // RC2-40 key
    ['sha1', 'changeit', salt20, KDF_ID.iv, 2048, 8], // IV
    ['sha1', 'changeit', salt20, KDF_ID.key, 1000, 24], // 3DES key: two hash blocks, exercises the I update
    ['sha1', 'changeit', salt20, KDF_ID.mac, 1000, 20], // legacy MAC key
    ['sha256', 'changeit', salt20, KDF_ID.mac, 10000, 32], // JDK 16+ MAC key
    ['sha256', 'pässwörd-日本', salt20, KDF_ID.mac, 3, 70], // non-ASCII (UTF-16 code units), three blocks
    ['sha384', 'a much longer password that spans more than one sixty-four byte block of input', salt20, KDF_ID.mac, 5, 48],
    ['sha512', '', salt20, KDF_ID.mac, 5, 64], // empty password: just the BMPString terminator
    ['sha256', 'p', new Uint8Array(0), KDF_ID.key, 2, 32], // empty salt
    ['sha1', 'p', Uint8Array.from({ length: 65 }, (_, i) => i), KDF_ID.key, 2, 41], // salt longer than one block
  ])('%s password=%j id=%#', (hash, password, salt, id, iterations, n) => {
    const ours = Buffer.from(pkcs12Kdf(hash, bmpPassword(password), salt, id, iterations, n)).toString('hex');
    expect(ours).toBe(viaForge(hash, password, salt, id, iterations, n));
  });

  test('bmpPassword is UTF-16BE code units plus a 00 00 terminator, as Java', () => {
    expect(Buffer.from(bmpPassword('A€')).toString('hex')).toBe('004120ac0000');
    expect(Buffer.from(bmpPassword('😀')).toString('hex')).toBe('d83dde000000');
    expect(Buffer.from(bmpPassword('')).toString('hex')).toBe('0000');
  });

  test.each([0, -1, 5_000_001, 1.5])('iteration count %p is refused with UNSUPPORTED (Java caps at 5,000,000)', (iterations) => {
    expect(() => pkcs12Kdf('sha1', bmpPassword('p'), salt20, 1, iterations, 20)).toThrow(expect.objectContaining({ code: 'UNSUPPORTED' }));
  });
});
