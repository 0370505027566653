import 'reflect-metadata';
import { webcrypto } from 'node:crypto';
import * as x509 from '@peculiar/x509';

x509.cryptoProvider.set(webcrypto as unknown as Parameters<typeof x509.cryptoProvider.set>[0]);

export interface MadeCertificate {
  der: Uint8Array;
  pem: string;
}

/**
 * Certificates with chosen dates, keys and extensions, made with @peculiar/x509 (openssl 3.0
 * cannot back-date a self-signed certificate without a CA database).
 */
export async function makeCertificate(opts: {
  cn: string;
  notBefore?: Date;
  notAfter?: Date;
  ca?: boolean | 'absent';
  key?: { name: 'RSASSA-PKCS1-v1_5'; bits: number; hash?: 'SHA-1' | 'SHA-256' } | { name: 'ECDSA'; curve: 'P-256' | 'P-384' };
}): Promise<MadeCertificate> {
  const key = opts.key ?? { name: 'ECDSA', curve: 'P-256' };
  const alg =
    key.name === 'ECDSA'
      ? { name: 'ECDSA', namedCurve: key.curve, hash: 'SHA-256' }
      : { name: 'RSASSA-PKCS1-v1_5', modulusLength: key.bits, publicExponent: new Uint8Array([1, 0, 1]), hash: key.hash ?? 'SHA-256' };
  const keys = (await webcrypto.subtle.generateKey(alg, true, ['sign', 'verify'])) as webcrypto.CryptoKeyPair;
  const extensions = opts.ca === 'absent' ? [] : [new x509.BasicConstraintsExtension(opts.ca ?? true, undefined, true)];
  const cert = await x509.X509CertificateGenerator.createSelfSigned({
    serialNumber: Math.floor(Math.random() * 1e9).toString(16).padStart(8, '1'),
    name: `CN=${opts.cn}`,
    notBefore: opts.notBefore ?? new Date(Date.now() - 86400000),
    notAfter: opts.notAfter ?? new Date(Date.now() + 365 * 86400000),
    keys,
    signingAlgorithm: alg,
    extensions,
  });
  return { der: new Uint8Array(cert.rawData), pem: cert.toString('pem') };
}
