import { SshConnectionPool } from '../host/ssh/sshConnectionPool';
import { SshHost } from '../host/ssh/sshHost';
import { readKeystore } from '../keystore/keystoreCodec';
import { midLayout } from '../mid/midLayout';
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
      const store = readKeystore(await host.readFile(midLayout(h.midHome).cacerts), { password: storePasswordOf(h, password) });
      const mid = await readMidSettings(host, h.midHome);
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
