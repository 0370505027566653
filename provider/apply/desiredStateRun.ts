import { MidtrustError } from '../errors';
import type { Host } from '../host/host';
import { readKeystore } from '../keystore/keystoreCodec';
import type { Keystore } from '../keystore/model';
import { resolveDesiredStore } from '../mid/effectiveStore';
import { applyPlan } from '../plan/applyPlan';
import { computePlan } from '../plan/computePlan';
import type { DesiredState } from '../plan/desiredStateFile';
import type { Plan } from '../plan/plan';
import { storeJavaVersion } from '../mid/storeJavaVersion';
import { KeystoreBatcher } from './keystoreBatcher';

/** The outcome of `apply`: the plan that was carried out and whether the file was written. */
export interface ApplyResult {
  readonly plan: Plan;
  readonly written: boolean;
}

/**
 * Reads the store (no lock: writers replace it atomically, so a reader sees a whole version) and
 * plans the desired state against it. This is how drift is seen outside Pulumi. A midHome is
 * resolved on `host` to the store its JVM reads (the plan says which and why).
 */
export async function planDesiredState(host: Host, given: DesiredState): Promise<Plan> {
  const desired = await withStoreJava(host, await resolveDesiredStore(host, given));
  const { path } = desired.keystore;
  const st = await host.stat(path);
  let store: Keystore | undefined;
  if (st) {
    try {
      store = readKeystore(await host.readFile(path), { password: desired.keystore.password?.reveal() });
    } catch (e) {
      throw e instanceof MidtrustError ? e.withContext(path) : e;
    }
  }
  return computePlan(store, desired);
}

/**
 * Plans and applies under the keystore lock, in one read-modify-write: the plan is computed
 * again on the bytes read under the lock, so a change made since `plan` is not overwritten.
 * A midHome is resolved on `host` first, as {@link planDesiredState} does.
 */
export async function applyDesiredState(
  host: Host,
  given: DesiredState,
  options: { batcher?: KeystoreBatcher; now?: () => Date; lockTimeoutMs?: number } = {},
): Promise<ApplyResult> {
  const desired = await withStoreJava(host, await resolveDesiredStore(host, given));
  const batcher = options.batcher ?? new KeystoreBatcher(host);
  const now = options.now ?? (() => new Date());
  const { path, password } = desired.keystore;
  const outcome = await batcher.submit({ path, password: password?.reveal(), backups: desired.backup, lockTimeoutMs: options.lockTimeoutMs }, (current) => {
    const plan = computePlan(current, desired);
    if (plan.changes === 0) return { store: current, result: plan };
    return { store: applyPlan(current, plan, desired, { now: now() }), result: plan };
  });
  return { plan: outcome.result, written: outcome.written };
}

/** The desired state with the Java version that reads its store (the file's own, else storeJavaVersion). */
async function withStoreJava(host: Host, desired: DesiredState): Promise<DesiredState> {
  if (desired.keystore.javaVersion !== undefined) return desired;
  return { ...desired, keystore: { ...desired.keystore, javaVersion: await storeJavaVersion(host, desired.keystore) } };
}
