/**
 * KeystoreBatcher under many concurrent callers (what a `pulumi up` / `refresh` of hundreds of
 * resources on one store does): reads are shared, changes are coalesced, nothing is lost and a
 * caller never gets a read older than its question. keytool judges the stores.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { KeystoreBatcher } from '../../provider/apply/keystoreBatcher';
import { LocalHost } from '../../provider/host/localHost';
import type { WriteAtomicOptions } from '../../provider/host/host';
import { readKeystore, writeKeystore } from '../../provider/keystore/keystoreCodec';
import type { Keystore, KeystoreEntry } from '../../provider/keystore/model';
import { buildCertificate, rdn } from '../certificate/certificateBuilder';
import { keytoolList, tempDir } from '../helpers/keytool';

const PASSWORD = 'batcher-Pass-1';
const CN = '2.5.4.3';

/** A LocalHost that counts reads and writes, and can hold the next write or read until released. */
class GatedHost extends LocalHost {
  reads = 0;
  writes = 0;
  private holdWrite?: Promise<void>;
  private holdRead?: Promise<void>;

  gateNextWrite(): () => void {
    let release!: () => void;
    this.holdWrite = new Promise<void>((r) => (release = r));
    return release;
  }

  gateNextRead(): () => void {
    let release!: () => void;
    this.holdRead = new Promise<void>((r) => (release = r));
    return release;
  }

  override async readFile(file: string): Promise<Uint8Array> {
    this.reads++;
    const hold = this.holdRead;
    this.holdRead = undefined;
    const bytes = await super.readFile(file);
    await hold;
    return bytes;
  }

  override async writeFileAtomic(file: string, bytes: Uint8Array, opts?: WriteAtomicOptions): Promise<void> {
    this.writes++;
    const hold = this.holdWrite;
    this.holdWrite = undefined;
    await hold;
    return super.writeFileAtomic(file, bytes, opts);
  }
}

let tmp: string;
let n = 0;

function certificate(i: number): Uint8Array {
  return buildCertificate({ subject: [rdn(CN, 0x0c, `batcher ${i}`)], serial: Uint8Array.of(0x01, i % 128) });
}

function adding(alias: string, der: Uint8Array): (store: Keystore | undefined) => { store: Keystore; result: string } {
  return (store) => {
    const entry: KeystoreEntry = { alias, kind: 'trustedCertificate', timestamp: Date.now(), certificates: [der] };
    return { store: { ...(store as Keystore), entries: [...(store as Keystore).entries, entry] }, result: alias };
  };
}

/** A fresh JKS holding one entry, `seed` (keytool checks the stores the tests end with). */
function seedStore(): string {
  const file = path.join(tmp, `store-${++n}.jks`);
  fs.writeFileSync(file, writeKeystore({ type: 'JKS', integrity: 'verified', entries: [{ alias: 'seed', kind: 'trustedCertificate', timestamp: 1, certificates: [certificate(0)] }] }, PASSWORD));
  return file;
}

beforeAll(() => {
  tmp = tempDir('midtrust-batcher-');
});

afterAll(() => {
  fs.rmSync(tmp, { recursive: true, force: true });
});

test('concurrent reads asked in one tick share one read and one parse', async () => {
  const store = seedStore();
  const host = new GatedHost();
  const batcher = new KeystoreBatcher(host);
  const results = await Promise.all(Array.from({ length: 50 }, () => batcher.read({ path: store, password: PASSWORD })));
  expect(host.reads).toBe(1);
  expect(new Set(results).size).toBe(1);
  expect(results[0]?.entries.map((e) => e.alias)).toEqual(['seed']);
});

test('a read asked while another is under way gets a new read, which sees a write made meanwhile', async () => {
  const store = seedStore();
  const host = new GatedHost();
  const batcher = new KeystoreBatcher(host);
  const release = host.gateNextRead();
  const first = batcher.read({ path: store, password: PASSWORD });
  while (host.reads === 0) await new Promise((r) => setImmediate(r));
  // The first read has the old bytes in hand; the file changes; then the second question is asked.
  await new KeystoreBatcher(new LocalHost()).submit({ path: store, password: PASSWORD }, adding('later', certificate(1)));
  const second = batcher.read({ path: store, password: PASSWORD });
  release();
  expect((await first)?.entries.map((e) => e.alias)).toEqual(['seed']);
  expect((await second)?.entries.map((e) => e.alias)).toEqual(['seed', 'later']);
  expect(host.reads).toBe(2);
});

test('a missing store reads as undefined; a wrong password rejects every caller sharing the read', async () => {
  const batcher = new KeystoreBatcher(new LocalHost());
  await expect(batcher.read({ path: path.join(tmp, 'absent.jks'), password: PASSWORD })).resolves.toBeUndefined();
  const store = seedStore();
  const all = await Promise.allSettled([1, 2, 3].map(() => batcher.read({ path: store, password: 'wrong' })));
  for (const r of all) {
    expect(r.status).toBe('rejected');
    expect(String((r as PromiseRejectedResult).reason)).toMatch(/password/);
  }
});

test('changes that arrive during a write are written together in the next one; keytool finds them all', async () => {
  const store = seedStore();
  const host = new GatedHost();
  const batcher = new KeystoreBatcher(host);
  const release = host.gateNextWrite();
  const first = batcher.submit({ path: store, password: PASSWORD }, adding('c-0', certificate(100)));
  while (host.writes === 0) await new Promise((r) => setImmediate(r));
  // While the first write is held, 40 more changes arrive, spread over several ticks.
  const rest: Array<Promise<unknown>> = [];
  for (let i = 1; i <= 40; i++) {
    rest.push(batcher.submit({ path: store, password: PASSWORD }, adding(`c-${i}`, certificate(100 + i))));
    if (i % 10 === 0) await new Promise((r) => setImmediate(r));
  }
  release();
  const outcomes = (await Promise.all([first, ...rest])) as Array<{ written: boolean; batchSize: number }>;
  expect(host.writes).toBe(2);
  expect(outcomes[0].batchSize).toBe(1);
  expect(new Set(outcomes.slice(1).map((o) => o.batchSize))).toEqual(new Set([40]));
  const listed = keytoolList(store, PASSWORD);
  expect(listed.map((e) => e.alias).sort()).toEqual(['seed', ...Array.from({ length: 41 }, (_, i) => `c-${i}`)].sort());
  expect(readKeystore(fs.readFileSync(store), { password: PASSWORD }).entries).toHaveLength(42);
});
