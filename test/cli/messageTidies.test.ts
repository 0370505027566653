/** Messages that said a thing twice, claimed success for a no-op, or named the machine as "local". */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { writeKeystore } from '../../provider/keystore/keystoreCodec';
import { tempDir } from '../helpers/keytool';
import { midtrust } from '../helpers/midtrustCli';
import { acmePem } from '../pulumi/providerFixtures';

const dir = tempDir('mt-tidy-');
const env = { SP: 'tidy-Pass1' };
const store = path.join(dir, 'store.jks');

beforeAll(() => {
  fs.writeFileSync(store, writeKeystore({ type: 'JKS', integrity: 'verified', entries: [] }, env.SP));
  fs.writeFileSync(path.join(dir, 'root.pem'), acmePem('acme-root-ca'));
});

describe('message tidies', () => {
  it('a missing --file says "check the path" once', async () => {
    const r = await midtrust(['import', '--keystore', store, '--alias', 'a', '--file', 'nope.pem', '--storepass-env', 'SP'], { env, cwd: dir });
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/cannot read nope\.pem \(.*nope\.pem: does not exist/);
    expect(r.stderr.split('check the path').length).toBe(2);
  });

  it('delete of an absent alias says only that nothing had that name — not "matches the desired state"', async () => {
    const r = await midtrust(['delete', '--keystore', store, '--alias', 'not-there', '--storepass-env', 'SP'], { env, cwd: dir });
    expect(r.code).toBe(0);
    expect(r.stdout).toBe(`No entry named 'not-there' in ${store}: nothing was deleted (midtrust ls lists the aliases).\n`);
  });

  it('a --json error about a local path starts with the path, not "local /path"', async () => {
    fs.writeFileSync(path.join(dir, 'new.yaml'), 'keystore: { path: ./no-such-dir/s.p12, create: true, type: PKCS12 }\ncertificates: [ { alias: a, file: root.pem } ]\n');
    const r = await midtrust(['apply', '-f', 'new.yaml', '--json'], { env, cwd: dir });
    expect(r.code).toBe(1);
    const message = (JSON.parse(r.stdout) as { error: { message: string } }).error.message;
    expect(message.startsWith(`${path.join(dir, 'no-such-dir')}: the directory does not exist`)).toBe(true);
    expect(message).not.toMatch(/\blocal \//);
  });
});
