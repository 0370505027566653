import { children, decodeOid, readTlv, TAG, type Tlv } from '../asn1/derReader';
import { MidtrustError } from '../errors';
import { parseCertificateFacts } from './certificateFacts';
import { javaLoadProblem } from './javaLoadProblem';
import { OID_PKCS7_SIGNED_DATA } from './x509Oids';

const PEM_BLOCK = /-----BEGIN ([A-Z0-9 #]+)-----([\s\S]*?)-----END \1-----/g;
const CERT_LABELS = new Set(['CERTIFICATE', 'X509 CERTIFICATE', 'TRUSTED CERTIFICATE']);
const PKCS7_LABELS = new Set(['PKCS7', 'CMS', 'PKCS #7 SIGNED DATA']);
const PRIVATE_KEY = "this is a private key, not a certificate; give the CA certificate (PEM 'BEGIN CERTIFICATE')";
const CSR = 'this is a certificate signing request (CSR), not a certificate; give the certificate the CA issued for it';

/** PEM labels people give by mistake, and what to tell them. */
function wrongLabel(label: string): string | undefined {
  if (/PRIVATE KEY$/.test(label)) return `${PRIVATE_KEY}, and keep private keys out of trust declarations`;
  if (/CERTIFICATE REQUEST$/.test(label)) return CSR;
  if (/PUBLIC KEY$/.test(label)) return 'this is a bare public key, not a certificate; a truststore needs the CA certificate';
  if (label === 'X509 CRL') return 'this is a certificate revocation list, not a certificate; give the CA certificate';
  return undefined;
}

/**
 * The DER of every certificate in `input`, in order. Accepts PEM (one or many `CERTIFICATE`,
 * `X509 CERTIFICATE` or OpenSSL `TRUSTED CERTIFICATE` blocks, text around them, CRLF or LF), DER,
 * base64 DER without armour, and PKCS#7 certificate bundles (PEM or DER). Anything else —
 * private keys, CSRs, broken blocks, garbage — is a MidtrustError INVALID_INPUT that names
 * `source` and says what to give instead; nothing else is ever thrown.
 *
 * @example
 * parseCertificateInput(fs.readFileSync('chain.pem'), 'alias acme (certs/chain.pem)') // [leafDer, rootDer]
 */
export function parseCertificateInput(input: Uint8Array | string, source: string): Uint8Array[] {
  const fail = (msg: string): never => {
    throw new MidtrustError('INVALID_INPUT', `${source}: ${msg}`);
  };
  const bytes = typeof input === 'string' ? Buffer.from(input, 'utf8') : Buffer.from(input.buffer, input.byteOffset, input.byteLength);
  if (bytes.length === 0 || /^\s*$/.test(bytes.toString('latin1'))) return fail('the certificate input is empty; give a PEM or DER certificate');
  if (bytes[0] === 0x30) {
    const ders = derCertificates(bytes);
    if (typeof ders !== 'string') return ders;
    return fail(ders);
  }
  const text = bytes.toString('utf8');
  if (text.includes('-----BEGIN ')) return parsePem(text, fail);
  const compact = text.replace(/\s+/g, '');
  if (/^[A-Za-z0-9+/]+={0,2}$/.test(compact) && compact.length % 4 === 0) {
    const der = Buffer.from(compact, 'base64');
    const ders = der[0] === 0x30 ? derCertificates(der) : 'the base64 text does not decode to DER';
    if (typeof ders !== 'string') return ders;
    return fail(`base64 without PEM armour: ${ders}`);
  }
  return fail("not a certificate: expected PEM ('-----BEGIN CERTIFICATE-----'), DER or base64 DER");
}

function parsePem(text: string, fail: (msg: string) => never): Uint8Array[] {
  const out: Uint8Array[] = [];
  let n = 0;
  for (const m of text.matchAll(PEM_BLOCK)) {
    n++;
    const label = m[1];
    const what = `PEM block ${n} (${label})`;
    const problem = wrongLabel(label);
    if (problem) fail(`${what}: ${problem}`);
    // RFC 1421 headers (Proc-Type, DEK-Info) may precede the base64.
    const body = m[2].replace(/^[A-Za-z-]+:.*$/gm, '').replace(/\s+/g, '');
    if (!/^[A-Za-z0-9+/]*={0,2}$/.test(body)) fail(`${what} is not valid base64; copy the block again from -----BEGIN to -----END`);
    const der = Buffer.from(body, 'base64');
    if (CERT_LABELS.has(label)) {
      // TRUSTED CERTIFICATE is OpenSSL's: the certificate followed by its trust settings (X509_AUX).
      const cert = label === 'TRUSTED CERTIFICATE' ? firstElement(der) : der;
      const problemWithCert = cert ? certificateProblem(cert) : 'it is empty';
      if (problemWithCert !== undefined) fail(`${what} does not decode to an X.509 certificate (${problemWithCert})`);
      const refusal = javaRefusal(cert as Uint8Array);
      if (refusal !== undefined) fail(`${what}: ${refusal}`);
      out.push(new Uint8Array(cert as Uint8Array)); // a copy, made natively
    } else if (PKCS7_LABELS.has(label)) {
      const certs = pkcs7Certificates(der);
      if (typeof certs === 'string') fail(`${what}: ${certs}`);
      out.push(...(certs as Uint8Array[]));
    } else {
      fail(`${what} is not a certificate; give PEM 'BEGIN CERTIFICATE' blocks`);
    }
  }
  if (n === 0) fail("found '-----BEGIN' but no complete PEM block (is the -----END line missing or different?)");
  return out;
}

/** A DER certificate, or the certificates of a DER PKCS#7 bundle; otherwise what is wrong. */
function derCertificates(b: Uint8Array): Uint8Array[] | string {
  const problem = certificateProblem(b);
  if (problem === undefined) return javaRefusal(b) ?? [new Uint8Array(b)];
  const certs = pkcs7Certificates(b);
  if (typeof certs !== 'string' || isPkcs7(b)) return certs;
  return `the DER data is not an X.509 certificate (${problem})${derHint(b)}`;
}

/** Names the DER things people mistake for certificates. */
function derHint(b: Uint8Array): string {
  try {
    const outer = readTlv(b, 0);
    const parts = children(b, outer);
    // PKCS#1/PKCS#8/SEC1 private keys all start with an INTEGER version.
    if (parts[0]?.tag === TAG.INTEGER) return `; it looks like a private key or a keystore: ${PRIVATE_KEY}`;
    // A CSR's CertificationRequestInfo: version, subject, key, [0] attributes.
    const info = parts[0]?.tag === TAG.SEQUENCE ? children(b, parts[0]) : [];
    if (info.length === 4 && info[0].tag === TAG.INTEGER && info[3].tag === 0xa0) return `; ${CSR}`;
  } catch {
    // Not even DER: no hint to give.
  }
  return '';
}

function firstElement(b: Uint8Array): Uint8Array | undefined {
  try {
    const t = readTlv(b, 0);
    return b.subarray(t.start, t.end);
  } catch {
    return undefined;
  }
}

/**
 * Why `b` is not one X.509 Certificate — SEQUENCE { SEQUENCE tbs, SEQUENCE algorithm, BIT STRING }
 * consuming every byte, whose facts parse — or undefined when it is one. Parsing the facts here
 * means a certificate midtrust accepted can always be listed and checked by the policy rules.
 */
function certificateProblem(b: Uint8Array): string | undefined {
  try {
    const t = readTlv(b, 0, b.length, 'certificate');
    if (t.tag !== TAG.SEQUENCE) return `starts with tag 0x${t.tag.toString(16)}, not a SEQUENCE`;
    if (t.end !== b.length) return `${b.length - t.end} bytes follow the certificate`;
    const parts = children(b, t, 'certificate');
    if (parts.length !== 3 || parts[0].tag !== TAG.SEQUENCE || parts[1].tag !== TAG.SEQUENCE || parts[2].tag !== TAG.BIT_STRING) {
      return 'not SEQUENCE { TBSCertificate, signature algorithm, signature }';
    }
    parseCertificateFacts(b);
    return undefined;
  } catch (e) {
    return e instanceof MidtrustError ? e.message : 'unreadable DER';
  }
}

/**
 * Why Java would refuse a well-formed certificate, phrased for the person importing it. Java
 * parses every certificate when it loads a keystore, so importing one it refuses would make the
 * whole truststore unreadable (see javaLoadProblem).
 */
function javaRefusal(der: Uint8Array): string | undefined {
  const problem = javaLoadProblem(der);
  if (problem === undefined) return undefined;
  return `Java cannot load this certificate: ${problem}; a keystore holding it would be unreadable to keytool and to the MID Server's JVM, so midtrust will not import it — ask its issuer for a corrected certificate`;
}

function isPkcs7(b: Uint8Array): boolean {
  try {
    const [type] = children(b, readTlv(b, 0));
    return type?.tag === TAG.OID && decodeOid(b, type) === OID_PKCS7_SIGNED_DATA;
  } catch {
    return false;
  }
}

/** ContentInfo { signedData, [0] SignedData { ..., [0] IMPLICIT certificates, ... } } → certificates, or what is wrong. */
function pkcs7Certificates(b: Uint8Array): Uint8Array[] | string {
  try {
    const ci = readTlv(b, 0);
    if (ci.tag !== TAG.SEQUENCE || ci.end !== b.length) return 'not a PKCS#7 ContentInfo';
    const [type, wrapped] = children(b, ci);
    if (type?.tag !== TAG.OID || decodeOid(b, type) !== OID_PKCS7_SIGNED_DATA) return 'not a PKCS#7 SignedData bundle';
    if (wrapped?.tag !== 0xa0) return 'the PKCS#7 bundle has no content';
    const signedData = readTlv(b, wrapped.contentStart, wrapped.end);
    const certSet: Tlv | undefined = children(b, signedData).find((t) => t.tag === 0xa0);
    const certs = certSet ? children(b, certSet) : [];
    if (certs.length === 0) return 'the PKCS#7 bundle holds no certificates';
    const out: Uint8Array[] = [];
    for (const [k, t] of certs.entries()) {
      const der = b.subarray(t.start, t.end);
      const problem = certificateProblem(der);
      if (problem !== undefined) return `certificate ${k + 1} of the PKCS#7 bundle is not an X.509 certificate (${problem})`;
      const refusal = javaRefusal(der);
      if (refusal !== undefined) return `certificate ${k + 1} of the PKCS#7 bundle: ${refusal}`;
      out.push(new Uint8Array(der));
    }
    return out;
  } catch (e) {
    return `unreadable PKCS#7 bundle (${e instanceof MidtrustError ? e.message : 'bad DER'})`;
  }
}
