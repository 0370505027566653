/**
 * How an inventory resolves (provider/fleet/inventory.ts): defaults < group < host, a key or
 * password source replaced as a whole, null removing a wider level's become or jump hosts, jump
 * hosts defaulting from their host (jumpHostSpec), and clear errors naming the host. Plus: the
 * inventory shown in docs/fleet.md is valid against the schema.
 */
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { loadInventory, type InventoryHost } from '../../provider/fleet/inventory';
import { validateAgainstSchema } from '../../provider/plan/schemaValidation';
import { errorOf } from '../helpers/errorOf';
import { tempDir } from '../helpers/keytool';
import { ROOT } from '../helpers/midtrustCli';

const FP = (c: string) => `SHA256:${c.repeat(43)}`;
const dir = tempDir('mt-inventory-');
// Real encrypted keys: the inventory checks a key opens with its passphrase when it reads it.
execFileSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', 'passphrase-from-file', '-f', path.join(dir, 'key')]);
execFileSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', 'passphrase-from-env', '-f', path.join(dir, 'envkey')]);
const KEY_FROM_FILE = fs.readFileSync(path.join(dir, 'key'), 'utf8');
const KEY_FROM_ENV = fs.readFileSync(path.join(dir, 'envkey'), 'utf8');
fs.writeFileSync(path.join(dir, 'pass.txt'), 'passphrase-from-file\nignored\n');
fs.writeFileSync(path.join(dir, 'store.txt'), 'store-from-file\n');
const env = { KEY: KEY_FROM_ENV, PASS: 'passphrase-from-env', STORE_A: 'store-a', STORE_D: 'store-defaults', SSH_AUTH_SOCK: '/run/agent.sock' };

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
  expect(b.connection).toMatchObject({ privateKey: KEY_FROM_FILE, passphrase: 'passphrase-from-file', become: { user: 'snc_mid' } });
  expect(b.connection.agent).toBeUndefined();
  expect(b.storePassword?.reveal()).toBe('store-from-file');
  expect(JSON.stringify(b)).not.toContain('store-from-file'); // a Secret prints as [secret]
  // The hop: its own pinned key, the host's user, key and passphrase; not the host's known_hosts (it pins its own).
  expect(b.connection.jump).toEqual([{ host: 'bastion', port: 22, user: 'admin', privateKey: KEY_FROM_FILE, passphrase: 'passphrase-from-file', hostKeyFingerprint: FP('B') }]);
  expect(c.connection).toMatchObject({ user: 'mid', privateKey: KEY_FROM_ENV, passphrase: 'passphrase-from-env' });
  expect(c.connection.become).toBeUndefined();
  expect(c.connection.jump).toBeUndefined();
});

test('a jump host without its own host key uses the host\'s known_hosts file; with neither it is refused', () => {
  const [h] = load(`hosts:\n  - { name: x, host: t, midHome: /m, user: u, knownHostsFile: kh, privateKeyFile: key, privateKeyPassphraseFile: pass.txt, proxyJump: [{ host: j, user: jumper, port: 2222 }] }\n`);
  expect(h.connection.jump).toEqual([{ host: 'j', port: 2222, user: 'jumper', privateKey: KEY_FROM_FILE, passphrase: 'passphrase-from-file', knownHostsFile: path.join(dir, 'kh') }]);
  const e = errorOf(() => load(`hosts:\n  - { name: x, host: t, midHome: /m, user: u, hostKeyFingerprint: '${FP('T')}', proxyJump: [{ host: j }] }\n`));
  expect(e.message).toMatch(/host x: proxyJump\[0\] \(j\): give knownHostsFile or hostKeyFingerprint for the jump host/);
});

test.each([
  ['an unknown group', `hosts:\n  - { name: x, host: t, midHome: /m, user: u, knownHostsFile: k, group: nope }\n`, env, /host x: group nope is not defined under groups/],
  ['two sources at one level', `hosts:\n  - { name: x, host: t, midHome: /m, user: u, knownHostsFile: k, storePasswordEnv: STORE_A, storePasswordFile: store.txt }\n`, env, /host x: give one of storePasswordEnv or storePasswordFile, not both/],
  ['agent: true without an agent', `hosts:\n  - { name: x, host: t, midHome: /m, user: u, knownHostsFile: k, agent: true }\n`, {}, /host x: agent: true, but SSH_AUTH_SOCK is not set/],
  ['an empty store password', `hosts:\n  - { name: x, host: t, midHome: /m, user: u, knownHostsFile: k, storePasswordEnv: EMPTY }\n`, { EMPTY: '' }, /host x: the environment variable EMPTY \(store password\) is empty/],
  ['a wrong passphrase, named with the host before any connection', `hosts:\n  - { name: x, host: t, midHome: /m, user: u, knownHostsFile: k, privateKeyEnv: KEY, privateKeyPassphraseEnv: STORE_A }\n`, env, /host x: the private key in the environment variable KEY cannot be used: the passphrase given does not decrypt it/],
  ['an encrypted key without its passphrase', `hosts:\n  - { name: x, host: t, midHome: /m, user: u, knownHostsFile: k, privateKeyFile: key }\n`, env, /host x: the private key file key cannot be used: it is encrypted and no passphrase was given; give its passphrase/],
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

test('a Pulumi connection: the same jump-host rule as the inventory, and check-time problems for become and jump hosts', () => {
  const { connectionProblems, specOf } = require('../../provider/resources/connectionInput') as typeof import('../../provider/resources/connectionInput');
  const spec = specOf({ host: 't', user: 'admin', privateKey: 'K', passphrase: 'P', knownHostsFile: '/kh', become: 'snc_mid', proxyJump: [{ host: 'b', port: 2200 }, { host: 'c', hostKey: FP('C'), privateKey: 'K2' }] });
  expect(spec.become).toEqual({ user: 'snc_mid' });
  expect(spec.jump).toEqual([
    { host: 'b', port: 2200, user: 'admin', privateKey: 'K', passphrase: 'P', knownHostsFile: '/kh' },
    { host: 'c', port: 22, user: 'admin', privateKey: 'K2', hostKeyFingerprint: FP('C') }, // its own key: not the target's passphrase
  ]);
  expect(connectionProblems({ host: 't', user: 'u', privateKey: 'K', hostKey: FP('T'), become: 'x; reboot', proxyJump: [{ host: 'b' }] }).map((p) => p.reason)).toEqual([
    expect.stringMatching(/^connection\.become user "x; reboot" is not an account name/),
    expect.stringMatching(/^connection\.proxyJump\[0\] \(b\): give its hostKey or a knownHostsFile/),
  ]);
});
