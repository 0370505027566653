/**
 * Every midtrust command under the official Windows node.exe (Wine), against a Windows MID home
 * `C:\ServiceNow\mid1`, with Linux keytool (Java 17) judging every store node.exe wrote. Where a
 * command only reads, the same command run by Linux node on the same files is the reference
 * (paths mapped): the Windows build must reach the same answer. The commands and their results
 * are printed as a table at the end — the Windows matrix.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { readKeystore, writeKeystore } from '../../provider/keystore/keystoreCodec';
import { keytoolList, runKeytool } from '../helpers/keytool';
import { midtrust } from '../helpers/midtrustCli';
import { promtool } from '../helpers/promtool';
import { JDK_CACERTS, needs } from '../helpers/requireTools';
import { WinePrefix } from '../helpers/windowsNode';
import { makeCertificateSet } from '../cli/applyFixtures';
import { PROFILE, startTlsServer, TestPki, type TlsServer } from '../verify/testPki';

const PASSWORD = 'changeit';
const env = { MID_STOREPASS: PASSWORD };
const HOME = 'C:\\ServiceNow\\mid1';
const CACERTS = `${HOME}\\agent\\jre\\lib\\security\\cacerts`;
const CONFIG_XML = `<?xml version="1.0" encoding="UTF-8"?>
<parameters>
    <parameter name="url" value="https://acme.service-now.com/"/>
    <parameter name="name" value="mid1"/>
    <parameter name="mid.truststore.migration.strategy" value="migrate_delta"/>
</parameters>
`;

/** A `C:\…` path that continues with a `/`: mixed separators, never acceptable in output. */
const MIXED = /[A-Za-z]:\\[^\s'",()]*\//;

needs('wine', 'keytool', 'jdkCacerts', 'openssl', 'promtool').describe('midtrust under the Windows node.exe (Wine), MID home C:\\ServiceNow\\mid1', () => {
  let wine: WinePrefix;
  /** Linux path of a C:\ path. */
  let L: (win: string) => string;
  const matrix: Array<[string, string]> = [];
  let pki: TestPki;
  let server: TlsServer;
  let rootAliases: string[];

  /** Runs midtrust under node.exe; records the row; checks no mixed separators in any output. */
  async function win(args: string[], want: number, opts: { stdin?: string; label?: string } = {}): Promise<{ stdout: string; stderr: string }> {
    const r = await wine.midtrust(args, { env, cwd: L('C:\\ServiceNow'), stdin: opts.stdin });
    const label = opts.label ?? args.join(' ').replace(' --storepass-env MID_STOREPASS', '').split(CACERTS).join('C:\\…\\cacerts').split('C:\\ServiceNow\\').join('');
    expect({ label, code: r.code, stderr: r.code === want ? '' : r.stderr, stdout: r.code === want ? '' : r.stdout }).toEqual({ label, code: want, stderr: '', stdout: '' });
    expect({ label, mixed: `${r.stdout}${r.stderr}`.match(MIXED)?.[0] ?? null }).toEqual({ label, mixed: null });
    matrix.push([label, `exit ${r.code}`]);
    return r;
  }

  /** The same command by Linux node on the same files (Windows paths mapped to Linux ones). */
  async function linux(args: string[]): Promise<{ code: number; stdout: string }> {
    const mapped = args.map((a) => (/^C:\\/.test(a) ? L(a) : a));
    const r = await midtrust(mapped, { env, cwd: L('C:\\ServiceNow') });
    return { code: r.code, stdout: r.stdout };
  }

  /** JSON with every path spelled the Linux way, for comparing a node.exe answer with Linux node's. */
  function normalizedJson(text: string, fromWindows: boolean): unknown {
    // Absolute paths as Linux sees them; relative ones (`agent\\conf\\wrapper-override.conf`) with /.
    const linuxPaths = (v: string): string => v.replace(/C:\\[^\s'"()]*/g, (p) => L(p)).replace(/\b[\w.-]+(?:\\[\w.-]+)+/g, (p) => p.replace(/\\/g, '/'));
    return JSON.parse(text, (_k, v: unknown) => (typeof v === 'string' && fromWindows ? linuxPaths(v) : v));
  }

  function note(label: string, result: string): void {
    matrix.push([label, result]);
  }

  beforeAll(async () => {
    wine = await WinePrefix.create();
    L = (p) => wine.toLinux(p);
    fs.mkdirSync(L(`${HOME}\\agent\\conf`), { recursive: true });
    fs.mkdirSync(L(`${HOME}\\agent\\jre\\lib\\security`), { recursive: true });
    fs.writeFileSync(L(`${HOME}\\agent\\config.xml`), CONFIG_XML);
    fs.writeFileSync(L(`${HOME}\\agent\\conf\\wrapper-override.conf`), 'wrapper.java.maxmemory=1024\r\n');
    const jdk = writeKeystore(readKeystore(fs.readFileSync(JDK_CACERTS), { password: PASSWORD }), PASSWORD);
    fs.writeFileSync(L(CACERTS), jdk);
    rootAliases = keytoolList(L(CACERTS), PASSWORD).map((e) => e.alias);
    // The next JRE's cacerts: the JDK's, without anything added here.
    fs.mkdirSync(L('C:\\ServiceNow\\incoming'), { recursive: true });
    fs.writeFileSync(L('C:\\ServiceNow\\incoming\\cacerts'), jdk);
    const certs = makeCertificateSet(2);
    fs.mkdirSync(L('C:\\ServiceNow\\certs'));
    for (const f of ['root.pem', 'chain.pem', 'leaf0.pem', 'leaf1.pem']) fs.copyFileSync(path.join(certs.dir, f), L(`C:\\ServiceNow\\certs\\${f}`));
    fs.writeFileSync(
      L('C:\\ServiceNow\\desired.yaml'),
      `keystore:\r\n  midHome: ${HOME}\r\n  password: { env: MID_STOREPASS }\r\ncertificates:\r\n  - alias: acme-root\r\n    file: certs\\root.pem\r\n  - alias: acme-chain\r\n    file: certs\\chain.pem\r\n`,
    );
    pki = new TestPki(L('C:\\ServiceNow\\pki'));
    pki.issue('vroot', { subject: '/CN=Verify Root', issuer: 'self', ext: PROFILE.root });
    pki.issue('vserver', { subject: '/CN=localhost', issuer: 'vroot', ext: PROFILE.server() });
    // The server sends its root too: --write-desired declares only what the server presented.
    server = await startTlsServer(pki, 'vserver', ['vroot']);
  }, 120_000);

  afterAll(async () => {
    await server?.stop();
    await wine?.stop();
    const width = Math.max(...matrix.map(([c]) => c.length), 7);
    console.log(['Windows matrix (node.exe under Wine):', `${'COMMAND'.padEnd(width)}  RESULT`, ...matrix.map(([c, r]) => `${c.padEnd(width)}  ${r}`)].join('\n'));
  });

  it('ls (table and --json) lists what keytool lists, the path in Windows form', async () => {
    await win(['ls', CACERTS, '--storepass-env', 'MID_STOREPASS'], 0);
    const r = await win(['ls', CACERTS, '--storepass-env', 'MID_STOREPASS', '--json'], 0);
    const listed = JSON.parse(r.stdout) as { path: string; verified: boolean; entries: Array<{ alias: string; sha256: string }> };
    expect(listed.path).toBe(CACERTS);
    expect(listed.verified).toBe(true);
    expect(listed.entries.map((e) => [e.alias, e.sha256]).sort()).toEqual(keytoolList(L(CACERTS), PASSWORD).map((e) => [e.alias, e.sha256]).sort());
    expect(normalizedJson(r.stdout, true)).toEqual(normalizedJson((await linux(['ls', CACERTS, '--storepass-env', 'MID_STOREPASS', '--json'])).stdout, false));
  });

  it('--storepass-file with a BOM and CRLF (Notepad) verifies the store', async () => {
    fs.writeFileSync(L('C:\\ServiceNow\\storepass.txt'), `\uFEFF${PASSWORD}\r\n`);
    const r = await win(['ls', CACERTS, '--storepass-file', 'C:\\ServiceNow\\storepass.txt', '--json'], 0, { label: 'ls --storepass-file (BOM, CRLF)' });
    expect(JSON.parse(r.stdout).verified).toBe(true);
    const s = await win(['ls', CACERTS, '--storepass-stdin', '--json'], 0, { stdin: `${PASSWORD}\r\n`, label: 'ls --storepass-stdin (CRLF)' });
    expect(JSON.parse(s.stdout).verified).toBe(true);
  });

  it('plan → apply → plan on a CRLF desired file with backslash paths; keytool sees the chain', async () => {
    await win(['plan', '-f', 'C:\\ServiceNow\\desired.yaml'], 2);
    const a = await win(['apply', '-f', 'C:\\ServiceNow\\desired.yaml'], 0);
    expect(a.stdout).toContain(`Wrote ${CACERTS}.`);
    await win(['plan', '-f', 'C:\\ServiceNow\\desired.yaml'], 0, { label: 'plan -f C:\\ServiceNow\\desired.yaml (again)' });
    const aliases = keytoolList(L(CACERTS), PASSWORD).map((e) => e.alias);
    expect(aliases).toEqual(expect.arrayContaining(['acme-root', 'acme-chain', 'acme-chain-2']));
    expect(aliases).toHaveLength(rootAliases.length + 3);
    expect(fs.readdirSync(L(`${HOME}\\agent\\jre\\lib\\security`))).toEqual(['cacerts']);
  });

  it('drift (keytool -delete by hand) is planned and repaired', async () => {
    runKeytool(['-delete', '-alias', 'acme-root', '-keystore', L(CACERTS), '-storepass:env', 'MID_STOREPASS'], { env });
    const p = await win(['plan', '-f', 'C:\\ServiceNow\\desired.yaml'], 2, { label: 'plan (after keytool -delete: drift)' });
    expect(p.stdout).toContain('acme-root');
    await win(['apply', '-f', 'C:\\ServiceNow\\desired.yaml'], 0, { label: 'apply (repairs the drift)' });
    expect(keytoolList(L(CACERTS), PASSWORD).map((e) => e.alias)).toContain('acme-root');
  });

  it('import and delete one certificate', async () => {
    await win(['import', '--keystore', CACERTS, '--alias', 'leaf-0', '--file', 'C:\\ServiceNow\\certs\\leaf0.pem', '--storepass-env', 'MID_STOREPASS'], 0);
    expect(keytoolList(L(CACERTS), PASSWORD).map((e) => e.alias)).toContain('leaf-0');
    await win(['delete', '--keystore', CACERTS, '--alias', 'leaf-0', '--storepass-env', 'MID_STOREPASS'], 0);
    expect(keytoolList(L(CACERTS), PASSWORD).map((e) => e.alias)).not.toContain('leaf-0');
  });

  it('upgrade-preview reaches the same answer as on Linux; lint finds the duplicate', async () => {
    const preview = ['upgrade-preview', '--mid-home', HOME, '--incoming', 'C:\\ServiceNow\\incoming\\cacerts', '--storepass-env', 'MID_STOREPASS', '--json'];
    const w = await win(preview, 0);
    const migrated = (JSON.parse(w.stdout) as { entries: Array<{ alias: string; outcome: string }> }).entries.filter((e) => e.outcome === 'migrated').map((e) => e.alias);
    expect(migrated).toEqual(expect.arrayContaining(['snc_acme-root', 'snc_acme-chain', 'snc_acme-chain-2']));
    expect(normalizedJson(w.stdout, true)).toEqual(normalizedJson((await linux(preview)).stdout, false));
    await win(preview.slice(0, -1), 0, { label: 'upgrade-preview (text)' });
    const lint = ['lint', '-f', 'C:\\ServiceNow\\desired.yaml', '--json'];
    // The desired file is a Windows one (backslash relative paths): Linux node cannot read it, so
    // here the finding itself is the oracle — chain.pem ends with root.pem.
    const l = await win(lint, 0);
    const found = (JSON.parse(l.stdout) as { violations: Array<{ rule: string; alias: string }> }).violations.map((v) => `${v.rule} ${v.alias}`);
    expect(found).toEqual(['duplicate-certificate acme-chain-2']);
  });

  it('migrate writes the product backups under agent\\work\\truststore_migration\\<epoch>\\ and says so in one path style', async () => {
    const r = await win(['migrate', '--mid-home', HOME, '--incoming', 'C:\\ServiceNow\\incoming\\cacerts', '--storepass-env', 'MID_STOREPASS'], 0);
    const m = /Backups: (C:\\ServiceNow\\mid1\\agent\\work\\truststore_migration\\(\d+)\\cacerts_before), cacerts_from_upgrade/.exec(r.stdout);
    expect(m).not.toBeNull();
    const backupDir = path.dirname(L(m![1]));
    expect(fs.readdirSync(backupDir).sort()).toEqual(['cacerts_before', 'cacerts_from_upgrade']);
    // keytool: the backup is the store as it was; the new store is the incoming one plus snc_ copies.
    expect(keytoolList(L(m![1]), PASSWORD).map((e) => e.alias)).toEqual(expect.arrayContaining(['acme-root', 'acme-chain']));
    const now = keytoolList(L(CACERTS), PASSWORD).map((e) => e.alias);
    expect(now).toEqual(expect.arrayContaining(['snc_acme-root', 'snc_acme-chain', 'snc_acme-chain-2']));
    expect(now).not.toContain('acme-root');
  });

  it('restore puts back what an upgrade lost (keytool)', async () => {
    // The upgrade as the product does it without migration: the JRE's cacerts replaced wholesale.
    fs.copyFileSync(L('C:\\ServiceNow\\incoming\\cacerts'), L(CACERTS));
    const r = await win(['restore', '--mid-home', HOME, '--storepass-env', 'MID_STOREPASS'], 0);
    // chain.pem ends with root.pem: that certificate comes back once (as acme-chain-2).
    expect(r.stdout).toMatch(/Restored 2 certificate\(s\):\n {2}\+ acme-chain .*\n {2}\+ acme-chain-2 /);
    expect(keytoolList(L(CACERTS), PASSWORD).map((e) => e.alias)).toEqual(expect.arrayContaining(['acme-chain', 'acme-chain-2']));
  });

  it('audit: the same findings as Linux node, except what only POSIX modes can tell', async () => {
    const audit = ['audit', '--mid-home', HOME, '--storepass-env', 'MID_STOREPASS', '--json'];
    // The JDK's bundle holds expired roots: the vendor's, reported apart, exit 0 on both.
    const w = await win(audit, 0, { label: 'audit --mid-home (expired JDK roots are the vendor roots: exit 0)' });
    const l = await linux(audit);
    expect(l.code).toBe(0);
    type Found = { violations: Array<{ rule: string; message: string }>; vendorFindings: Array<{ rule: string; alias: string }> };
    const vendor = (f: Found): string[] => f.vendorFindings.map((v) => `${v.rule} ${v.alias}`);
    expect(vendor(normalizedJson(w.stdout, true) as Found)).toEqual(vendor(normalizedJson(l.stdout, false) as Found));
    expect(vendor(normalizedJson(w.stdout, true) as Found)).toEqual(expect.arrayContaining([expect.stringMatching(/^certificate-expired /)]));
    const onWindows = (normalizedJson(w.stdout, true) as Found).violations;
    const onLinux = (normalizedJson(l.stdout, false) as Found).violations;
    // Wine made the backup directories with Linux's default modes (0755): Linux node sees that;
    // node.exe cannot (a Windows ACL is not in the mode bits) and claims nothing.
    expect(onWindows.filter((v) => v.rule === 'readable-by-everyone')).toEqual([]);
    expect(onLinux.filter((v) => v.rule === 'readable-by-everyone').map((v) => v.message)).toEqual(expect.arrayContaining([expect.stringContaining('truststore_migration')]));
    expect(onWindows).toEqual(onLinux.filter((v) => v.rule !== 'readable-by-everyone'));
    note('  audit: readable-by-everyone', 'Linux node: reported (mode 0755); node.exe: not claimed');
  });

  it('report: html, json and prometheus files written by node.exe (promtool judges the metrics)', async () => {
    for (const format of ['html', 'json', 'prometheus']) {
      const out = `C:\\ServiceNow\\reports\\posture.${format}`;
      fs.mkdirSync(L('C:\\ServiceNow\\reports'), { recursive: true });
      await win(['report', '--mid-home', HOME, '-f', 'C:\\ServiceNow\\desired.yaml', '--storepass-env', 'MID_STOREPASS', '--format', format, '-o', out], 0);
      const text = fs.readFileSync(L(out), 'utf8');
      if (format === 'html') expect(text).toMatch(/^<!DOCTYPE html>/i);
      if (format === 'json') expect(JSON.stringify(JSON.parse(text))).toContain('acme-root');
      if (format === 'prometheus') expect(promtool(['check', 'metrics'], text)).toEqual({ code: 0, output: '' });
    }
  });

  it('verify: trusted, not trusted, after the upgrade, unreachable — as Linux node judges them', async () => {
    const target = `127.0.0.1:${server.port}`;
    // Not trusted: the MID's store lacks the server's root.
    const no = ['verify', '--target', target, '--mid-home', HOME, '--storepass-env', 'MID_STOREPASS', '--json'];
    const n = await win(no, 2, { label: 'verify --mid-home (not trusted)' });
    expect(JSON.parse(n.stdout).trusted).toBe(false);
    expect(normalizedJson(n.stdout, true)).toEqual(normalizedJson((await linux(no)).stdout, false));
    // --write-desired on a CRLF file: the root is declared, the file stays CRLF.
    const desired = 'C:\\ServiceNow\\verify-desired.yaml';
    fs.writeFileSync(L(desired), `# Windows file\r\nkeystore:\r\n  midHome: ${HOME}\r\n  password: { env: MID_STOREPASS }\r\ncertificates:\r\n  - alias: acme-root\r\n    file: certs\\root.pem\r\n`);
    await win(['verify', '--target', target, '--mid-home', HOME, '--storepass-env', 'MID_STOREPASS', '--write-desired', desired, '--alias', 'verify-root', '--yes'], 2, { label: 'verify --write-desired (CRLF file)' });
    const edited = fs.readFileSync(L(desired), 'utf8');
    expect(edited).toContain('alias: verify-root');
    expect(edited.replace(/\r\n/g, '')).not.toContain('\n');
    await win(['apply', '-f', desired], 0, { label: 'apply -f (the written desired file)' });
    // Trusted now (after apply), and after the next upgrade (migrate_delta keeps it as snc_…).
    const yes = ['verify', '--target', target, '--mid-home', HOME, '--storepass-env', 'MID_STOREPASS', '--json'];
    const y = await win(yes, 0, { label: 'verify --mid-home (trusted)' });
    expect(JSON.parse(y.stdout).anchor.alias).toBe('verify-root');
    expect(normalizedJson(y.stdout, true)).toEqual(normalizedJson((await linux(yes)).stdout, false));
    const after = ['verify', '--target', target, '--mid-home', HOME, '--after-upgrade', '--incoming', 'C:\\ServiceNow\\incoming\\cacerts', '--storepass-env', 'MID_STOREPASS', '--json'];
    const u = await win(after, 0, { label: 'verify --after-upgrade (trusted as snc_verify-root)' });
    expect(JSON.parse(u.stdout).anchor.alias).toBe('snc_verify-root');
    expect(normalizedJson(u.stdout, true)).toEqual(normalizedJson((await linux(after)).stdout, false));
    // Unreachable: an error, never a verdict.
    const closed = await startTlsServer(pki, 'vserver', []);
    await closed.stop();
    const gone = await win(['verify', '--target', `127.0.0.1:${closed.port}`, '--mid-home', HOME, '--storepass-env', 'MID_STOREPASS', '--json', '--timeout', '5'], 1, { label: 'verify (unreachable: exit 1)' });
    expect(JSON.parse(gone.stdout).error.code).toBeDefined();
  });

  it('demo --dir C:\\ServiceNow\\demo runs the whole walk-through; keytool checks its store', async () => {
    const r = await win(['demo', '--dir', 'C:\\ServiceNow\\demo'], 0);
    expect(r.stdout).toContain('Created C:\\ServiceNow\\demo\\mid-server');
    const store = L('C:\\ServiceNow\\demo\\mid-server\\agent\\jre\\lib\\security\\cacerts');
    expect(keytoolList(store, PASSWORD).map((e) => e.alias)).toEqual(expect.arrayContaining(['acme-root-ca', 'acme-issuing-ca', 'proxy-acme-example']));
  });
});
