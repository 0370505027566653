/**
 * kill -9 of `midtrust apply` where it hurts: at each named pause point of the write path
 * (provider/host/testPause.ts) and at random moments — over the whole run and inside the locked
 * section — on a cacerts-sized JKS. After every kill keytool (the oracle) lists the store as it
 * was left: it must be the complete old or the complete new store, and the right one for the
 * phase the kill landed in. The next run must clean up the killed run's temp file and lock.
 */
import type { ChildProcess } from 'node:child_process';
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { readKeystore, writeKeystore } from '../../provider/keystore/keystoreCodec';
import { parseTempFileName } from '../../provider/host/tempFileName';
import type { PausePoint } from '../../provider/host/testPause';
import { keytool17, keytoolList, parseKeytoolList } from '../helpers/keytool';
import { midtrust, startMidtrust } from '../helpers/midtrustCli';
import { exitOf, PauseControl } from '../helpers/pausePoints';
import { JDK_CACERTS, needs } from '../helpers/requireTools';
import { env, makeCertificateSet, writeDesired } from './applyFixtures';

const LEAVES = 10;
const NAMED: PausePoint[] = ['after-lock', 'temp-written', 'before-rename', 'after-rename'];
/** Kills per named point, and random kills over the whole run and inside the locked section. */
const PER_POINT = 3;
const RANDOM = 6;
const RANDOM_LOCKED = 6;

/**
 * Where a kill landed, judged from what the killed process left: its own pid on the temp file and
 * the lock, and whether the store already changed (a kill with no trace of ours is either before
 * the lock or after its release; the store tells which). For a random kill any phase is fine as
 * long as keytool finds the complete old or new store; a named kill must land in its own phase.
 */
type Phase =
  | 'before the lock (start-up, reading, planning)'
  | 'lock held, no temp file yet'
  | 'temp file exists'
  | 'renamed, lock still held'
  | 'lock released, process exiting'
  | 'finished before the kill';
const PHASES: Phase[] = ['before the lock (start-up, reading, planning)', 'lock held, no temp file yet', 'temp file exists', 'renamed, lock still held', 'lock released, process exiting', 'finished before the kill'];
/** Phases after which the store must already be the new one. */
const NEW_AFTER: ReadonlySet<Phase> = new Set<Phase>(['renamed, lock still held', 'lock released, process exiting', 'finished before the kill']);

needs('keytool', 'jdkCacerts').describe('kill -9 during apply, at every phase of the write, checked by keytool', () => {
  const pause = new PauseControl();
  let certs: ReturnType<typeof makeCertificateSet>;
  let dir: string;
  let store: string;
  let files: { add: string; remove: string };
  const all = Array.from({ length: LEAVES }, (_, i) => `leaf-${i}`);
  /** Leaf aliases in the store now: [] or all (every run adds or removes the whole set). */
  let state: 'old' | 'new';
  const table = new Map<Phase, Record<'named' | 'random' | 'random in lock', number>>(PHASES.map((p) => [p, { named: 0, random: 0, 'random in lock': 0 }]));
  let keytoolChecks = 0;
  /** keytool runs on snapshots of the store, in the background while the next kill proceeds. */
  const checks: Array<Promise<void>> = [];

  beforeAll(() => {
    certs = makeCertificateSet(LEAVES);
    dir = path.join(certs.dir, 'store');
    fs.mkdirSync(dir);
    store = path.join(dir, 'cacerts');
    // The JDK's 144 entries make the write window as wide as on a real MID.
    fs.writeFileSync(store, writeKeystore(readKeystore(fs.readFileSync(JDK_CACERTS), { password: 'changeit' }), env.MID_STOREPASS));
    const declare = (name: string, state: 'present' | 'absent') =>
      writeDesired(certs.dir, name, `keystore:\n  path: ${store}\n  password: { env: MID_STOREPASS }\ncertificates:\n${all.map((a, i) => (state === 'present' ? `  - alias: ${a}\n    file: leaf${i}.pem\n` : `  - alias: ${a}\n    state: absent\n`)).join('')}`);
    files = { add: declare('add.yaml', 'present'), remove: declare('remove.yaml', 'absent') };
    state = 'old';
  });

  /** The next apply flips the store: adds the leaves when absent, removes them when present. */
  const nextRun = (extraEnv: Record<string, string> = {}): ChildProcess =>
    startMidtrust(['apply', '-f', state === 'old' ? files.add : files.remove], { env: { ...env, ...extraEnv }, cwd: certs.dir });
  const want = (s: 'old' | 'new'): string[] => (s === 'old' ? [] : all);
  const leftovers = (): string[] => fs.readdirSync(dir).filter((n) => n !== 'cacerts');

  /** Judges the phase from the killed process's own traces. */
  function phaseOf(pid: number, { code, signal }: { code: number | null; signal: NodeJS.Signals | null }): Phase {
    if (signal !== 'SIGKILL') {
      expect({ pid, code, signal }).toEqual({ pid, code: 0, signal: null }); // it finished, successfully
      return 'finished before the kill';
    }
    const names = leftovers();
    if (names.some((n) => parseTempFileName(n)?.pid === pid)) return 'temp file exists';
    const lockFile = path.join(dir, 'cacerts.midtrust.lock');
    const lockPid = fs.existsSync(lockFile) ? (JSON.parse(fs.readFileSync(lockFile, 'utf8') || '{}') as { pid?: number }).pid : undefined;
    const leaves = readKeystore(fs.readFileSync(store), { password: env.MID_STOREPASS }).entries.filter((e) => e.alias.startsWith('leaf-')).length;
    const flipped = (state === 'old') === (leaves === LEAVES);
    if (lockPid !== pid) return flipped ? 'lock released, process exiting' : 'before the lock (start-up, reading, planning)';
    return flipped ? 'renamed, lock still held' : 'lock held, no temp file yet';
  }

  /** keytool lists a snapshot of the store as left by kill number n; it must hold exactly `expected`. */
  function checkWithKeytool(n: number, expected: string[], what: string): void {
    const snap = path.join(certs.dir, `after-kill-${n}.jks`);
    fs.copyFileSync(store, snap);
    const k = keytool17();
    const check = new Promise<void>((resolve, reject) => {
        const p = spawn(k.bin, ['-J-Duser.language=en', '-list', '-keystore', snap, '-storepass:env', 'MID_STOREPASS'], { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
        let out = '';
        p.stdout.on('data', (d) => (out += d));
        p.stderr.on('data', (d) => (out += d));
        p.on('error', reject);
        p.on('exit', (code) => {
          try {
            keytoolChecks++;
            expect({ kill: n, what, keytoolExit: code }).toEqual({ kill: n, what, keytoolExit: 0 });
            const leaves = parseKeytoolList(out).map((e) => e.alias).filter((a) => a.startsWith('leaf-')).sort();
            expect({ kill: n, what, leaves }).toEqual({ kill: n, what, leaves: [...expected].sort() });
            fs.rmSync(snap);
            resolve();
          } catch (e) {
            reject(e);
          }
        });
      });
    check.catch(() => undefined); // judged in the last test; no unhandled rejection meanwhile
    checks.push(check);
  }

  /** After a kill: the store is old or new as the phase demands (keytool), and the traces are the killed run's. */
  function afterKill(n: number, pid: number, phase: Phase, what: string): void {
    const expected: 'old' | 'new' = NEW_AFTER.has(phase) ? (state === 'old' ? 'new' : 'old') : state;
    checkWithKeytool(n, want(expected), `${what}: ${phase}`);
    // Every trace left is the killed run's own (earlier ones were cleaned by the runs since).
    for (const name of leftovers()) {
      const temp = parseTempFileName(name);
      if (temp) expect({ name, pid: temp.pid }).toEqual({ name, pid });
      else expect(name).toBe('cacerts.midtrust.lock');
    }
    state = expected;
  }

  /** At after-lock the run has cleaned every earlier run's leftovers: only its own lock remains. */
  function expectCleanedAtLock(pid: number): void {
    expect(leftovers()).toEqual(['cacerts.midtrust.lock']);
    expect(JSON.parse(fs.readFileSync(path.join(dir, 'cacerts.midtrust.lock'), 'utf8')).pid).toBe(pid);
  }

  let kills = 0;

  it.each(NAMED)(`at %s, ${PER_POINT} times: the store keytool lists is the right one for that moment`, async (point) => {
    for (let i = 0; i < PER_POINT; i++) {
      const child = nextRun(pause.env('after-lock', point));
      const pid = child.pid!;
      const exited = exitOf(child);
      await pause.waitFor('after-lock', pid, child);
      expectCleanedAtLock(pid);
      if (point !== 'after-lock') {
        pause.resume('after-lock', pid);
        const at = await pause.waitFor(point, pid, child);
        expect(at.file).toBe(fs.realpathSync(store));
      }
      child.kill('SIGKILL');
      const ended = await exited;
      pause.resume(point, pid);
      expect(ended.signal).toBe('SIGKILL');
      const phase = phaseOf(pid, ended);
      const named: Record<PausePoint, Phase> = {
        'after-lock': 'lock held, no temp file yet',
        'temp-partial': 'temp file exists',
        'temp-written': 'temp file exists',
        'before-rename': 'temp file exists',
        'after-rename': 'renamed, lock still held',
      };
      expect(phase).toBe(named[point]);
      table.get(phase)!.named++;
      afterKill(++kills, pid, phase, `killed at ${point}`);
    }
  });

  it(`at ${RANDOM} random moments of the whole run`, async () => {
    // How long one whole apply takes as a process here: kills are spread over that window.
    const t0 = Date.now();
    const probe = nextRun();
    expect((await exitOf(probe)).code).toBe(0);
    state = state === 'old' ? 'new' : 'old';
    const window = Date.now() - t0;
    for (let i = 0; i < RANDOM; i++) {
      const child = nextRun();
      const exited = exitOf(child);
      await new Promise((r) => setTimeout(r, Math.floor(Math.random() * window * 1.2)));
      child.kill('SIGKILL');
      const phase = phaseOf(child.pid!, await exited);
      table.get(phase)!.random++;
      afterKill(++kills, child.pid!, phase, 'random kill');
    }
  });

  it(`at ${RANDOM_LOCKED} random moments after the lock is taken`, async () => {
    // How long the write takes once the lock is held: from the after-lock pause to the rename.
    const calibrate = nextRun(pause.env('after-lock', 'after-rename'));
    await pause.waitFor('after-lock', calibrate.pid!, calibrate);
    const t0 = Date.now();
    pause.resume('after-lock', calibrate.pid!);
    await pause.waitFor('after-rename', calibrate.pid!, calibrate);
    // A loaded machine makes one measurement a poor guide: the window then follows the outcomes
    // (narrower after a run that finished first, wider after a kill before any write).
    let window = Math.max(5, Date.now() - t0);
    pause.resume('after-rename', calibrate.pid!);
    expect((await exitOf(calibrate)).code).toBe(0);
    state = state === 'old' ? 'new' : 'old';
    for (let i = 0; i < RANDOM_LOCKED; i++) {
      const child = nextRun(pause.env('after-lock'));
      const pid = child.pid!;
      const exited = exitOf(child);
      await pause.waitFor('after-lock', pid, child);
      expectCleanedAtLock(pid);
      pause.resume('after-lock', pid);
      await new Promise((r) => setTimeout(r, Math.floor(Math.random() * window)));
      child.kill('SIGKILL');
      const phase = phaseOf(pid, await exited);
      if (phase === 'finished before the kill' || phase === 'lock released, process exiting') window = Math.max(2, window * 0.6);
      if (phase === 'lock held, no temp file yet') window *= 1.3;
      table.get(phase)!['random in lock']++;
      afterKill(++kills, pid, phase, 'random kill in the lock');
    }
  });

  it('every kill was judged by keytool; the next run cleans the leftovers and converges', async () => {
    // Every check settles before the file ends (none may call expect afterwards), then the first failure is reported.
    const failed = (await Promise.allSettled(checks)).filter((r): r is PromiseRejectedResult => r.status === 'rejected');
    if (failed.length > 0) throw failed[0].reason;
    expect(keytoolChecks).toBe(kills);
    const r = await midtrust(['apply', '-f', files.add], { env, cwd: certs.dir });
    expect(r.code).toBe(0);
    expect(leftovers()).toEqual([]);
    expect(keytoolList(store, env.MID_STOREPASS).filter((e) => e.alias.startsWith('leaf-'))).toHaveLength(LEAVES);
    expect(fs.readdirSync(certs.dir).filter((n) => n.startsWith('after-kill-'))).toEqual([]);
    const rows = PHASES.map((p) => {
      const c = table.get(p)!;
      return `${p.padEnd(46)}${String(c.named).padStart(6)}${String(c.random).padStart(8)}${String(c['random in lock']).padStart(16)}`;
    });
    console.log(
      [`kill -9 of midtrust apply on a ${LEAVES + 144}-entry JKS: ${kills} kills, each store checked by keytool (Java 17)`, `${'phase the kill landed in'.padEnd(46)}${'named'.padStart(6)}${'random'.padStart(8)}${'random in lock'.padStart(16)}`, ...rows].join('\n'),
    );
    // Every phase that matters was hit by design, whatever the random kills did.
    for (const p of ['lock held, no temp file yet', 'temp file exists', 'renamed, lock still held'] as Phase[]) expect(table.get(p)!.named).toBeGreaterThan(0);
  });
});
