/**
 * Issue #19 item 11: an inventory whose key file is not a usable private key failed inside the
 * SSH library as "internal error: Cannot parse privateKey"; it is now refused when the inventory
 * loads, naming the host, the file and why — never quoting the file.
 */
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { loadInventory } from '../../provider/fleet/inventory';
import { openssl, tempDir } from '../helpers/keytool';
import { midtrust } from '../helpers/midtrustCli';
import { needs } from '../helpers/requireTools';

needs('sshd', 'openssl').describe('an inventory key file that is not a private key', () => {
  const dir = tempDir('mt-invkey-');
  const desired = path.join(dir, 'd.yaml');
  beforeAll(() => {
    fs.writeFileSync(desired, 'keystore:\n  midHome: /opt/mid\ncertificates: []\n');
    execFileSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-f', path.join(dir, 'id_ed25519')]);
    execFileSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', 'secret-phrase', '-f', path.join(dir, 'id_encrypted')]);
    openssl(['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-keyout', 'x.key', '-out', 'cert.pem', '-days', '3', '-subj', '/CN=not a key'], { cwd: dir });
    fs.writeFileSync(path.join(dir, 'notes.txt'), 'SECRET-LOOKING CONTENT 12345\n');
  });
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

  const inventory = (keyFile: string): string => {
    const f = path.join(dir, 'hosts.yaml');
    fs.writeFileSync(f, `hosts:\n  - name: mid-lon-01\n    host: 127.0.0.1\n    port: 1\n    user: root\n    midHome: /opt/mid\n    privateKeyFile: ${keyFile}\n    hostKeyFingerprint: SHA256:${'A'.repeat(43)}\n`);
    return f;
  };

  it.each([
    ['a certificate', 'cert.pem', /it is a certificate, not a private key/],
    ['a public key', 'id_ed25519.pub', /it is a public key; give the private key/],
    ['a text file', 'notes.txt', /it is not a private key the SSH client can read \(.*\); give an OpenSSH or PEM private key/],
    ['an encrypted key', 'id_encrypted', /it is encrypted and no passphrase was given/],
  ])('%s: the host and the file named, exit 1, no internal error, no content', async (_what, keyFile, why) => {
    const r = await midtrust(['plan', '-f', desired, '--inventory', inventory(keyFile)], { cwd: dir });
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(`hosts.yaml: host mid-lon-01: the private key file ${keyFile} cannot be used: `);
    expect(r.stderr).toMatch(why);
    expect(r.stderr + r.stdout).not.toMatch(/internal error|SECRET-LOOKING|BEGIN/);
    const j = await midtrust(['plan', '-f', desired, '--inventory', inventory(keyFile), '--json'], { cwd: dir });
    expect(JSON.parse(j.stdout).error.code).toBe('INVALID_INPUT');
  });

  it('a real private key loads', () => {
    const [host] = loadInventory(inventory('id_ed25519'), {});
    expect(host.connection.privateKey).toMatch(/BEGIN OPENSSH PRIVATE KEY/);
  });
});
