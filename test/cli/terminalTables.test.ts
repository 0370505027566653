/**
 * Tables read at 80 columns: on a terminal they fit its width (text gives way first, identifiers
 * keep both ends), through a pipe they keep every character.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { formatTable } from '../../provider/cli/formatTable';
import { writeKeystore } from '../../provider/keystore/keystoreCodec';
import { tempDir } from '../helpers/keytool';
import { midtrust } from '../helpers/midtrustCli';
import { JDK_CACERTS, needs } from '../helpers/requireTools';
import { makeCertificate } from '../rules/ruleFixtures';

const columnsOf = (line: string): number => [...line].length;
const env = { P: 'changeit' };

describe('terminal tables', () => {
  needs('jdkCacerts').it('ls of the JDK cacerts fits 80 columns on a terminal, each alias cut only in its middle', async () => {
    const r = await midtrust(['ls', JDK_CACERTS, '--storepass-env', 'P'], { env, terminal: { columns: 80 } });
    expect(r.code).toBe(0);
    const lines = r.stdout.trimEnd().split('\n');
    for (const line of lines.slice(1)) expect(columnsOf(line)).toBeLessThanOrEqual(80);
    expect(lines[1]).toMatch(/^ALIAS\s+KIND\s+SUBJECT CN\s+NOT AFTER\s+CA\s+SHA-256$/);
    const entries = JSON.parse((await midtrust(['ls', JDK_CACERTS, '--storepass-env', 'P', '--json'], { env })).stdout).entries as Array<{ alias: string; sha256: string }>;
    const rows = lines.slice(2, 2 + entries.length);
    entries.forEach((e, i) => {
      const [alias] = rows[i].split(/\s{2,}/);
      if (alias.includes('…')) {
        const [head, tail] = alias.split('…');
        expect(e.alias.startsWith(head) && e.alias.endsWith(tail)).toBe(true);
      } else {
        expect(alias).toBe(e.alias);
      }
      expect(rows[i]).toContain(`${e.sha256.slice(0, 16)}…`);
    });
    expect(lines.at(-1)).toMatch(/cut to fit 80 columns; --json shows them whole/);
  });

  needs('jdkCacerts').it('ls through a pipe keeps the full text, as a terminal wide enough shows it', async () => {
    const piped = await midtrust(['ls', JDK_CACERTS, '--storepass-env', 'P'], { env });
    const wide = await midtrust(['ls', JDK_CACERTS, '--storepass-env', 'P'], { env, terminal: { columns: 1000 } });
    expect(piped.stdout).toBe(wide.stdout);
    expect(piped.stdout).not.toMatch(/[^0-9a-f]…/); // only the SHA-256 prefixes end in …
    expect(Math.max(...piped.stdout.split('\n').map(columnsOf))).toBeGreaterThan(80);
  });

  describe('audit findings', () => {
    const dir = tempDir('mt-tables-');
    const store = path.join(dir, 'cacerts');
    const alias = 'corp-ldaps-issuing-ca-2019-replaced-2024.pem';
    beforeAll(async () => {
      const expired = await makeCertificate({ cn: 'Corp LDAPS Issuing CA 2019', notBefore: new Date(Date.now() - 400 * 86400000), notAfter: new Date(Date.now() - 86400000) });
      fs.writeFileSync(store, writeKeystore({ type: 'JKS', integrity: 'verified', entries: [{ alias, kind: 'trustedCertificate', timestamp: 1, certificates: [expired.der] }] }, env.P));
    });
    afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

    it('fit 80 columns on a terminal: the alias whole, the finding (with its fix) wrapped under its row', async () => {
      const r = await midtrust(['audit', store, '--storepass-env', 'P'], { env, terminal: { columns: 80 } });
      expect(r.code).toBe(1);
      const table = r.stdout.slice(r.stdout.indexOf('SEVERITY'));
      for (const line of table.trimEnd().split('\n')) expect(columnsOf(line)).toBeLessThanOrEqual(80);
      expect(table).not.toMatch(/cut to fit/);
      expect(table).toMatch(new RegExp(`^error\\s+certificate-expired\\s+${alias.replace(/\./g, '\\.')}$`, 'm'));
      expect(table.replace(/\n\s+/g, ' ')).toMatch(/\(Corp LDAPS Issuing CA 2019, sha256 [0-9a-f]{12}…\) expired on \d{4}-\d\d-\d\d\. Fix: replace it with the renewed certificate from its CA, or remove it \(state: absent\)/);
    });

    it('say the alias once in the table, while the JSON message keeps it', async () => {
      const r = await midtrust(['audit', store, '--storepass-env', 'P'], { env });
      const row = r.stdout.split('\n').find((l) => l.startsWith('error'));
      expect(row?.split(alias)).toHaveLength(2);
      const json = await midtrust(['audit', store, '--storepass-env', 'P', '--json'], { env });
      expect(JSON.parse(json.stdout).violations[0].message).toMatch(new RegExp(`^${alias.replace(/\./g, '\\.')} \\(Corp LDAPS`));
    });
  });

  it('formatTable cuts text at the end, identifiers in the middle, and leaves a table that fits alone', () => {
    const cols = [{ header: 'ALIAS', fit: 'id' as const }, { header: 'NOTE', fit: 'cut' as const }];
    expect(formatTable(cols, [['short', 'fits']], { width: 40 })).toBe('ALIAS  NOTE\nshort  fits\n');
    const cut = formatTable(cols, [['an-alias-of-thirty-characters!', 'a note that is much too long for the rest']], { width: 40 }).split('\n');
    expect(cut[1]).toBe('an-alias-of-thirty-characters!  a note …');
    const both = formatTable(cols, [['an-alias-of-forty-characters-000000000000', 'a note']], { width: 30 }).split('\n');
    expect(both[1]).toBe('an-alias-of…0000000000  a note');
    expect(both[2]).toMatch(/cut to fit 30 columns/);
  });

  it('formatTable puts wrapped text under its row, indented little when the first column is wide', () => {
    const cols = [{ header: 'ALIAS', fit: 'id' as const }, { header: 'SHA-256', fit: 'id' as const }, { header: 'WHY', fit: 'wrap' as const }];
    const why = 'a CA certificate: migrate_non_ca migrates only certificates whose Basic Constraints is false or absent';
    const lines = formatTable(cols, [['debian:trustwave_global_certification_authority.pem', '97552015f5ddfc3c…', why]], { width: 80 }).trimEnd().split('\n');
    expect(lines[0]).toMatch(/^ALIAS\s+SHA-256$/);
    expect(lines[1]).toBe('    WHY');
    expect(lines[2]).toMatch(/^debian:trustwave_global_certification_authority\.pem\s+97552015f5ddfc3c…$/);
    for (const line of lines) expect(columnsOf(line)).toBeLessThanOrEqual(80);
    expect(lines.slice(3).map((l) => l.trim()).join(' ')).toBe(why);
  });
});
