/**
 * Runs TrustProbe.java — a real Java TLS client with the JVM's default trust manager — on every
 * JDK of the machine: Java 17 (/usr/bin/java) and any JDK ≥ 18 under /usr/lib/jvm. Each JVM
 * start costs ~1–2 s (single-file source programs compile in memory), so one run checks many
 * cases, and the JDKs run in parallel.
 */
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { allKeytools } from '../helpers/keytool';

export interface Jvm {
  readonly version: number;
  readonly java: string;
}

export type JvmVerdict = 'TRUSTED' | 'UNTRUSTED' | 'ERROR';

/** One case for the probe: how to connect, and with which truststore. */
export interface ProbeCase {
  readonly id: string;
  readonly mode: 'tls' | 'https' | 'starttls';
  readonly host: string;
  readonly port: number;
  readonly store: string;
  readonly storeType: 'JKS' | 'PKCS12';
  /** Name of an environment variable holding the store password (never argv). */
  readonly passwordEnv?: string;
}

const PROBE = path.join(__dirname, 'TrustProbe.java');

/** The java binaries beside every keytool the keytool oracle knows (one per feature version). */
export function jvms(): Jvm[] {
  return allKeytools()
    .map((k) => ({ version: k.version, java: path.join(path.dirname(k.bin), 'java') }))
    .filter((j) => fs.existsSync(j.java));
}

/** Runs the probe over `cases` on `jvm`; returns each case's verdict and the JVM's message. */
export async function runProbe(jvm: Jvm, dir: string, cases: readonly ProbeCase[], opts: { securityProperties?: string; env?: Record<string, string>; tag?: string } = {}): Promise<Map<string, { verdict: JvmVerdict; detail: string }>> {
  const file = path.join(dir, `cases-${jvm.version}${opts.tag ? `-${opts.tag}` : ''}.tsv`);
  fs.writeFileSync(file, cases.map((c) => [c.id, c.mode, c.host, c.port, c.store, c.storeType, c.passwordEnv ?? '-'].join('\t')).join('\n') + '\n');
  const args = ['-Xshare:auto', '-XX:TieredStopAtLevel=1', ...(opts.securityProperties ? [`-Djava.security.properties=${opts.securityProperties}`] : []), PROBE, file];
  const out = await new Promise<string>((resolve, reject) => {
    const proc = spawn(jvm.java, args, { env: { ...process.env, ...opts.env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    proc.stdout.on('data', (b: Buffer) => (stdout += b.toString()));
    proc.stderr.on('data', (b: Buffer) => (stderr += b.toString()));
    proc.once('error', reject);
    proc.once('exit', (code) => (code === 0 ? resolve(stdout) : reject(new Error(`java ${jvm.version} probe exited ${code}:\n${stderr}`))));
  });
  const verdicts = new Map<string, { verdict: JvmVerdict; detail: string }>();
  for (const line of out.split('\n')) {
    const m = /^(\S+) (TRUSTED|UNTRUSTED|ERROR)\s?(.*)$/.exec(line);
    if (m) verdicts.set(m[1], { verdict: m[2] as JvmVerdict, detail: m[3] });
  }
  return verdicts;
}

/** A probe that stays up and judges cases as they are sent (one JVM for a whole differential run). */
export interface StreamingProbe {
  judge(cases: readonly ProbeCase[]): Promise<Map<string, { verdict: JvmVerdict; detail: string }>>;
  close(): Promise<void>;
}

/** Starts TrustProbe.java reading its cases from stdin on `jvm`. */
export function startStreamingProbe(jvm: Jvm, opts: { env?: Record<string, string> } = {}): StreamingProbe {
  const proc = spawn(jvm.java, ['-Xshare:auto', '-XX:TieredStopAtLevel=1', PROBE, '-'], { env: { ...process.env, ...opts.env }, stdio: ['pipe', 'pipe', 'pipe'] });
  let buffered = '';
  let stderr = '';
  const waiting = new Map<string, (v: { verdict: JvmVerdict; detail: string }) => void>();
  proc.stderr.on('data', (b: Buffer) => (stderr += b.toString()));
  proc.stdout.on('data', (b: Buffer) => {
    buffered += b.toString();
    let nl: number;
    while ((nl = buffered.indexOf('\n')) >= 0) {
      const line = buffered.slice(0, nl);
      buffered = buffered.slice(nl + 1);
      const m = /^(\S+) (TRUSTED|UNTRUSTED|ERROR)\s?(.*)$/.exec(line);
      if (m) waiting.get(m[1])?.({ verdict: m[2] as JvmVerdict, detail: m[3] });
    }
  });
  const exited = new Promise<void>((resolve) => proc.once('exit', () => resolve()));
  return {
    async judge(cases) {
      const out = new Map<string, { verdict: JvmVerdict; detail: string }>();
      const done = cases.map((c) => new Promise<void>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`java ${jvm.version} probe gave no answer for ${c.id}: ${stderr}`)), 60_000);
        waiting.set(c.id, (v) => {
          clearTimeout(timer);
          out.set(c.id, v);
          resolve();
        });
      }));
      proc.stdin.write(cases.map((c) => [c.id, c.mode, c.host, c.port, c.store, c.storeType, c.passwordEnv ?? '-'].join('\t')).join('\n') + '\n');
      await Promise.all(done);
      return out;
    },
    async close() {
      proc.stdin.end();
      await exited;
    },
  };
}
