/**
 * `import --file fullchain.pem`: a server's chain file holds its own (end-entity) certificate
 * next to the CAs. Imported whole, the server's certificate would become a trust anchor (keytool
 * takes only the first one: the leaf). Import refuses and says which, unless told what to do.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { writeKeystore } from '../../provider/keystore/keystoreCodec';
import { keytoolList, openssl, tempDir } from '../helpers/keytool';
import { midtrust } from '../helpers/midtrustCli';
import { needs } from '../helpers/requireTools';

const dir = tempDir('mt-import-chain-');
const env = { SP: 'import-Pass1' };
const fingerprint = (pem: string): string => openssl(['x509', '-noout', '-fingerprint', '-sha256', '-in', path.join(dir, pem)]).split('=')[1].trim().replace(/:/g, '').toLowerCase();

needs('openssl', 'keytool').describe('import of a fullchain.pem (leaf + CA)', () => {
  beforeAll(() => {
    const ssl = (args: string[]) => openssl(args, { cwd: dir });
    ssl(['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-keyout', 'root.key', '-out', 'root.pem', '-days', '365', '-subj', '/CN=ACME Root CA', '-addext', 'basicConstraints=critical,CA:TRUE']);
    ssl(['req', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-keyout', 'leaf.key', '-out', 'leaf.csr', '-subj', '/CN=ldap.acme.example']);
    fs.writeFileSync(path.join(dir, 'leaf.ext'), 'basicConstraints=CA:FALSE\nsubjectAltName=DNS:ldap.acme.example\n');
    ssl(['x509', '-req', '-in', 'leaf.csr', '-CA', 'root.pem', '-CAkey', 'root.key', '-CAcreateserial', '-out', 'leaf.pem', '-days', '100', '-extfile', 'leaf.ext']);
    for (const name of ['refused.jks', 'ca-only.jks', 'all.jks', 'one.jks']) fs.writeFileSync(path.join(dir, name), writeKeystore({ type: 'JKS', integrity: 'verified', entries: [] }, env.SP));
    fs.writeFileSync(path.join(dir, 'fullchain.pem'), fs.readFileSync(path.join(dir, 'leaf.pem'), 'utf8') + fs.readFileSync(path.join(dir, 'root.pem'), 'utf8'));
  });

  const store = (name: string): string => path.join(dir, name);
  const run = (name: string, ...more: string[]) => midtrust(['import', '--keystore', store(name), '--alias', 'acme', '--file', 'fullchain.pem', '--storepass-env', 'SP', ...more], { env, cwd: dir });

  it('refuses by default, naming the end-entity certificate and the two ways on; writes nothing', async () => {
    const r = await run('refused.jks');
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/fullchain\.pem: certificate 1 of 2 \(CN=ldap\.acme\.example\) is an end-entity certificate \(not a CA\), next to 1 CA certificate\(s\)/);
    expect(r.stderr).toMatch(/--ca-only to import the CA certificates only[^]*--allow-end-entity to import all 2/);
    expect(keytoolList(store('refused.jks'), env.SP)).toEqual([]);
    const j = await run('refused.jks', '--json');
    expect(JSON.parse(j.stdout).error.code).toBe('INVALID_INPUT');
  });

  it('--ca-only trusts the CA under the alias, and only it (keytool lists it)', async () => {
    const r = await run('ca-only.jks', '--ca-only');
    expect(r.code).toBe(0);
    expect(keytoolList(store('ca-only.jks'), env.SP).map((e) => `${e.alias} ${e.sha256}`)).toEqual([`acme ${fingerprint('root.pem')}`]);
  });

  it('--allow-end-entity imports both, as a chain file is declared (acme, acme-2)', async () => {
    const r = await run('all.jks', '--allow-end-entity');
    expect(r.code).toBe(0);
    const listed = keytoolList(store('all.jks'), env.SP).map((e) => `${e.alias} ${e.sha256}`).sort();
    expect(listed).toEqual([`acme ${fingerprint('leaf.pem')}`, `acme-2 ${fingerprint('root.pem')}`]);
  });

  it('a single end-entity certificate (no CA next to it) is imported as before: the choice is explicit in the file', async () => {
    const r = await midtrust(['import', '--keystore', store('one.jks'), '--alias', 'ldap', '--file', 'leaf.pem', '--storepass-env', 'SP'], { env, cwd: dir });
    expect(r.code).toBe(0);
    expect(keytoolList(store('one.jks'), env.SP).map((e) => e.alias)).toEqual(['ldap']);
  });
});
