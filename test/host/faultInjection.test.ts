import { spawn } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { LocalHost } from '../../provider/host/localHost';
import { parseTempFileName } from '../../provider/host/tempFileName';
import { tempDir } from '../helpers/keytool';
import { buildHostLibForChildren, fixture } from './fixtures/hostLib';

const sha = (b: Uint8Array): string => createHash('sha256').update(b).digest('hex');
const KILLS = 60;
const SIZE = 5 * 1024 * 1024;

describe('fault injection: kill -9 during atomic writes', () => {
  it(`leaves one complete version at the target across ${KILLS} kills, and only recognizable leftovers`, async () => {
    const dir = tempDir('mt-kill-');
    const lib = buildHostLibForChildren();
    try {
      const f = path.join(dir, 'store');
      const a = randomBytes(SIZE);
      const b = randomBytes(SIZE);
      fs.mkdirSync(path.join(dir, 'src'));
      fs.writeFileSync(path.join(dir, 'src', 'a'), a);
      fs.writeFileSync(path.join(dir, 'src', 'b'), b);
      fs.writeFileSync(f, a);
      const valid = new Set([sha(a), sha(b)]);
      const seen = new Set<string>();
      let samples = 0;
      const t0 = Date.now();
      for (let i = 0; i < KILLS; i++) {
        const child = spawn(process.execPath, [fixture('writeLoop.js'), f, path.join(dir, 'src', 'a'), path.join(dir, 'src', 'b')], {
          stdio: ['ignore', 'pipe', 'inherit'],
          env: { ...process.env, MIDTRUST_HOST_LIB: lib },
        });
        const exited = new Promise<NodeJS.Signals | null>((r) => child.once('exit', (_code, signal) => r(signal)));
        await new Promise<void>((r) => child.stdout.once('data', () => r()));
        // Read the target while the child writes: a reader must never see a partial store either.
        const until = Date.now() + 5 + Math.floor(Math.random() * 80);
        while (Date.now() < until) {
          const h = sha(fs.readFileSync(f));
          expect(valid.has(h)).toBe(true);
          seen.add(h);
          samples++;
        }
        child.kill('SIGKILL');
        expect(await exited).toBe('SIGKILL');
        const h = sha(fs.readFileSync(f));
        expect(valid.has(h)).toBe(true);
        seen.add(h);
      }
      console.log(`${KILLS} kills, ${samples} reads during writes: ${Date.now() - t0} ms`);
      // The children really replaced the store (both versions were observed).
      expect(seen.size).toBe(2);

      // Whatever was left is a temporary file recognizable as this store's, of a dead pid.
      const others = fs.readdirSync(dir).filter((n) => n !== 'store' && n !== 'src');
      for (const n of others) expect(parseTempFileName(n)?.targetBase).toBe('store');
      console.log(`leftover temporary files after ${KILLS} kills: ${others.length}`);
      expect(await new LocalHost().cleanupStaleTemps(f)).toBe(others.length);
      expect(fs.readdirSync(dir).sort()).toEqual(['src', 'store']);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
      fs.rmSync(lib, { recursive: true, force: true });
    }
  }, 180_000);
});
