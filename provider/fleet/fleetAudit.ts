import { SshConnectionPool } from '../host/ssh/sshConnectionPool';
import { SshHost } from '../host/ssh/sshHost';
import { readKeystore } from '../keystore/keystoreCodec';
import { effectiveStorePassword, resolveMidStore } from '../mid/effectiveStore';
import { readMidSettings } from '../mid/midSettingsReader';
import { certificatesOfStore, runRules } from '../rules/runRules';
import type { RuleOptions, Violation } from '../rules/violation';
import { storePasswordOf, type InventoryHost } from './inventory';
import { mapLimited } from './mapLimited';
import { hostFailure } from './hostFailure';

/** The policy findings of one host, or why it could not be audited. */
export interface HostAudit {
  readonly name: string;
  readonly ok: boolean;
  readonly violations: readonly Violation[];
  readonly error?: string;
}

/**
 * The policy rules over every host's live MID truststore and settings, over one SSH connection
 * per host, `parallel` hosts at a time; a failing host is reported, the others still audited.
 */
export async function auditFleet(hosts: readonly InventoryHost[], password: string | undefined, opts: { parallel?: number; rules?: Partial<RuleOptions> } = {}): Promise<HostAudit[]> {
  const pool = new SshConnectionPool();
  const audit = async (h: InventoryHost): Promise<HostAudit> => {
    try {
      const host = new SshHost(h.connection, pool);
      // The store this MID's JVM reads, opened as the JVM opens it.
      const resolved = await resolveMidStore(host, h.midHome);
      const store = readKeystore(await host.readFile(resolved.path), { password: effectiveStorePassword(resolved, storePasswordOf(h, password)).password });
      const mid = await readMidSettings(host, h.midHome, { managed: { path: resolved.path, kind: resolved.kind } });
      return { name: h.name, ok: true, violations: runRules({ certificates: certificatesOfStore(store), mid }, opts.rules) };
    } catch (e) {
      return { name: h.name, ok: false, violations: [], error: hostFailure(e) };
    }
  };
  try {
    return await mapLimited(hosts, opts.parallel ?? 8, audit);
  } finally {
    await pool.closeAll();
  }
}
