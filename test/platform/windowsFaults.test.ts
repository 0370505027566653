/**
 * midtrust apply under the Windows node.exe (Wine) where Windows differs from Linux: concurrent
 * applies on one store, kill -9 at each named pause point (provider/host/testPause.ts), a store
 * held open by another Windows process at the rename (Windows refuses to replace an open file),
 * and a killed run's lock holding the pid the next run gets (Wine, like Windows, hands pids on:
 * after a wineserver restart they start again at the same number). Linux keytool (Java 17)
 * judges the store after every step.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { readKeystore, writeKeystore } from '../../provider/keystore/keystoreCodec';
import { parseTempFileName } from '../../provider/host/tempFileName';
import type { PausePoint } from '../../provider/host/testPause';
import { keytoolList } from '../helpers/keytool';
import { JDK_CACERTS, needs } from '../helpers/requireTools';
import { WinePrefix, type WindowsProcess } from '../helpers/windowsNode';
import { makeCertificateSet } from '../cli/applyFixtures';

const PASSWORD = 'win-Pass-7';
const env = { MID_STOREPASS: PASSWORD };
const STORE = 'C:\\mid\\cacerts';
const PAUSE_DIR = 'C:\\pause';
const LEAVES = 8;

needs('wine', 'keytool', 'jdkCacerts', 'openssl').describe('apply under the Windows node.exe (Wine): concurrency, kill -9, a store held open, reused pids', () => {
  let wine: WinePrefix;
  let L: (win: string) => string;
  /** Aliases of leaves in the store now, as keytool lists them. */
  const leavesNow = (): string[] => keytoolList(L(STORE), PASSWORD).map((e) => e.alias).filter((a) => a.startsWith('leaf-')).sort();
  const leftovers = (): string[] => fs.readdirSync(path.dirname(L(STORE))).filter((n) => n !== 'cacerts' && n !== 'certs' && !n.endsWith('.yaml')).sort();

  /** A desired file declaring leaves `present` and `absent` (indexes). */
  function desired(name: string, present: number[], absent: number[] = []): string {
    const lines = ['keystore:', `  path: ${STORE}`, '  password: { env: MID_STOREPASS }', 'certificates:'];
    for (const i of present) lines.push(`  - alias: leaf-${i}`, `    file: certs\\leaf${i}.pem`);
    for (const i of absent) lines.push(`  - alias: leaf-${i}`, '    state: absent');
    fs.writeFileSync(L(`C:\\mid\\${name}`), `${lines.join('\r\n')}\r\n`);
    return `C:\\mid\\${name}`;
  }

  const apply = (file: string, extraEnv: Record<string, string> = {}, more: string[] = []): WindowsProcess =>
    wine.startMidtrust(['apply', '-f', file, ...more], { env: { ...env, ...extraEnv }, cwd: L('C:\\mid') });
  const pauseEnv = (...points: PausePoint[]): Record<string, string> => ({ MIDTRUST_TEST_PAUSE: points.join(','), MIDTRUST_TEST_PAUSE_DIR: PAUSE_DIR });

  /** Waits until a run stands at `point`; its Windows pid (from the marker) and the marker. */
  async function pausedAt(point: PausePoint, run: WindowsProcess): Promise<{ pid: number; marker: string }> {
    const dir = L(PAUSE_DIR);
    const until = Date.now() + 60_000;
    for (;;) {
      const name = fs.readdirSync(dir).find((n) => n.startsWith(`${point}.`));
      if (name) {
        const text = fs.readFileSync(path.join(dir, name), 'utf8');
        if (text) return { pid: (JSON.parse(text) as { pid: number }).pid, marker: path.join(dir, name) };
      }
      if (run.child.exitCode !== null || run.child.signalCode !== null) throw new Error(`the run ended before ${point}: ${JSON.stringify(await run.done)}`);
      if (Date.now() > until) throw new Error(`no run reached ${point} within 60 s`);
      await new Promise((r) => setTimeout(r, 20));
    }
  }

  beforeAll(async () => {
    wine = await WinePrefix.create();
    L = (p) => wine.toLinux(p);
    fs.mkdirSync(L('C:\\mid\\certs'), { recursive: true });
    fs.mkdirSync(L(PAUSE_DIR));
    fs.writeFileSync(L(STORE), writeKeystore(readKeystore(fs.readFileSync(JDK_CACERTS), { password: 'changeit' }), PASSWORD));
    const certs = makeCertificateSet(LEAVES);
    for (let i = 0; i < LEAVES; i++) fs.copyFileSync(certs.leaves[i], L(`C:\\mid\\certs\\leaf${i}.pem`));
  }, 120_000);

  afterAll(async () => {
    await wine?.stop();
  });

  it('two, then four applies at once on one store lose nothing (keytool)', async () => {
    const two = [desired('a.yaml', [0]), desired('b.yaml', [1])].map((f) => apply(f));
    expect((await Promise.all(two.map((r) => r.done))).map((r) => r.code)).toEqual([0, 0]);
    expect(leavesNow()).toEqual(['leaf-0', 'leaf-1']);
    const four = [desired('c.yaml', [2]), desired('d.yaml', [3]), desired('e.yaml', [4]), desired('f.yaml', [], [0])].map((f) => apply(f));
    expect((await Promise.all(four.map((r) => r.done))).map((r) => r.code)).toEqual([0, 0, 0, 0]);
    expect(leavesNow()).toEqual(['leaf-1', 'leaf-2', 'leaf-3', 'leaf-4']);
    expect(leftovers()).toEqual([]);
  });

  it.each<[PausePoint, 'old' | 'new']>([
    ['after-lock', 'old'],
    ['temp-written', 'old'],
    ['before-rename', 'old'],
    ['after-rename', 'new'],
  ])('kill -9 at %s leaves the %s store (keytool); the next run cleans up and converges', async (point, expected) => {
    const before = leavesNow();
    const target = before.includes('leaf-7') ? desired('flip.yaml', [], [7]) : desired('flip.yaml', [7]);
    const after = before.includes('leaf-7') ? before.filter((a) => a !== 'leaf-7') : [...before, 'leaf-7'].sort();
    const run = apply(target, pauseEnv(point));
    const { pid, marker } = await pausedAt(point, run);
    run.child.kill('SIGKILL');
    expect((await run.done).signal).toBe('SIGKILL');
    fs.rmSync(marker);
    expect(leavesNow()).toEqual(expected === 'old' ? before : after);
    // What the killed run left carries its Windows pid: its lock, and its temp file once written.
    const left = leftovers();
    expect(left).toContain('cacerts.midtrust.lock');
    expect(JSON.parse(fs.readFileSync(L(`${STORE}.midtrust.lock`), 'utf8')).pid).toBe(pid);
    const temps = left.filter((n) => parseTempFileName(n));
    expect(temps.map((n) => parseTempFileName(n)?.pid)).toEqual(point === 'temp-written' || point === 'before-rename' ? [pid] : []);
    const next = await apply(target).done;
    expect({ code: next.code, stderr: next.stderr }).toEqual({ code: 0, stderr: '' });
    expect(leavesNow()).toEqual(after);
    expect(leftovers()).toEqual([]);
  });

  /** A Windows process that opens the store (no FILE_SHARE_DELETE: node's default) for `ms`. */
  async function holdOpen(ms: number): Promise<WindowsProcess> {
    const ready = L('C:\\pause\\holding');
    fs.rmSync(ready, { force: true });
    const holder = wine.start(['-e', `const fs=require('fs');fs.openSync(${JSON.stringify(STORE)},'r');fs.writeFileSync('C:\\\\pause\\\\holding','');setTimeout(()=>{},${ms})`]);
    for (const until = Date.now() + 30_000; !fs.existsSync(ready); ) {
      if (Date.now() > until) throw new Error(`the holder did not open the store: ${JSON.stringify(await holder.done)}`);
      await new Promise((r) => setTimeout(r, 20));
    }
    return holder;
  }

  it('a store held open at the rename: retried until it is free (keytool sees the new store)', async () => {
    const before = leavesNow();
    const run = apply(desired('held.yaml', [5]), pauseEnv('before-rename'));
    const { marker } = await pausedAt('before-rename', run);
    const holder = await holdOpen(1500);
    fs.rmSync(marker); // resume: the rename now meets the open file
    const r = await run.done;
    expect({ code: r.code, stderr: r.stderr }).toEqual({ code: 0, stderr: '' });
    expect((await holder.done).code).toBe(0);
    expect(leavesNow()).toEqual([...before, 'leaf-5'].sort());
    expect(leftovers()).toEqual([]);
  });

  it('a store held open for longer than the retry: exit 1 with Windows advice, the store untouched (keytool)', async () => {
    const before = leavesNow();
    const run = apply(desired('held.yaml', [6]), pauseEnv('before-rename'));
    const { marker } = await pausedAt('before-rename', run);
    const holder = await holdOpen(20_000);
    fs.rmSync(marker);
    const r = await run.done;
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(`${STORE}: in use by another program or access denied (while replacing the file, retried for 10.0 s); the original was left untouched`);
    expect(r.stderr).toContain('antivirus');
    expect(r.stderr).not.toMatch(/lsattr|root/);
    holder.child.kill('SIGKILL');
    await holder.done;
    expect(leavesNow()).toEqual(before);
    expect(leftovers()).toEqual([]);
  }, 90_000);

  it('a killed run whose pid the next run inherits (wineserver restarted) does not make it wait for itself', async () => {
    const before = leavesNow();
    const target = before.includes('leaf-7') ? desired('flip.yaml', [], [7]) : desired('flip.yaml', [7]);
    await wine.restartServer();
    const killed = apply(target, pauseEnv('after-lock'));
    const first = await pausedAt('after-lock', killed);
    killed.child.kill('SIGKILL');
    await killed.done;
    fs.rmSync(first.marker);
    expect(JSON.parse(fs.readFileSync(L(`${STORE}.midtrust.lock`), 'utf8')).pid).toBe(first.pid);
    await wine.restartServer();
    const next = apply(target, pauseEnv('after-lock'), ['--lock-timeout', '5']);
    const second = await pausedAt('after-lock', next);
    // The scenario really happened: the new run has the killed run's pid.
    expect(second.pid).toBe(first.pid);
    fs.rmSync(second.marker);
    const r = await next.done;
    expect({ code: r.code, stderr: r.stderr }).toEqual({ code: 0, stderr: '' });
    expect(leavesNow()).not.toEqual(before);
    expect(leftovers()).toEqual([]);
  }, 120_000);
});
