import type { Duplex } from 'node:stream';
import { children, readTlv, TAG } from '../asn1/derReader';
import { integer, sequence, tlv } from '../asn1/derWriter';
import { MidtrustError } from '../errors';

/** The StartTLS extended operation (RFC 4511 §4.14). */
export const START_TLS_OID = '1.3.6.1.4.1.1466.20037';
const EXTENDED_REQUEST = 0x77; // [APPLICATION 23]
const EXTENDED_RESPONSE = 0x78; // [APPLICATION 24]
const MAX_RESPONSE = 64 * 1024;

/** The LDAPMessage `{ messageID 1, ExtendedRequest { requestName [0] "1.3.6.1.4.1.1466.20037" } }`. */
export function startTlsRequest(): Uint8Array {
  return sequence(integer(1), tlv(EXTENDED_REQUEST, tlv(0x80, Buffer.from(START_TLS_OID, 'latin1'))));
}

/**
 * Asks an LDAP server to start TLS on a plain connection, as JNDI's StartTlsRequest does, and
 * resolves once it agreed (resultCode success); the TLS handshake then runs on the same stream.
 * A refusal, a malformed answer or silence (`timeoutMs`) is an IO error naming the reason.
 *
 * @example
 * await ldapStartTls(socket, 10_000); // then tls.connect({ socket })
 */
export function ldapStartTls(stream: Duplex, timeoutMs: number): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    let buffered = Buffer.alloc(0);
    const finish = (err?: MidtrustError, rest?: Buffer): void => {
      clearTimeout(timer);
      stream.off('data', onData);
      stream.off('error', onError);
      stream.off('end', onEnd);
      stream.pause();
      if (err) return reject(err);
      if (rest && rest.length > 0) stream.unshift(rest);
      resolve();
    };
    const onData = (chunk: Buffer): void => {
      buffered = Buffer.concat([buffered, chunk]);
      // Every LDAPMessage is a SEQUENCE: anything else (an SSH banner, an HTTP answer) is not LDAP.
      if (buffered[0] !== TAG.SEQUENCE) return finish(new MidtrustError('IO', `the server's answer to StartTLS is not LDAP (it starts with ${JSON.stringify(buffered.subarray(0, 12).toString('latin1'))}); is this the LDAP port?`));
      if (buffered.length > MAX_RESPONSE) return finish(new MidtrustError('IO', 'the LDAP server answered StartTLS with more than 64 KiB'));
      let message;
      try {
        message = readTlv(buffered, 0, buffered.length, 'LDAP response');
      } catch (e) {
        if ((e as MidtrustError).code === 'TRUNCATED') return; // wait for the rest
        return finish(new MidtrustError('IO', `the server's answer to StartTLS is not LDAP (${(e as Error).message})`));
      }
      try {
        checkResponse(buffered.subarray(0, message.end));
      } catch (e) {
        return finish(e as MidtrustError);
      }
      finish(undefined, buffered.subarray(message.end));
    };
    const onError = (e: Error): void => finish(new MidtrustError('IO', `the connection failed during StartTLS: ${e.message}`, { cause: e }));
    const onEnd = (): void => finish(new MidtrustError('IO', 'the LDAP server closed the connection instead of answering StartTLS'));
    const timer = setTimeout(() => finish(new MidtrustError('IO', `the LDAP server did not answer StartTLS within ${Math.round(timeoutMs / 1000)} s`)), timeoutMs);
    stream.on('data', onData);
    stream.on('error', onError);
    stream.on('end', onEnd);
    stream.write(startTlsRequest());
  });
}

/** Throws unless the message is an ExtendedResponse with resultCode 0 (success). */
function checkResponse(bytes: Uint8Array): void {
  const message = readTlv(bytes, 0, bytes.length, 'LDAP response');
  const [, op] = children(bytes, message, 'LDAPMessage');
  if (!op || op.tag !== EXTENDED_RESPONSE) {
    throw new MidtrustError('IO', `the server did not answer StartTLS with an ExtendedResponse (tag 0x${op?.tag.toString(16) ?? 'none'}); is this an LDAP server?`);
  }
  const [code, , diagnostic] = children(bytes, op, 'ExtendedResponse');
  if (!code || code.tag !== 0x0a || code.end - code.contentStart !== 1) throw new MidtrustError('IO', 'the LDAP server\'s StartTLS answer has no result code');
  const result = bytes[code.contentStart];
  if (result !== 0) {
    const text = diagnostic?.tag === TAG.OCTET_STRING ? Buffer.from(bytes.subarray(diagnostic.contentStart, diagnostic.end)).toString('utf8') : '';
    throw new MidtrustError('IO', `the LDAP server refused StartTLS (resultCode ${result}${text ? `: ${text}` : ''}); use ldaps:// if it only offers LDAPS`);
  }
}
