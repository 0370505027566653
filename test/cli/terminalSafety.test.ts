/**
 * Issue #13 item 8: text from certificates reaches a terminal escaped. A subject crafted with ANSI
 * escapes (clear screen, colours) or a bidirectional override used to be printed raw by
 * `midtrust ls`; keytool imported it without complaint, so the store is a real one.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { printable } from '../../provider/cli/formatTable';
import { buildCertificate, rdn, toPem } from '../certificate/certificateBuilder';
import { keytoolList, runKeytool, tempDir } from '../helpers/keytool';
import { midtrust } from '../helpers/midtrustCli';

const CN = '2.5.4.3';
const UTF8 = 0x0c;

let dir: string;
beforeAll(() => {
  dir = tempDir('mt-tty-');
});
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

describe('certificate text printed on a terminal', () => {
  it('ls shows a subject with ANSI escapes and a bidi override escaped, never raw', async () => {
    const evil = 'evil\u001b[2J\u001b[31mRED\u009b0m\u202egnp.exe';
    fs.writeFileSync(path.join(dir, 'evil.pem'), toPem([buildCertificate({ subject: [rdn(CN, UTF8, Buffer.from(evil, 'utf8'))] })]));
    const store = path.join(dir, 'cacerts');
    runKeytool(['-importcert', '-noprompt', '-alias', 'evil', '-file', path.join(dir, 'evil.pem'), '-keystore', store, '-storetype', 'JKS', '-storepass:env', 'SP'], { env: { SP: 'changeit' } });
    expect(keytoolList(store, 'changeit').map((e) => e.alias)).toEqual(['evil']);

    const r = await midtrust(['ls', store, '--storepass-env', 'SP'], { env: { SP: 'changeit' } });
    expect(r.code).toBe(0);
    for (const raw of ['\u001b', '\u009b', '\u202e']) expect(r.stdout).not.toContain(raw);
    expect(r.stdout).toContain('evil\\x1b[2J\\x1b[31mRED\\x9b0m\\u{202e}gnp.exe');
    // JSON keeps the exact text: JSON.stringify escapes control characters itself.
    const json = await midtrust(['ls', store, '--storepass-env', 'SP', '--json'], { env: { SP: 'changeit' } });
    expect(JSON.parse(json.stdout).entries[0].subject).toContain(evil);
  });

  it('printable leaves ordinary text, accents and emoji alone', () => {
    expect(printable('CN=Zürich Root CA 🌍, O=ACME')).toBe('CN=Zürich Root CA 🌍, O=ACME');
    expect(printable('a\tb\r\nc\u007f')).toBe('a\\x09b\\x0d\\x0ac\\x7f');
  });
});
