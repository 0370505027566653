import { Certificate } from '../certificate/certificate';
import { printable } from '../terminalText';
import type { EndpointVerdict } from './verifyEndpoint';

/** The `--json` contract of `midtrust verify` (DESIGN.md, issue #11). Other tools rely on it. */
export interface VerdictJson {
  readonly target: string;
  readonly trusted: boolean;
  readonly anchor: { readonly alias: string; readonly sha256: string } | null;
  readonly presented: ReadonlyArray<{ readonly subject: string; readonly issuer: string; readonly sha256: string; readonly notBefore: string; readonly notAfter: string }>;
  readonly problems: ReadonlyArray<{ readonly code: string; readonly message: string }>;
  readonly suggest: ReadonlyArray<{ readonly subject: string; readonly sha256?: string; readonly reason: string }>;
  /** The store judged, in which state and why ("/etc/mid/ts.p12 (external truststore wired in … line 7)"). */
  readonly store: string;
}

/**
 * The verdict in the JSON contract: `anchor` only when trusted; `presented` as the server sent it.
 *
 * @example
 * JSON.stringify(verdictJson(await verifyEndpoint('https://proxy:8443', { store })))
 */
export function verdictJson(v: EndpointVerdict): VerdictJson {
  const j = v.judgement;
  return {
    target: v.target.text,
    trusted: v.trusted,
    anchor: v.trusted && j.anchor ? { alias: j.anchor.alias, sha256: j.anchor.certificate.sha256 } : null,
    presented: v.presented.certificates.map((der) => {
      const c = Certificate.fromDer(der);
      try {
        const f = c.facts;
        return { subject: f.subject, issuer: f.issuer, sha256: c.sha256, notBefore: f.notBefore.toISOString(), notAfter: f.notAfter.toISOString() };
      } catch {
        return { subject: '(unreadable)', issuer: '(unreadable)', sha256: c.sha256, notBefore: '', notAfter: '' };
      }
    }),
    problems: j.problems.map((p) => ({ code: p.code, message: p.message })),
    suggest: j.suggestions.map((s) => ({ subject: s.subject, ...(s.sha256 ? { sha256: s.sha256 } : {}), reason: s.reason })),
    store: v.storeLabel,
  };
}

/**
 * The verdict for a person: verdict first, then the path (leaf → … → anchor alias), what the
 * server presented, what is wrong and the fix. Everything a server or a store supplied (subjects,
 * issuers, aliases, messages quoting them) is shown through {@link printable}: a newline in a
 * server's subject cannot start a line of its own, nor ESC or a bidi override act on the terminal.
 */
export function renderVerdict(v: EndpointVerdict): string {
  const j = v.judgement;
  const lines: string[] = [];
  const how = `${v.presented.protocol}${v.target.identity ? `, ${v.target.identity.algorithm} host-name check` : ''}`;
  lines.push(`Target   ${v.target.text} (${v.target.host}:${v.target.port}, ${how})`);
  lines.push(wrap(printable(v.storeLabel), 'Store    ', '         '));
  lines.push(`Verdict  ${v.trusted ? 'TRUSTED' : `NOT TRUSTED — in the MID log: "${javaFailure(v)}"`}`);
  const names = j.path.map(short);
  if (j.anchor) {
    const anchorName = j.route === 'pinned' ? 'the server certificate itself' : short(j.anchor.certificate);
    lines.push(wrap(`${[...(j.route === 'pinned' ? [] : names), `[${printable(j.anchor.alias)}] ${anchorName}`].join(' → ')}${v.trusted ? '' : '  (closest path; fails)'}`, 'Path     ', '         '));
  }
  if (j.identity.checked) lines.push(`Name     ${j.identity.matched ? `${j.identity.hostname} matches the server certificate` : `${j.identity.hostname} does NOT match the server certificate`} (${j.identity.algorithm} check)`);
  else lines.push(wrap("not checked: a bare host:port is a plain TLS socket, where Java checks no host name (give https://, ldaps:// or ldap:// for the client's check)", 'Name     ', '         '));
  lines.push('', 'Presented by the server:');
  v.presented.certificates.forEach((der, i) => {
    const c = Certificate.fromDer(der);
    let f;
    try {
      f = c.facts;
    } catch {
      lines.push(`  ${i + 1}. (unreadable certificate) sha256 ${c.sha256}`);
      return;
    }
    lines.push(`  ${i + 1}. ${printable(f.subject)}`);
    lines.push(`     issued by ${printable(f.issuer)}`);
    lines.push(`     valid ${f.notBefore.toISOString().slice(0, 10)} to ${f.notAfter.toISOString().slice(0, 10)}, ${printable(f.signatureAlgorithm)}`);
    lines.push(`     sha256 ${c.sha256}`);
  });
  if (j.problems.length > 0) {
    lines.push('', 'Problems:');
    for (const p of j.problems) lines.push(wrap(`${p.code}: ${printable(p.message)}`, '  - ', '    '));
  }
  if (j.suggestions.length > 0) {
    lines.push('', 'Fix:');
    for (const s of j.suggestions) {
      lines.push(wrap(`${printable(s.reason)}:`, '  - ', '    '));
      lines.push(`      ${printable(s.subject)}${s.sha256 ? `\n      sha256 ${s.sha256}` : '  (not sent by the server: get it from the CA)'}`);
    }
    const pin = j.suggestions.find((s) => s.sha256);
    if (pin) {
      lines.push('', '  To declare it, once the fingerprint matches the one your CA publishes:');
      lines.push(`    midtrust verify --target ${v.target.text} ... \\`, '      --write-desired <desired.yaml> --alias <name> \\', `      --sha256 ${pin.sha256}`);
    }
  }
  for (const n of [...j.notes, ...(v.note ? [v.note] : [])]) lines.push('', wrap(printable(n), 'Note: ', '      '));
  lines.push('', wrap(`JDK rules: ${v.policySource}`, '', '  '), wrap(`Judged for ${v.javaVersion}`, '', '  '));
  return `${lines.join('\n')}\n`;
}

/** The start of the exception a Java client logs, so the verdict can be matched with a MID log. */
function javaFailure(v: EndpointVerdict): string {
  const codes = new Set<string>(v.judgement.problems.map((p) => p.code));
  if (codes.size === 1 && codes.has('HOSTNAME_MISMATCH')) return 'No subject alternative names matching …';
  if (['ROOT_NOT_TRUSTED', 'ISSUER_NOT_SENT', 'SELF_SIGNED_NOT_TRUSTED', 'ANCHOR_KEY_MISMATCH'].some((c) => codes.has(c))) return 'PKIX path building failed';
  if ([...codes].every((c) => ['KEY_USAGE', 'EXTENDED_KEY_USAGE', 'NETSCAPE_CERT_TYPE', 'HOSTNAME_MISMATCH'].includes(c))) return 'Extended key usage / KeyUsage does not permit use for TLS server …';
  return v.judgement.route === 'built' ? 'PKIX path building failed' : 'PKIX path validation failed';
}

/**
 * Word-wraps `text` to 80 columns: `first` before the first line, `rest` before the others.
 *
 * @example
 * wrap('a long problem message …', '  - ', '    ')
 */
export function wrap(text: string, first: string, rest: string, width = 80): string {
  const out: string[] = [];
  let line = first;
  for (const word of text.split(/ +/)) {
    const prefix = out.length === 0 ? first : rest;
    if (line.length > prefix.length && line.length + 1 + word.length > width) {
      out.push(line);
      line = rest + word;
    } else {
      line = line.length > prefix.length ? `${line} ${word}` : line + word;
    }
  }
  out.push(line);
  return out.join('\n');
}

function short(c: Certificate): string {
  try {
    return printable(c.facts.subjectCommonName ? `CN=${c.facts.subjectCommonName}` : c.facts.subject);
  } catch {
    return `sha256 ${c.sha256.slice(0, 12)}…`;
  }
}
