/**
 * Differential test of verify's chain judge (issue 23): chain shapes generated from a fixed seed,
 * every dimension combined — key type/curve and signature hash at each position, 0–11
 * intermediates, basic constraints / pathlen / key usage / EKU variants, name constraints,
 * certificate policies, validity at each position, v1 roots, AKI/SKI mismatches, duplicates,
 * unrelated padding, shuffled order, issuer-name spacing, TLS 1.2 and 1.3, bare TLS and HTTPS.
 * Each shape is served by `openssl s_server` and judged by TrustProbe.java on Java 17 and on the
 * JDK ≥ 18 (one streaming JVM each for the whole run) with the JVM's default trust manager over the
 * shape's store, and by midtrust (the library, once per JDK with that JDK's java.security and
 * release). Every verdict must be the JVM's, and midtrust's problem code must be in the class of
 * the JVM's exception (CLASS_OF below).
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { spawn, type ChildProcess } from 'node:child_process';
import { writeKeystore } from '../../provider/keystore/keystoreCodec';
import { LocalHost } from '../../provider/host/localHost';
import { parseEndpointTarget } from '../../provider/verify/endpointTarget';
import { fetchPresentedChain } from '../../provider/verify/fetchPresentedChain';
import { loadJdkTrustPolicy, type JdkTrustPolicy } from '../../provider/verify/jdkTrustPolicy';
import { judgeEndpoint } from '../../provider/verify/verifyEndpoint';
import type { ChainJudgement, TrustProblemCode } from '../../provider/verify/judgeChain';
import { tempDir } from '../helpers/keytool';
import { needs } from '../helpers/requireTools';
import { jvms, startStreamingProbe, type JvmVerdict, type StreamingProbe } from './javaProbe';
import { buildCertificate, keyId, makeKey, pem, type Extensions, type Hash, type KeyPair, type KeyType, type Name } from './certificateBuilder';

const SEED = 0x23c0ffee;
const SHAPES = Number(process.env.MT_DIFFERENTIAL_SHAPES ?? 220);
const BATCH = 10;
const PASSWORD_ENV = 'MT_DIFF_STOREPASS';
const DAY = 86_400_000;
const SERVER_AUTH = '1.3.6.1.5.5.7.3.1';
const CLIENT_AUTH = '1.3.6.1.5.5.7.3.2';
const ANY_POLICY = '2.5.29.32.0';
const POLICY_A = '1.3.6.1.4.1.55555.1.1';

/** mulberry32: the same shapes on every run and machine. */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

interface Position {
  key: KeyType;
  hash: Hash;
  validity: 'ok' | 'expired' | 'future';
}

/** One generated chain shape: positions root first, leaf last. */
interface Shape {
  id: string;
  positions: Position[];
  tls12: boolean;
  mode: 'tls' | 'https';
  rootV1: boolean;
  interBc: 'normal' | 'absent' | 'not-ca';
  pathLenZeroAt?: number;
  noCertSignAt?: number;
  leafEku: 'server' | 'client' | 'absent';
  leafKu: 'normal' | 'agreement';
  leafSan: boolean;
  nameConstraints?: 'permit-ok' | 'permit-other' | 'exclude-leaf';
  policies?: 'require-none' | 'require-present' | 'inhibit-any';
  akiMismatch: boolean;
  sendRoot: boolean;
  shuffle: boolean;
  duplicates: number;
  padUnrelated: number;
  /** Pad with unrelated certificates of ~4.5 KB each (a long SAN list): the handshake size limit. */
  padLarge?: number;
  issuerSpacing: boolean;
  anchor: 'root' | 'inter' | 'leaf' | 'none';
}

function pick<T>(rnd: () => number, table: ReadonlyArray<readonly [number, T]>): T {
  const total = table.reduce((s, [w]) => s + w, 0);
  let r = rnd() * total;
  for (const [w, v] of table) if ((r -= w) < 0) return v;
  return table[table.length - 1][1];
}

function generateShape(i: number, rnd: () => number): Shape {
  const depth = pick(rnd, [[12, 0], [40, 1], [25, 2], [10, 3], [4, 4], [3, 6], [3, 9], [3, 11]] as const);
  const key = (): KeyType => pick(rnd, [[60, 'p256'], [14, 'rsa2048'], [4, 'p384'], [3, 'p521'], [3, 'secp224r1'], [3, 'secp256k1'], [3, 'brainpoolP256r1'], [3, 'ed25519'], [2, 'ed448'], [2, 'rsapss'], [2, 'dsa'], [1, 'rsa1024']] as const);
  const positions: Position[] = [];
  for (let p = 0; p < depth + 2; p++) {
    const k = key();
    const hash: Hash = pick(rnd, [[82, 'sha256'], [6, 'sha1'], [4, 'md5'], [4, 'sha384'], [4, 'sha512']] as const);
    positions.push({ key: k, hash, validity: pick(rnd, [[92, 'ok'], [4, 'expired'], [4, 'future']] as const) });
  }
  const leaf = positions[positions.length - 1];
  return {
    id: `s${String(i).padStart(3, '0')}`,
    positions,
    tls12: leaf.key === 'dsa' || rnd() < 0.5,
    mode: rnd() < 0.3 ? 'https' : 'tls',
    rootV1: rnd() < 0.05,
    interBc: pick(rnd, [[92, 'normal'], [4, 'absent'], [4, 'not-ca']] as const),
    ...(depth > 0 && rnd() < 0.06 ? { pathLenZeroAt: 1 + Math.floor(rnd() * depth) } : {}),
    ...(depth > 0 && rnd() < 0.04 ? { noCertSignAt: 1 + Math.floor(rnd() * depth) } : {}),
    leafEku: pick(rnd, [[88, 'server'], [6, 'client'], [6, 'absent']] as const),
    leafKu: rnd() < 0.04 ? 'agreement' : 'normal',
    leafSan: rnd() < 0.95,
    ...(depth > 0 && rnd() < 0.1 ? { nameConstraints: pick(rnd, [[1, 'permit-ok'], [1, 'permit-other'], [1, 'exclude-leaf']] as const) } : {}),
    ...(depth > 0 && rnd() < 0.1 ? { policies: pick(rnd, [[1, 'require-none'], [1, 'require-present'], [1, 'inhibit-any']] as const) } : {}),
    akiMismatch: rnd() < 0.06,
    sendRoot: rnd() < 0.3,
    shuffle: rnd() < 0.15,
    duplicates: rnd() < 0.05 ? pick(rnd, [[1, 1], [1, 12]] as const) : 0,
    padUnrelated: rnd() < 0.04 ? 10 : 0,
    issuerSpacing: depth > 0 && rnd() < 0.05,
    anchor: pick(rnd, [[74, 'root'], [8, 'inter'], [5, 'leaf'], [13, 'none']] as const),
  };
}

/** A plain valid shape (P-256, SHA-256, one intermediate, root trusted) that named shapes vary. */
function baseShape(id: string, depth = 1): Shape {
  return {
    id,
    positions: Array.from({ length: depth + 2 }, () => ({ key: 'p256' as KeyType, hash: 'sha256' as Hash, validity: 'ok' as const })),
    tls12: false, mode: 'tls', rootV1: false, interBc: 'normal', leafEku: 'server', leafKu: 'normal', leafSan: true,
    akiMismatch: false, sendRoot: false, shuffle: false, duplicates: 0, padUnrelated: 0, issuerSpacing: false, anchor: 'root',
  };
}

function withKeys(s: Shape, keys: Array<KeyType | undefined>, hashes: Array<Hash | undefined> = []): Shape {
  return { ...s, positions: s.positions.map((p, i) => ({ ...p, key: keys[i] ?? p.key, hash: hashes[i] ?? p.hash })) };
}

/** One named shape for each disagreement class issue 23 lists (positions: root, …, leaf). */
function namedShapes(): Shape[] {
  return [
    withKeys(baseShape('c1-inter-secp224r1'), [undefined, 'secp224r1']),
    withKeys(baseShape('c1-root-secp256k1'), ['secp256k1']),
    withKeys(baseShape('c1-inter-brainpool'), [undefined, 'brainpoolP256r1']),
    withKeys(baseShape('c1-leaf-secp256k1'), [undefined, undefined, 'secp256k1']),
    withKeys(baseShape('c1-leaf-ed448'), [undefined, undefined, 'ed448']),
    withKeys(baseShape('c1-inter-rsapss'), [undefined, 'rsapss']),
    baseShape('c2-twelve-intermediates', 12),
    { ...baseShape('c2-padded-12-duplicates'), duplicates: 12 },
    { ...baseShape('c3-nc-permitted-other'), nameConstraints: 'permit-other' },
    { ...baseShape('c3-nc-excluded-leaf'), nameConstraints: 'exclude-leaf' },
    { ...baseShape('c3-nc-permitted-ok'), nameConstraints: 'permit-ok' },
    { ...baseShape('c3-nc-leaf-cn-only'), nameConstraints: 'permit-other', leafSan: false },
    { ...baseShape('c4-require-explicit-policy'), policies: 'require-none' },
    { ...baseShape('c4-require-explicit-present'), policies: 'require-present' },
    { ...baseShape('c4-inhibit-any-policy', 2), policies: 'inhibit-any' },
    { ...baseShape('c5-aki-mismatch-reordered', 2), akiMismatch: true, shuffle: true },
    { ...withKeys(baseShape('c6-dsa-server-tls12'), [undefined, undefined, 'dsa']), tls12: true },
    { ...withKeys(baseShape('c6-dsa-intermediate-tls13'), [undefined, 'dsa']), tls12: false },
    withKeys(baseShape('c7-md5-leaf'), [undefined, 'rsa2048', 'rsa2048'], [undefined, undefined, 'md5']),
    { ...withKeys(baseShape('c7-md5-leaf-pinned'), [undefined, 'rsa2048', 'rsa2048'], [undefined, undefined, 'md5']), anchor: 'leaf' },
    { ...withKeys(baseShape('c7-md5-leaf-tls12'), [undefined, 'rsa2048', 'rsa2048'], [undefined, undefined, 'md5']), tls12: true },
    { ...baseShape('c8-issuer-spacing'), issuerSpacing: true },
    { ...baseShape('c8-issuer-spacing-reordered', 2), issuerSpacing: true, shuffle: true, sendRoot: true },
    { ...baseShape('c9-padded-10-unrelated'), padUnrelated: 10 },
    { ...baseShape('c9-padded-8-large'), padLarge: 8 },
    { ...baseShape('c9-padded-8-large-tls12'), padLarge: 8, tls12: true },
    { ...baseShape('c9-padded-6-large'), padLarge: 6 },
  ];
}

/** The certificates of a shape: root first, leaf last, plus what the server sends and the store holds. */
interface Built {
  certs: Buffer[];
  leafKey: KeyPair;
  sent: Buffer[];
  store: Buffer[];
}

function buildShape(s: Shape, keys: (t: KeyType, slot: number) => KeyPair, unrelated: Buffer[], large: Buffer[]): Built {
  const now = Date.now();
  const n = s.positions.length;
  const names: Name[] = s.positions.map((_, p) => (p === n - 1 ? [['CN', 'localhost'], ['O', `${s.id} server`]] : [['CN', `${s.id} CA ${p}`], ['O', 'midtrust differential']]));
  const pairs = s.positions.map((pos, p) => keys(pos.key, p));
  const certs: Buffer[] = [];
  for (let p = 0; p < n; p++) {
    const pos = s.positions[p];
    const isLeaf = p === n - 1;
    const issuerP = p === 0 ? 0 : p - 1;
    const signer = pairs[issuerP];
    // MD5 exists only with RSA keys.
    const hash: Hash = pos.hash === 'md5' && !signer.type.startsWith('rsa') ? 'sha256' : pos.hash;
    const validity = pos.validity === 'expired' ? { notBefore: new Date(now - 400 * DAY), notAfter: new Date(now - 30 * DAY) } : pos.validity === 'future' ? { notBefore: new Date(now + 30 * DAY), notAfter: new Date(now + 400 * DAY) } : { notBefore: new Date(now - DAY), notAfter: new Date(now + 365 * DAY) };
    const inter = p > 0 && !isLeaf;
    let ext: Extensions;
    if (isLeaf) {
      ext = {
        basicConstraints: { ca: false, critical: false },
        keyUsage: s.leafKu === 'agreement' ? ['keyAgreement'] : signer && pairs[p].type.startsWith('rsa') ? ['digitalSignature', 'keyEncipherment'] : ['digitalSignature'],
        ...(s.leafEku === 'absent' ? {} : { extendedKeyUsage: [s.leafEku === 'server' ? SERVER_AUTH : CLIENT_AUTH] }),
        ...(s.leafSan ? { subjectAltDns: ['localhost'], subjectAltIp: ['127.0.0.1'] } : {}),
        subjectKeyId: keyId(pairs[p].publicKey),
        authorityKeyId: s.akiMismatch ? Buffer.alloc(20, 0x5a) : keyId(signer.publicKey),
        ...(s.policies === 'require-present' || s.policies === 'inhibit-any' ? { policies: [s.policies === 'inhibit-any' ? ANY_POLICY : POLICY_A] } : {}),
      };
    } else {
      ext = {
        ...(inter && s.interBc === 'absent' ? {} : { basicConstraints: { ca: !(inter && s.interBc === 'not-ca'), ...(s.pathLenZeroAt === p ? { pathLen: 0 } : {}) } }),
        keyUsage: s.noCertSignAt === p ? ['digitalSignature'] : ['keyCertSign', 'cRLSign'],
        subjectKeyId: keyId(pairs[p].publicKey),
        ...(p > 0 ? { authorityKeyId: keyId(signer.publicKey) } : {}),
        ...(inter && p === 1 && s.nameConstraints
          ? { nameConstraints: s.nameConstraints === 'permit-ok' ? { permittedDns: ['localhost'] } : s.nameConstraints === 'permit-other' ? { permittedDns: ['example.com'] } : { excludedDns: ['localhost'] } }
          : {}),
        ...(inter && p === 1 && s.policies === 'require-none' ? { requireExplicitPolicy: 0 } : {}),
        ...(inter && p === 1 && s.policies === 'require-present' ? { requireExplicitPolicy: 0, policies: [POLICY_A] } : {}),
        ...(inter && p === 1 && s.policies === 'inhibit-any' ? { inhibitAnyPolicy: 0, policies: [ANY_POLICY] } : {}),
        ...(inter && p > 1 && s.policies === 'require-present' ? { policies: [POLICY_A] } : {}),
        ...(inter && p > 1 && s.policies === 'inhibit-any' ? { policies: [ANY_POLICY] } : {}),
      };
    }
    let issuerName = p === 0 ? names[0] : names[issuerP];
    if (s.issuerSpacing && isLeaf) issuerName = issuerName.map(([a, v]) => [a, v.replace(' CA ', '  CA ')] as const);
    certs.push(buildCertificate({ subject: names[p], issuer: issuerName, publicKey: pairs[p].publicKey, signer, hash, serial: 0x1000 + p, ...validity, v1: p === 0 && s.rootV1, extensions: ext }));
  }
  const leaf = certs[n - 1];
  const inters = certs.slice(1, n - 1).reverse();
  let rest = [...inters, ...(s.sendRoot ? [certs[0]] : [])];
  for (let d = 0; d < s.duplicates; d++) rest.push(inters[0] ?? leaf);
  rest.push(...unrelated.slice(0, s.padUnrelated), ...large.slice(0, s.padLarge ?? 0));
  if (s.shuffle) rest = rest.reverse();
  const store = s.anchor === 'root' ? [certs[0]] : s.anchor === 'inter' ? [certs[n - 2]] : s.anchor === 'leaf' ? [leaf] : [unrelated[0]];
  return { certs, leafKey: pairs[n - 1], sent: [leaf, ...rest], store };
}

/** What the JVM's exception says, in classes midtrust's codes map to. */
type Outcome = 'TRUSTED' | 'NO_PATH' | 'VALIDATION' | 'END_ENTITY' | 'HOSTNAME' | 'CHAIN_LENGTH' | 'HANDSHAKE' | 'ERROR';

function jvmOutcome(v: { verdict: JvmVerdict; detail: string }): Outcome {
  if (v.verdict === 'TRUSTED') return 'TRUSTED';
  const d = v.detail;
  if (/certificate chain length|size of the handshake message/i.test(d)) return 'CHAIN_LENGTH';
  if (/No subject alternative|No name matching/i.test(d)) return 'HOSTNAME';
  if (/Extended key usage|KeyUsage does not allow|Netscape cert type/i.test(d)) return 'END_ENTITY';
  if (/PKIX path building failed|unable to find valid certification path/i.test(d)) return 'NO_PATH';
  if (/PKIX path validation failed|CertPathValidatorException/i.test(d)) return 'VALIDATION';
  if (v.verdict === 'ERROR' && /handshake|alert|SSLException|signature|unsupported|Unsupported/i.test(d)) return 'HANDSHAKE';
  return 'ERROR';
}

const END_ENTITY: ReadonlySet<TrustProblemCode> = new Set(['KEY_USAGE', 'EXTENDED_KEY_USAGE', 'NETSCAPE_CERT_TYPE']);

/** The JVM exception class midtrust's verdict stands for (Java stops at the first failing stage). */
function midtrustOutcome(j: ChainJudgement): Outcome {
  if (j.trusted) return 'TRUSTED';
  const codes = j.problems.map((p) => p.code);
  if (codes.includes('CHAIN_TOO_LONG')) return 'CHAIN_LENGTH';
  if (codes.includes('HANDSHAKE_REFUSED')) return 'HANDSHAKE';
  const path = codes.filter((c) => !END_ENTITY.has(c) && c !== 'HOSTNAME_MISMATCH');
  if (path.length > 0) return j.route === 'validated' ? 'VALIDATION' : 'NO_PATH';
  return codes.some((c) => END_ENTITY.has(c)) ? 'END_ENTITY' : 'HOSTNAME';
}

function startServer(dir: string, s: Shape): Promise<{ port: number; proc: ChildProcess }> {
  const args = ['s_server', '-accept', '127.0.0.1:0', '-cert', path.join(dir, `${s.id}-leaf.pem`), '-key', path.join(dir, `${s.id}-leaf.key`), '-www', '-cipher', 'ALL@SECLEVEL=0'];
  if (fs.existsSync(path.join(dir, `${s.id}-chain.pem`))) args.push('-cert_chain', path.join(dir, `${s.id}-chain.pem`));
  if (s.tls12) args.push('-tls1_2');
  const proc = spawn('openssl', args, { stdio: ['ignore', 'pipe', 'pipe'] });
  return new Promise((resolve, reject) => {
    let out = '';
    let err = '';
    const timer = setTimeout(() => reject(new Error(`s_server ${s.id} did not start: ${err}`)), 15_000);
    proc.stderr?.on('data', (b: Buffer) => (err += b.toString()));
    proc.stdout?.on('data', (b: Buffer) => {
      out += b.toString();
      const m = /ACCEPT 127\.0\.0\.1:(\d+)/.exec(out);
      if (m) {
        clearTimeout(timer);
        resolve({ port: Number(m[1]), proc });
      }
    });
    proc.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`s_server ${s.id} exited ${code}: ${err}`));
    });
  });
}

function stop(proc: ChildProcess): Promise<void> {
  return new Promise((r) => (proc.exitCode !== null ? r() : (proc.once('exit', () => r()), proc.kill('SIGTERM'))));
}

needs('keytool', 'jdk18', 'java', 'openssl').describe('verify agrees with Java 17 and the newer JDK on generated chain shapes (issue 23)', () => {
  const dir = tempDir('mt-verify-diff-');
  const env = { [PASSWORD_ENV]: 'changeit' };
  let probes: Array<{ version: number; home: string; probe: StreamingProbe; policy: JdkTrustPolicy }> = [];

  beforeAll(async () => {
    const all = jvms();
    const chosen = [all.find((j) => j.version === 17)!, all.find((j) => j.version >= 18)!];
    const host = new LocalHost();
    probes = await Promise.all(
      chosen.map(async (j) => {
        const home = path.dirname(path.dirname(fs.realpathSync(j.java)));
        return { version: j.version, home, probe: startStreamingProbe(j, { env }), policy: await loadJdkTrustPolicy(host, { javaHome: home }) };
      }),
    );
  }, 60_000);

  afterAll(async () => {
    await Promise.all(probes.map((p) => p.probe.close()));
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it(`the named shapes of issue 23 and ${SHAPES} shapes from seed ${SEED.toString(16)}: every verdict is the JVM's, in the class of its exception`, async () => {
    const rnd = prng(SEED);
    const keyCache = new Map<string, KeyPair>();
    // Two keys per type, alternating by position, so issuer and subject keys differ; RSA/DSA are slow to make.
    const keys = (t: KeyType, slot: number): KeyPair => {
      const k = `${t}:${slot % 2}`;
      let v = keyCache.get(k);
      if (!v) keyCache.set(k, (v = makeKey(t)));
      return v;
    };
    const unrelatedKey = makeKey('p256');
    const unrelated = Array.from({ length: 10 }, (_, i) =>
      buildCertificate({ subject: [['CN', `Unrelated CA ${i}`]], issuer: [['CN', `Unrelated CA ${i}`]], publicKey: unrelatedKey.publicKey, signer: unrelatedKey, hash: 'sha256', serial: 9000 + i, notBefore: new Date(Date.now() - DAY), notAfter: new Date(Date.now() + 365 * DAY), extensions: { basicConstraints: { ca: true }, keyUsage: ['keyCertSign'] } }),
    );
    const large = Array.from({ length: 8 }, (_, i) =>
      buildCertificate({ subject: [['CN', `Large unrelated ${i}`]], issuer: [['CN', `Large unrelated ${i}`]], publicKey: unrelatedKey.publicKey, signer: unrelatedKey, hash: 'sha256', serial: 9100 + i, notBefore: new Date(Date.now() - DAY), notAfter: new Date(Date.now() + 365 * DAY), extensions: { basicConstraints: { ca: false }, subjectAltDns: Array.from({ length: 200 }, (_, n) => `host-${n}.padding.example`) } }),
    );
    const shapes = [...namedShapes(), ...Array.from({ length: SHAPES }, (_, i) => generateShape(i, rnd))];
    const rows: string[] = [];
    const disagreements: string[] = [];
    const tally = new Map<string, number>();
    for (let b = 0; b < shapes.length; b += BATCH) {
      const batch = shapes.slice(b, b + BATCH);
      for (const s of batch) {
        const built = buildShape(s, keys, unrelated, large);
        fs.writeFileSync(path.join(dir, `${s.id}-leaf.pem`), pem(built.sent[0]));
        fs.writeFileSync(path.join(dir, `${s.id}-leaf.key`), built.leafKey.privateKey.export({ type: 'pkcs8', format: 'pem' }));
        if (built.sent.length > 1) fs.writeFileSync(path.join(dir, `${s.id}-chain.pem`), built.sent.slice(1).map(pem).join(''));
        const model = { type: 'JKS' as const, integrity: 'verified' as const, entries: built.store.map((der, i) => ({ alias: `anchor-${i}`, kind: 'trustedCertificate' as const, timestamp: Date.UTC(2025, 0, 1), certificates: [der] })) };
        fs.writeFileSync(path.join(dir, `${s.id}.jks`), writeKeystore(model, 'changeit'));
      }
      const servers = await Promise.all(batch.map((s) => startServer(dir, s).then((srv) => ({ s, srv }))));
      try {
        const cases = servers.map(({ s, srv }) => ({ id: s.id, mode: s.mode, host: 'localhost', port: srv.port, store: path.join(dir, `${s.id}.jks`), storeType: 'JKS' as const, passwordEnv: PASSWORD_ENV }));
        const [jvmA, jvmB] = await Promise.all(probes.map((p) => p.probe.judge(cases)));
        for (const { s, srv } of servers) {
          const target = parseEndpointTarget(s.mode === 'https' ? `https://localhost:${srv.port}` : `localhost:${srv.port}`);
          const { readKeystore } = await import('../../provider/keystore/keystoreCodec');
          const store = readKeystore(fs.readFileSync(path.join(dir, `${s.id}.jks`)), { password: 'changeit' });
          let presented: Awaited<ReturnType<typeof fetchPresentedChain>> | undefined;
          let fetchError = '';
          try {
            presented = await fetchPresentedChain(target, { timeoutMs: 10_000 });
          } catch (e) {
            fetchError = (e as Error).message;
          }
          for (const [i, jvm] of [jvmA, jvmB].entries()) {
            const p = probes[i];
            const theirs = jvm.get(s.id)!;
            const jo = jvmOutcome(theirs);
            let mo: Outcome;
            let codes = '';
            if (!presented) mo = 'ERROR';
            else {
              try {
                const v = judgeEndpoint(target, presented, store, p.policy, new Date());
                mo = midtrustOutcome(v.judgement);
                codes = v.judgement.problems.map((x) => x.code).join(',');
              } catch (e) {
                mo = 'ERROR';
                codes = (e as Error).message;
              }
            }
            const line = `${s.id} Java ${p.version}: JVM ${jo} (${theirs.detail.slice(0, 160)}) | midtrust ${mo} ${codes || fetchError}`;
            rows.push(line);
            if (jo !== mo) {
              disagreements.push(`${line}\n    shape ${JSON.stringify(s)}`);
              tally.set(`${jo} vs ${mo}`, (tally.get(`${jo} vs ${mo}`) ?? 0) + 1);
            }
          }
        }
      } finally {
        await Promise.all(servers.map(({ srv }) => stop(srv.proc)));
      }
    }
    const trusted = rows.filter((r) => / JVM TRUSTED /.test(r)).length;
    console.log(`differential: ${shapes.length} shapes × ${probes.length} JDKs, ${trusted} trusted verdicts, ${disagreements.length} disagreements ${JSON.stringify([...tally])}\n${disagreements.join('\n')}`);
    if (process.env.MT_DIFFERENTIAL_REPORT) fs.writeFileSync(process.env.MT_DIFFERENTIAL_REPORT, `${rows.join('\n')}\n\nDISAGREEMENTS\n${disagreements.join('\n')}\n`);
    expect(disagreements).toEqual([]);
  }, 400_000);
});
