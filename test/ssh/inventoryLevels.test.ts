/**
 * How an inventory resolves (provider/fleet/inventory.ts): defaults < group < host, a key or
 * password source replaced as a whole, null removing a wider level's become or jump hosts, jump
 * hosts defaulting from their host (jumpHostSpec), and clear errors naming the host. Plus: the
 * inventory shown in docs/fleet.md is valid against the schema.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { loadInventory, type InventoryHost } from '../../provider/fleet/inventory';
import { validateAgainstSchema } from '../../provider/plan/schemaValidation';
import { errorOf } from '../helpers/errorOf';
import { tempDir } from '../helpers/keytool';
import { ROOT } from '../helpers/midtrustCli';

const FP = (c: string) => `SHA256:${c.repeat(43)}`;
const dir = tempDir('mt-inventory-');
fs.writeFileSync(path.join(dir, 'key'), 'KEY-FROM-FILE');
fs.writeFileSync(path.join(dir, 'pass.txt'), 'passphrase-from-file\nignored\n');
fs.writeFileSync(path.join(dir, 'store.txt'), 'store-from-file\n');
const env = { KEY: 'KEY-FROM-ENV', PASS: 'passphrase-from-env', STORE_A: 'store-a', STORE_D: 'store-defaults', SSH_AUTH_SOCK: '/run/agent.sock' };

function load(yaml: string, vars: Record<string, string | undefined> = env): InventoryHost[] {
  const f = path.join(dir, `inv-${Math.random().toString(36).slice(2)}.yaml`);
  fs.writeFileSync(f, yaml);
  return loadInventory(f, vars);
}

const BASE = `defaults:
  user: admin
  knownHostsFile: known_hosts
  agent: true
  become: snc_mid
  storePasswordEnv: STORE_D
groups:
  emea:
    privateKeyFile: key
    privateKeyPassphraseFile: pass.txt
    storePasswordFile: store.txt
    proxyJump: [{ host: bastion, hostKeyFingerprint: '${FP('B')}' }]
`;

test('levels: defaults < group < host; a source family replaced whole; null removes become', () => {
  const [a, b, c] = load(`${BASE}hosts:
  - { name: a, host: h-a, midHome: /m, storePasswordEnv: STORE_A }
  - { name: b, host: h-b, midHome: /m, group: emea }
  - { name: c, host: h-c, midHome: /m, group: emea, privateKeyEnv: KEY, privateKeyPassphraseEnv: PASS, become: null, proxyJump: null, user: mid }
`);
  expect(a.connection).toMatchObject({ user: 'admin', agent: '/run/agent.sock', become: { user: 'snc_mid' } });
  expect(a.connection.privateKey).toBeUndefined();
  expect(a.storePassword?.reveal()).toBe('store-a');
  // The group's key file replaces the defaults' agent; its passphrase file is read (first line).
  expect(b.connection).toMatchObject({ privateKey: 'KEY-FROM-FILE', passphrase: 'passphrase-from-file', become: { user: 'snc_mid' } });
  expect(b.connection.agent).toBeUndefined();
  expect(b.storePassword?.reveal()).toBe('store-from-file');
  expect(JSON.stringify(b)).not.toContain('store-from-file'); // a Secret prints as [secret]
  // The hop: its own pinned key, the host's user, key and passphrase; not the host's known_hosts (it pins its own).
  expect(b.connection.jump).toEqual([{ host: 'bastion', port: 22, user: 'admin', privateKey: 'KEY-FROM-FILE', passphrase: 'passphrase-from-file', hostKeyFingerprint: FP('B') }]);
  expect(c.connection).toMatchObject({ user: 'mid', privateKey: 'KEY-FROM-ENV', passphrase: 'passphrase-from-env' });
  expect(c.connection.become).toBeUndefined();
  expect(c.connection.jump).toBeUndefined();
});

test('a jump host without its own host key uses the host\'s known_hosts file; with neither it is refused', () => {
  const [h] = load(`hosts:\n  - { name: x, host: t, midHome: /m, user: u, knownHostsFile: kh, privateKeyFile: key, proxyJump: [{ host: j, user: jumper, port: 2222 }] }\n`);
  expect(h.connection.jump).toEqual([{ host: 'j', port: 2222, user: 'jumper', privateKey: 'KEY-FROM-FILE', knownHostsFile: path.join(dir, 'kh') }]);
  const e = errorOf(() => load(`hosts:\n  - { name: x, host: t, midHome: /m, user: u, hostKeyFingerprint: '${FP('T')}', proxyJump: [{ host: j }] }\n`));
  expect(e.message).toMatch(/host x: proxyJump\[0\] \(j\): give knownHostsFile or hostKeyFingerprint for the jump host/);
});

test.each([
  ['an unknown group', `hosts:\n  - { name: x, host: t, midHome: /m, user: u, knownHostsFile: k, group: nope }\n`, env, /host x: group nope is not defined under groups/],
  ['two sources at one level', `hosts:\n  - { name: x, host: t, midHome: /m, user: u, knownHostsFile: k, storePasswordEnv: STORE_A, storePasswordFile: store.txt }\n`, env, /host x: give one of storePasswordEnv or storePasswordFile, not both/],
  ['agent: true without an agent', `hosts:\n  - { name: x, host: t, midHome: /m, user: u, knownHostsFile: k, agent: true }\n`, {}, /host x: agent: true, but SSH_AUTH_SOCK is not set/],
  ['an empty store password', `hosts:\n  - { name: x, host: t, midHome: /m, user: u, knownHostsFile: k, storePasswordEnv: EMPTY }\n`, { EMPTY: '' }, /host x: the environment variable EMPTY \(store password\) is empty/],
  ['a become user that is not an account name', `hosts:\n  - { name: x, host: t, midHome: /m, user: u, knownHostsFile: k, become: "root; rm -rf /" }\n`, env, /become/],
])('refused: %s', (_name, yaml, vars, message) => {
  expect(errorOf(() => load(yaml, vars)).message).toMatch(message);
});

test('the inventory docs/fleet.md shows is valid against schema/inventory.schema.json', () => {
  const doc = fs.readFileSync(path.join(ROOT, 'docs', 'fleet.md'), 'utf8');
  const block = /```yaml\n(# hosts\.yaml[^]*?)```/.exec(doc)?.[1];
  expect(block).toBeDefined();
  const data = (require('yaml') as typeof import('yaml')).parse(block as string);
  expect(validateAgainstSchema('inventory.schema.json', data)).toEqual([]);
  expect(data.groups.emea.proxyJump).toHaveLength(1);
});
