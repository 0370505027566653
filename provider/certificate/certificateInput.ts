import { children, decodeOid, readTlv, TAG } from '../asn1/derReader';
import { MidtrustError } from '../errors';
import { parseCertificateFacts } from './certificateFacts';
import { OID_PKCS7_SIGNED_DATA } from './x509Oids';

const PEM_BLOCK = /-----BEGIN ([A-Z0-9 ]+)-----([\s\S]*?)-----END \1-----/g;
const CERT_LABELS = new Set(['CERTIFICATE', 'X509 CERTIFICATE', 'TRUSTED CERTIFICATE']);
const PKCS7_LABELS = new Set(['PKCS7', 'CMS', 'PKCS #7 SIGNED DATA']);

/** PEM labels people give by mistake, and what to tell them. */
function wrongLabel(label: string): string | undefined {
  if (/PRIVATE KEY$/.test(label)) return "this is a private key, not a certificate; give the CA certificate (PEM 'BEGIN CERTIFICATE') — and keep private keys out of trust declarations";
  if (/CERTIFICATE REQUEST$/.test(label)) return 'this is a certificate signing request (CSR), not a certificate; give the certificate the CA issued';
  if (label === 'PUBLIC KEY' || label === 'RSA PUBLIC KEY') return 'this is a bare public key, not a certificate; a truststore needs the CA certificate';
  if (label === 'X509 CRL') return 'this is a certificate revocation list, not a certificate';
  return undefined;
}

/**
 * The DER of every certificate in `input`, in order. Accepts PEM (one or many certificates, text
 * around them, CRLF or LF), DER, base64 DER without armour, and PKCS#7 certificate bundles.
 * Anything else is an INVALID_INPUT error that names `source` and says what to give instead.
 *
 * @example
 * parseCertificateInput(fs.readFileSync('chain.pem'), 'alias acme (certs/chain.pem)') // [leafDer, rootDer]
 */
export function parseCertificateInput(input: Uint8Array | string, source: string): Uint8Array[] {
  const fail = (msg: string): never => {
    throw new MidtrustError('INVALID_INPUT', `${source}: ${msg}`);
  };
  const bytes = typeof input === 'string' ? Buffer.from(input, 'utf8') : Buffer.from(input.buffer, input.byteOffset, input.byteLength);
  if (bytes.length === 0 || bytes.toString('latin1').trim() === '') fail('the certificate input is empty; give a PEM or DER certificate');
  if (bytes[0] === 0x30) {
    const ders = tryDer(bytes);
    if (ders) return ders;
  }
  const text = bytes.toString('utf8');
  if (text.includes('-----BEGIN ')) return parsePem(text, fail);
  const compact = text.replace(/\s+/g, '');
  if (/^[A-Za-z0-9+/]+={0,2}$/.test(compact) && compact.length % 4 === 0) {
    const ders = tryDer(Buffer.from(compact, 'base64'));
    if (ders) return ders;
    return fail('the base64 text does not decode to an X.509 certificate');
  }
  if (bytes[0] === 0x30) return fail('the DER data is not an X.509 certificate or a PKCS#7 bundle of certificates');
  return fail("not a certificate: expected PEM ('-----BEGIN CERTIFICATE-----'), DER or base64 DER");
}

function parsePem(text: string, fail: (msg: string) => never): Uint8Array[] {
  const out: Uint8Array[] = [];
  let n = 0;
  for (const m of text.matchAll(PEM_BLOCK)) {
    n++;
    const label = m[1];
    const problem = wrongLabel(label);
    if (problem) fail(`PEM block ${n} (${label}): ${problem}`);
    const body = m[2].replace(/^[A-Za-z-]+:.*$/gm, '').replace(/\s+/g, '');
    if (!/^[A-Za-z0-9+/]*={0,2}$/.test(body)) fail(`PEM block ${n} (${label}) is not valid base64`);
    const der = Buffer.from(body, 'base64');
    if (CERT_LABELS.has(label)) {
      // TRUSTED CERTIFICATE is OpenSSL's: the certificate followed by its trust settings.
      const cert = label === 'TRUSTED CERTIFICATE' ? firstElement(der) : der;
      if (!cert || !isCertificate(cert)) fail(`PEM block ${n} (${label}) does not decode to an X.509 certificate`);
      out.push(cert as Uint8Array);
    } else if (PKCS7_LABELS.has(label)) {
      const certs = pkcs7Certificates(der);
      if (!certs) fail(`PEM block ${n} (${label}) is not a PKCS#7 bundle of certificates midtrust can read`);
      out.push(...(certs as Uint8Array[]));
    } else {
      fail(`PEM block ${n} has label '${label}', which is not a certificate`);
    }
  }
  if (n === 0) fail("found '-----BEGIN' but no complete PEM block (is the END line missing?)");
  if (out.length === 0) fail('the PEM holds no certificate');
  return out;
}

/** A DER certificate, or the certificates of a DER PKCS#7 bundle; undefined when neither. */
function tryDer(b: Uint8Array): Uint8Array[] | undefined {
  if (isCertificate(b)) return [Uint8Array.from(b)];
  return pkcs7Certificates(b);
}

function firstElement(b: Uint8Array): Uint8Array | undefined {
  try {
    const t = readTlv(b, 0);
    return Uint8Array.from(b.subarray(t.start, t.end));
  } catch {
    return undefined;
  }
}

/** Exactly one SEQUENCE { SEQUENCE, SEQUENCE, BIT STRING } consuming all bytes, whose facts parse. */
function isCertificate(b: Uint8Array): boolean {
  try {
    const t = readTlv(b, 0);
    if (t.tag !== TAG.SEQUENCE || t.end !== b.length) return false;
    const parts = children(b, t);
    if (parts.length !== 3 || parts[0].tag !== TAG.SEQUENCE || parts[1].tag !== TAG.SEQUENCE || parts[2].tag !== TAG.BIT_STRING) return false;
    parseCertificateFacts(b);
    return true;
  } catch {
    return false;
  }
}

/** ContentInfo { signedData, [0] SignedData { ..., [0] IMPLICIT certificates, ... } } → certificates. */
function pkcs7Certificates(b: Uint8Array): Uint8Array[] | undefined {
  try {
    const ci = readTlv(b, 0);
    if (ci.tag !== TAG.SEQUENCE || ci.end !== b.length) return undefined;
    const [type, wrapped] = children(b, ci);
    if (type?.tag !== TAG.OID || decodeOid(b, type) !== OID_PKCS7_SIGNED_DATA || wrapped?.tag !== 0xa0) return undefined;
    const signedData = readTlv(b, wrapped.contentStart, wrapped.end);
    const certSet = children(b, signedData).find((t) => t.tag === 0xa0);
    if (!certSet) return undefined;
    const certs = children(b, certSet).map((t) => Uint8Array.from(b.subarray(t.start, t.end)));
    if (certs.length === 0 || !certs.every(isCertificate)) return undefined;
    return certs;
  } catch {
    return undefined;
  }
}
