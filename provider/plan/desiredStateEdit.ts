import { MidtrustError } from '../errors';
import { aliasKey } from '../keystore/model';
import { printable } from '../terminalText';
import { assertYamlNesting } from './yamlNesting';

/** A certificate to declare: pinned by its fingerprint, carried inline as PEM. */
export interface CertificateToDeclare {
  readonly alias: string;
  readonly der: Uint8Array;
  /** Lowercase hex SHA-256 of `der`; written as the entry's `sha256` pin. */
  readonly sha256: string;
  /** One line written as a comment above the entry (where it came from, when). */
  readonly comment?: string;
}

/**
 * Appends one certificate to the `certificates:` list of a desired-state file's text, keeping
 * every comment, key order and the rest of the formatting (the yaml package's Document API).
 * An alias already declared (case-insensitively, as Java compares) is INVALID_INPUT.
 *
 * @example
 * fs.writeFileSync(f, appendDesiredCertificate(fs.readFileSync(f, 'utf8'), { alias: 'acme-root', der, sha256 }));
 */
export function appendDesiredCertificate(text: string, cert: CertificateToDeclare, fileName = 'the desired-state file'): string {
  const yaml = require('yaml') as typeof import('yaml');
  assertYamlNesting(text, fileName, 'the desired-state file');
  const doc = yaml.parseDocument(text, { uniqueKeys: true });
  if (doc.errors.length > 0) throw new MidtrustError('INVALID_INPUT', `${fileName} is not valid YAML (${doc.errors[0].message.split('\n')[0]}); fix it before adding to it`);
  if (!yaml.isMap(doc.contents)) throw new MidtrustError('INVALID_INPUT', `${fileName} is not a desired-state file (no top-level mapping with keystore and certificates)`);
  let list = doc.get('certificates', true);
  if (list === undefined || list === null || (yaml.isScalar(list) && list.value === null)) {
    list = doc.createNode([]);
    doc.set('certificates', list);
  }
  if (!yaml.isSeq(list)) throw new MidtrustError('INVALID_INPUT', `${fileName}: 'certificates' is not a list`);
  for (const item of list.items) {
    const alias = yaml.isMap(item) ? item.get('alias') : undefined;
    if (typeof alias === 'string' && aliasKey(alias) === aliasKey(cert.alias)) {
      throw new MidtrustError('INVALID_INPUT', `${fileName} already declares the alias ${alias}; choose another --alias`);
    }
  }
  const pem = `-----BEGIN CERTIFICATE-----\n${(Buffer.from(cert.der).toString('base64').match(/.{1,64}/g) ?? []).join('\n')}\n-----END CERTIFICATE-----\n`;
  const node = doc.createNode({ alias: cert.alias, sha256: cert.sha256, pem });
  const pemNode = node.get('pem', true);
  if (yaml.isScalar(pemNode)) pemNode.type = 'BLOCK_LITERAL';
  // One line, nothing a terminal or editor acts on: the comment quotes a server's subject (ESC, BEL, RLO, newlines).
  if (cert.comment) node.commentBefore = ` ${printable(cert.comment)}`;
  list.flow = false;
  list.items.push(node);
  return inStyleOf(text, doc.toString({ lineWidth: 0 }));
}

/**
 * `edited` with the line endings and byte-order mark of `original`: a file written on Windows
 * (CRLF, often with a BOM from Notepad) stays a Windows file — the yaml package writes LF only.
 * The first line break of the original decides.
 */
function inStyleOf(original: string, edited: string): string {
  const bom = original.startsWith('\uFEFF') && !edited.startsWith('\uFEFF') ? '\uFEFF' : '';
  const firstBreak = /\r?\n/.exec(original)?.[0];
  const body = firstBreak === '\r\n' ? edited.replace(/\r?\n/g, '\r\n') : edited;
  return `${bom}${body}`;
}
