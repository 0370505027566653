import type { Host } from '../host/host';
import type { Keystore } from '../keystore/model';
import { parseEndpointTarget, type EndpointTarget } from './endpointTarget';
import { fetchPresentedChain, type Connector, type PresentedChain } from './fetchPresentedChain';
import { defaultJdkTrustPolicy, loadJdkTrustPolicy, localJavaHome, type JdkTrustPolicy } from './jdkTrustPolicy';
import type { JudgedStore } from './judgedStore';
import { judgeChain, type ChainJudgement } from './judgeChain';
import { trustAnchorsOf } from './trustAnchors';

/** The verdict on one endpoint against one store. */
export interface EndpointVerdict {
  readonly target: EndpointTarget;
  /** The JVM's verdict: the handshake would succeed as far as trust is concerned. */
  readonly trusted: boolean;
  readonly judgement: ChainJudgement;
  readonly presented: PresentedChain;
  /** Which store, in which state ("… as it will be after apply"). */
  readonly storeLabel: string;
  /** Where the JDK's algorithm rules came from. */
  readonly policySource: string;
  /** Which Java the verdict is for, and why ("Java 17 (/opt/mid/agent/jre/release)"). */
  readonly javaVersion: string;
  readonly note?: string;
}

/** Options of {@link verifyEndpoint}. */
export interface VerifyEndpointOptions {
  /** The truststore: a model, or a {@link JudgedStore} from judgedKeystore / judgedAfterApply / judgedMidStore / judgedAfterUpgrade. */
  readonly store: Keystore | JudgedStore;
  /** The JDK's rules (default: the JDK 17 defaults; see {@link trustPolicyFor}). */
  readonly policy?: JdkTrustPolicy;
  readonly now?: Date;
  /** Connection and handshake timeout (default 10 s). */
  readonly timeoutMs?: number;
  /** How to reach the endpoint (default TCP from here; a fleet run forwards through the MID host's SSH connection). */
  readonly connect?: Connector;
  /** A chain fetched before, to judge one handshake against several stores (before and after a change). */
  readonly presented?: PresentedChain;
}

/**
 * "Will this JVM trust that endpoint?": connects (TLS, HTTPS, LDAPS or LDAP StartTLS), takes
 * the chain the server presents and judges it as the JVM's default trust manager would with the
 * store's entries as anchors. Unreachable endpoints and failed handshakes throw MidtrustError
 * IO — they are errors, never verdicts.
 *
 * @example
 * import { verifyEndpoint, judgedKeystore, LocalHost } from 'midtrust';
 * const v = await verifyEndpoint('ldaps://ad.example.com', { store: await judgedKeystore(new LocalHost(), 'cacerts', 'changeit') });
 * if (!v.trusted) console.log(v.judgement.problems, v.judgement.suggestions);
 */
export async function verifyEndpoint(target: string | EndpointTarget, opts: VerifyEndpointOptions): Promise<EndpointVerdict> {
  const t = typeof target === 'string' ? parseEndpointTarget(target) : target;
  // One deadline for connecting, the handshake and judging: a hostile chain cannot outlast --timeout.
  const deadline = Date.now() + (opts.timeoutMs ?? 10_000);
  const presented = opts.presented ?? (await fetchPresentedChain(t, { timeoutMs: opts.timeoutMs, connect: opts.connect }));
  return judgeEndpoint(t, presented, opts.store, opts.policy ?? defaultJdkTrustPolicy(), opts.now ?? new Date(), deadline);
}

/**
 * The judging half of {@link verifyEndpoint}, without the network: a presented chain against a
 * store. Pure and synchronous.
 */
export function judgeEndpoint(target: EndpointTarget, presented: PresentedChain, store: Keystore | JudgedStore, policy: JdkTrustPolicy, now: Date, deadline?: number): EndpointVerdict {
  const judged: JudgedStore = 'entries' in store ? { label: 'the given store', store } : store;
  const effective = judged.jdkCaSha256 ? { ...policy, jdkCaSha256: judged.jdkCaSha256 } : policy;
  const judgement = judgeChain(presented.certificates, {
    anchors: trustAnchorsOf(judged.store),
    policy: effective,
    now,
    authType: presented.authType,
    ...(target.identity ? { identity: target.identity } : {}),
    ...(deadline !== undefined ? { deadline } : {}),
    ...(presented.jvmOfferRefused ? { jvmHandshakeRefused: presented.jvmOfferRefused } : {}),
  });
  return {
    target,
    trusted: judgement.trusted,
    javaVersion: effective.javaVersionSource,
    judgement,
    presented,
    storeLabel: judged.label,
    policySource: effective.source,
    ...(judged.note ? { note: judged.note } : {}),
  };
}

/**
 * The JDK rules that apply to a store: its JRE's java.security and shipped roots (a MID's bundled
 * JRE), else the local JDK's when `host` is this machine, else the JDK 17 defaults; an override
 * file on top, like `-Djava.security.properties`.
 *
 * @example
 * const policy = await trustPolicyFor(new LocalHost(), judged, { env: process.env, local: true });
 */
export async function trustPolicyFor(host: Host, judged: JudgedStore, opts: { env?: Record<string, string | undefined>; local?: boolean; overrideFile?: string; javaVersion?: number } = {}): Promise<JdkTrustPolicy> {
  const javaHome = judged.javaHome ?? (opts.local && opts.env ? localJavaHome(opts.env) : undefined);
  if (!javaHome && !opts.overrideFile) return defaultJdkTrustPolicy(opts.javaVersion);
  return loadJdkTrustPolicy(host, { javaHome, overrideFile: opts.overrideFile, platform: judged.platform, javaVersion: opts.javaVersion });
}
