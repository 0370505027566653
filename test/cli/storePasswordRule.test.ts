/**
 * Issue #13 item 8: one rule for a store password, whichever door it comes through — the CLI
 * options and the desired-state file strip a UTF-8 BOM the same way and both refuse an empty
 * password. keytool judges the store.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { keytoolList, tempDir } from '../helpers/keytool';
import { midtrust } from '../helpers/midtrustCli';
import { env, makeStore } from './applyFixtures';

let dir: string;
let store: string;
beforeAll(() => {
  dir = tempDir('mt-pwrule-');
  store = path.join(dir, 'cacerts');
  makeStore(store, 'JKS');
  expect(keytoolList(store, env.MID_STOREPASS).map((e) => e.alias)).toEqual(['mid-key']);
});
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

const write = (name: string, text: string): string => {
  fs.writeFileSync(path.join(dir, name), text);
  return path.join(dir, name);
};

describe('store password from the CLI and from a desired-state file: one rule', () => {
  it('--storepass-file strips a UTF-8 BOM (Notepad writes one), as the desired-state password file does', async () => {
    const pw = write('bom.txt', `\uFEFF${env.MID_STOREPASS}\r\n`);
    const ls = await midtrust(['ls', store, '--storepass-file', pw, '--json']);
    expect(ls.stderr).toBe('');
    expect(ls.code).toBe(0);
    expect(JSON.parse(ls.stdout).verified).toBe(true);
    const desired = write('bom.yaml', `keystore:\n  path: cacerts\n  password: { file: bom.txt }\ncertificates: []\n`);
    expect((await midtrust(['plan', '-f', desired])).code).toBe(0);
  });

  it.each([
    ['--storepass-env naming an empty variable', ['--storepass-env', 'EMPTY_PW'], '', /--storepass-env EMPTY_PW: the environment variable EMPTY_PW is empty; .*give no password option for a password-less store/],
    ['an empty --storepass-file', ['--storepass-file', 'FILE'], '', /--storepass-file .*empty\.txt: its first line is empty; .*give no password option/],
    ['a BOM-only --storepass-file', ['--storepass-file', 'FILE'], '\uFEFF\n', /its first line is empty/],
    ['an empty first line on --storepass-stdin', ['--storepass-stdin'], '\nchangeit\n', /--storepass-stdin: the first line of standard input is empty/],
  ])('refuses %s, as the desired state refuses an empty password', async (_name, opts, content, want) => {
    const file = write('empty.txt', content);
    const argv = ['ls', store, ...opts.map((o) => (o === 'FILE' ? file : o))];
    const r = await midtrust(argv, { env: { EMPTY_PW: '' }, stdin: content });
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(want);
  });

  it('the desired state refuses the same empty sources', async () => {
    write('empty-pw.txt', '\uFEFF\n');
    const viaFile = write('empty-file.yaml', `keystore:\n  path: cacerts\n  password: { file: empty-pw.txt }\ncertificates: []\n`);
    expect((await midtrust(['plan', '-f', viaFile])).stderr).toMatch(/keystore\.password: the password file empty-pw\.txt: its first line is empty; .*omit keystore\.password for a password-less store/);
    const viaEnv = write('empty-env.yaml', `keystore:\n  path: cacerts\n  password: { env: EMPTY_PW }\ncertificates: []\n`);
    expect((await midtrust(['plan', '-f', viaEnv], { env: { EMPTY_PW: '' } })).stderr).toMatch(/keystore\.password: the environment variable EMPTY_PW is empty; .*omit keystore\.password for a password-less store/);
  });
});
