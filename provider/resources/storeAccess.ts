import type { Keystore } from '../keystore/model';
import type { MidStoreChoice } from '../mid/effectiveStore';
import { batcherFor, hostFor } from './connectionInput';
import { asPersonError, isUnknown, samePathSpelling, type Props } from './resourceInputs';

/** The store a resource points at (local or over its connection), or undefined when it is gone. */
export async function readStore(keystorePath: string, password: string | undefined, connection: unknown): Promise<Keystore | undefined> {
  try {
    // Through the machine's batcher: concurrent reads of one store (a refresh) share one parse.
    return await batcherFor(connection).read({ path: keystorePath, password });
  } catch (e) {
    throw asPersonError(e, keystorePath);
  }
}

/** The input subset of outputs, returned by read so refresh keeps the stored inputs in step. */
export function pickInputs(outs: Props, keys: readonly string[]): Props {
  const ins: Props = {};
  for (const k of keys) if (outs[k] !== undefined) ins[k] = outs[k];
  return ins;
}

/** Copies the optional inputs that were given (not undefined or null) into the outputs. */
export function copyGiven(outs: Props, inputs: object, keys: readonly string[]): Props {
  const from = inputs as Record<string, unknown>;
  for (const k of keys) if (from[k] !== undefined && from[k] !== null) outs[k] = from[k];
  return outs;
}

/** The store-locating inputs of TrustedCertificate and Truststore: a keystorePath, or a MID home (and which of its stores). */
export interface StoreLocatingInputs {
  keystorePath?: string;
  midHome?: string;
  store?: MidStoreChoice;
  storePassword?: string;
  connection?: unknown;
}

/** Where a resource's store is and how to open it; `why` names a MID home's store and why. */
export interface StoreLocation {
  readonly path: string;
  readonly password: string | undefined;
  readonly why?: string;
}

/**
 * The store a resource works on: `keystorePath` as given, or — with `midHome` — the store that
 * MID's JVM reads (resolveMidStore, on the MID's host, at create/update/read/delete time: never at
 * preview), opened with the password the JVM uses (effectiveStorePassword).
 *
 * @example
 * const loc = await locateStore({ midHome: '/opt/servicenow/mid', storePassword: 'changeit' });
 * loc.why; // 'external truststore wired in /opt/servicenow/mid/agent/conf/wrapper-override.conf line 7'
 */
export async function locateStore(inputs: StoreLocatingInputs): Promise<StoreLocation> {
  if (inputs.midHome === undefined) return { path: String(inputs.keystorePath), password: inputs.storePassword };
  const { effectiveStorePassword, resolveMidStore } = require('../mid/effectiveStore') as typeof import('../mid/effectiveStore');
  try {
    const resolved = await resolveMidStore(hostFor(inputs.connection), inputs.midHome, { choice: inputs.store ?? 'effective' });
    return { path: resolved.path, password: effectiveStorePassword(resolved, inputs.storePassword).password, why: resolved.why };
  } catch (e) {
    throw asPersonError(e, `midHome ${inputs.midHome}`);
  }
}

/**
 * The store a resource's claim was recorded in (`storePath` of its outputs) — where delete gives
 * back and update moves from — with the password to open it: the MID's current answer when it is
 * still that store, else the given password (the wiring may be gone by then, or the MID home).
 */
export async function recordedStore(outs: Props): Promise<StoreLocation> {
  const inputs = outs as StoreLocatingInputs;
  const recorded = typeof outs.storePath === 'string' ? outs.storePath : undefined;
  if (inputs.midHome === undefined || recorded === undefined) return locateStore(inputs);
  try {
    const now = await locateStore(inputs);
    if (samePathSpelling(now.path, recorded)) return now;
  } catch {
    // The MID home or its wiring is unreadable now: the recorded store and the given password still name what was claimed.
  }
  return { path: recorded, password: inputs.storePassword };
}

/** The outputs that say which store a midHome resource works on, and why (none for a keystorePath). */
export function storeOutputs(inputs: StoreLocatingInputs, loc: StoreLocation, claimedIn?: string): Props {
  if (inputs.midHome === undefined) return {};
  return {
    midHome: inputs.midHome,
    ...(inputs.store !== undefined ? { store: inputs.store } : {}),
    storePath: claimedIn ?? loc.path,
    storeSource: claimedIn !== undefined && !samePathSpelling(claimedIn, loc.path) ? `${loc.why}: ${loc.path} is now the store its JVM reads; the next update moves the entries there from ${claimedIn}` : (loc.why ?? null),
  };
}

/** True when a diff must replace: the store is named by another keystorePath or MID home spelling. */
export function storeNameChanged(olds: Props, news: Props): string[] {
  const out: string[] = [];
  const spelled = (v: unknown): string => (typeof v === 'string' ? v : '');
  if (isUnknown(news.keystorePath) || !samePathSpelling(spelled(olds.keystorePath), spelled(news.keystorePath))) out.push('keystorePath');
  const home = (v: unknown): string => (typeof v === 'string' ? midLayoutHome(v) : '');
  if (isUnknown(news.midHome) || home(olds.midHome) !== home(news.midHome)) out.push('midHome');
  return out;
}

/** A MID home as its layout normalises it (`…/agent` and the home are one), spelled for comparison. */
function midLayoutHome(v: string): string {
  const { midLayout } = require('../mid/midLayout') as typeof import('../mid/midLayout');
  const layout = midLayout(v);
  return layout.platform === 'win32' ? layout.home.toLowerCase() : layout.home;
}
