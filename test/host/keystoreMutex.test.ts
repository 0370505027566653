import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { MidtrustError } from '../../provider/errors';
import { withKeystoreLock } from '../../provider/host/keystoreMutex';
import { LocalHost } from '../../provider/host/localHost';
import { tempDir } from '../helpers/keytool';
import { buildHostLibForChildren, fixture } from './fixtures/hostLib';

const host = new LocalHost();
const text = async (f: string): Promise<string> => Buffer.from(await host.readFile(f)).toString();
const tick = (): Promise<void> => new Promise((r) => setTimeout(r, 1));

let dir: string;
let f: string;
beforeEach(() => {
  dir = tempDir('mt-mutex-');
  f = path.join(dir, 'counter');
  fs.writeFileSync(f, '0');
});
afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

describe('withKeystoreLock', () => {
  it('serializes 100 concurrent read-modify-writes to exactly 100', async () => {
    await Promise.all(
      Array.from({ length: 100 }, () =>
        withKeystoreLock(host, f, async () => {
          const n = Number(await text(f));
          await tick(); // give the others every chance to interleave
          await host.writeFileAtomic(f, Buffer.from(String(n + 1)));
        }),
      ),
    );
    expect(fs.readFileSync(f, 'utf8')).toBe('100');
    expect(fs.readdirSync(dir)).toEqual(['counter']);
  });

  it('returns fn’s value, passes its error to that caller only, and keeps the queue going', async () => {
    const results = await Promise.allSettled([
      withKeystoreLock(host, f, async () => 'first'),
      withKeystoreLock(host, f, async () => {
        throw new MidtrustError('CORRUPT', 'bad store');
      }),
      withKeystoreLock(host, f, async () => 'third'),
    ]);
    expect(results.map((r) => (r.status === 'fulfilled' ? r.value : (r.reason as MidtrustError).code))).toEqual(['first', 'CORRUPT', 'third']);
    expect(fs.existsSync(`${f}.midtrust.lock`)).toBe(false);
  });

  it('shares one queue between a symlink and its target, but not between two stores', async () => {
    const link = path.join(dir, 'link');
    fs.symlinkSync(f, link);
    const other = path.join(dir, 'other');
    fs.writeFileSync(other, '0');
    const spans: Array<{ store: string; from: number; to: number }> = [];
    const busy = (p: string, store: string, ms: number) =>
      withKeystoreLock(host, p, async () => {
        const from = performance.now();
        await new Promise((r) => setTimeout(r, ms));
        spans.push({ store, from, to: performance.now() });
      });
    await Promise.all([...Array.from({ length: 6 }, (_, i) => busy(i % 2 ? link : f, 'counter', 15)), busy(other, 'other', 60)]);
    const overlaps = (x: { from: number; to: number }, y: { from: number; to: number }) => x.from < y.to && y.from < x.to;
    const same = spans.filter((s) => s.store === 'counter');
    const pairs = same.flatMap((x, i) => same.slice(i + 1).map((y) => overlaps(x, y)));
    expect(pairs.filter(Boolean)).toHaveLength(0); // link and target: one at a time
    const otherSpan = spans.find((s) => s.store === 'other')!;
    expect(same.some((x) => overlaps(x, otherSpan))).toBe(true); // another store: in parallel
  });

  it('serializes in-process callers together with other processes (50 here + 2 x 25 there = 100)', async () => {
    const lib = buildHostLibForChildren();
    try {
      const env = { ...process.env, MIDTRUST_HOST_LIB: lib };
      const children = [0, 1].map(
        () =>
          new Promise<number>((resolve) => {
            const c = spawn(process.execPath, [fixture('counter.js'), f, '25'], { stdio: ['ignore', 'ignore', 'inherit'], env });
            c.on('exit', (code) => resolve(code ?? -1));
          }),
      );
      const local = Array.from({ length: 50 }, () =>
        withKeystoreLock(
          host,
          f,
          async () => {
            const n = Number(await text(f));
            await host.writeFileAtomic(f, Buffer.from(String(n + 1)));
          },
          { timeoutMs: 60_000 },
        ),
      );
      await Promise.all(local);
      expect(await Promise.all(children)).toEqual([0, 0]);
      expect(fs.readFileSync(f, 'utf8')).toBe('100');
    } finally {
      fs.rmSync(lib, { recursive: true, force: true });
    }
  });
});
