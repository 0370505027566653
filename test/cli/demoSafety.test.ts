/**
 * Issue #13 item 4: `midtrust demo --dir D` deletes nothing it did not create. The demo marks the
 * directories it makes and only ever resets a marked one; anything else is refused, untouched.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { keytoolList, tempDir } from '../helpers/keytool';
import { midtrust, ROOT } from '../helpers/midtrustCli';
import { spawnSync } from 'node:child_process';

let root: string;
beforeEach(() => {
  root = tempDir('mt-demo-');
});
afterEach(() => fs.rmSync(root, { recursive: true, force: true }));

describe('demo --dir', () => {
  it.each(['mid-server', 'incoming-jre', 'quickstart'])('refuses to reset %s it did not create, before doing anything, and leaves it as it was', async (name) => {
    const theirs = path.join(root, name);
    fs.mkdirSync(path.join(theirs, 'agent'), { recursive: true });
    fs.writeFileSync(path.join(theirs, 'agent', 'config.xml'), 'a real MID config');
    const r = await midtrust(['demo', '--dir', root]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(theirs);
    expect(r.stderr).toMatch(/was not created by midtrust demo.*nothing was deleted.*another --dir/);
    expect(fs.readFileSync(path.join(theirs, 'agent', 'config.xml'), 'utf8')).toBe('a real MID config');
    expect(fs.readdirSync(root)).toEqual([name]);
  });

  it('refuses a symlink where its directory would be, without following it', async () => {
    const elsewhere = path.join(root, 'elsewhere');
    fs.mkdirSync(elsewhere);
    fs.writeFileSync(path.join(elsewhere, 'keep'), 'x');
    fs.symlinkSync(elsewhere, path.join(root, 'mid-server'));
    const r = await midtrust(['demo', '--dir', root]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/mid-server: is a symbolic link/);
    expect(fs.readdirSync(elsewhere)).toEqual(['keep']);
  });

  it('runs, and runs again over its own (marked) directories; keytool reads the demo store', async () => {
    const first = await midtrust(['demo', '--dir', root]);
    expect(first.stderr).toBe('');
    expect(first.code).toBe(0);
    const cacerts = path.join(root, 'mid-server', 'agent', 'jre', 'lib', 'security', 'cacerts');
    expect(keytoolList(cacerts, 'changeit').map((e) => e.alias)).toContain('acme-issuing-ca');
    const again = await midtrust(['demo', '--dir', root]);
    expect(again.code).toBe(0);
    expect(fs.readdirSync(root).sort()).toEqual(['incoming-jre', 'mid-server', 'quickstart']);
    for (const d of fs.readdirSync(root)) expect(fs.lstatSync(path.join(root, d, '.midtrust-demo')).isFile()).toBe(true);
    // It worked on D, not on the repository's ./demo: the drift step ran against D's store.
    expect(again.stdout).toMatch(/Plan: 1 to add/);
    // The "Next:" hint puts no password on a command line (shell history), and it works: bash runs
    // it with the password typed at its prompt (the bin stands in for npx, which is only slower).
    const hint = again.stdout.slice(again.stdout.indexOf('Next')).split('\n').filter((l) => l.startsWith('  ')).map((l) => l.trim());
    expect(hint[0]).toBe("read -rsp 'store password: ' MID_STOREPASS; echo; export MID_STOREPASS");
    for (const command of hint) expect(command).not.toContain('changeit');
    const script = hint.join('\n').replace(/npx midtrust/g, `node ${JSON.stringify(path.join(ROOT, 'dist', 'provider', 'cli', 'main.js'))}`);
    const ran = spawnSync('bash', ['-c', script], { cwd: process.cwd(), input: 'changeit\n', encoding: 'utf8', env: { ...process.env, MID_STOREPASS: '' } });
    expect(ran.status).toBe(0);
    expect(ran.stdout).toMatch(/acme-issuing-ca/);
  }, 60_000);
});
