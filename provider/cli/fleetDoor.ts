import * as path from 'node:path';
import { loadInventory } from '../fleet/inventory';
import { runFleet, type HostOutcome } from '../fleet/fleetRun';
import { MidtrustError } from '../errors';
import type { DesiredState } from '../plan/desiredState';
import { EXIT, type CliIo } from './cliIo';
import { formatTable, terminalWidth } from './formatTable';

/** The options plan/apply take for fleets. */
export const FLEET_OPTIONS = { inventory: { type: 'string' }, parallel: { type: 'string' } } as const;

/** --parallel: how many hosts at once (default 8). */
export function parseParallel(value: string | undefined): number {
  const n = value === undefined ? 8 : Number(value);
  if (!Number.isInteger(n) || n < 1) throw new MidtrustError('INVALID_INPUT', `--parallel ${value}: give a whole number of hosts, 1 or more`);
  return n;
}

/**
 * Progress of a fleet run on stderr: a bar on a terminal, one line per host otherwise
 * (`[3/20] mid-lon-01: in sync`), as every fleet command shows it.
 */
export function hostProgress<T extends { readonly name: string }>(io: CliIo, describeHost: (outcome: T) => string): (outcome: T, done: number, total: number) => void {
  return (o, done, total) => {
    if (io.isTty) {
      const width = 30;
      const filled = Math.round((done / total) * width);
      io.stderr(`\r[${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${done}/${total} hosts${done === total ? '\n' : ''}`);
    } else {
      io.stderr(`[${done}/${total}] ${o.name}: ${describeHost(o)}\n`);
    }
  };
}

/**
 * plan/apply over every host of an inventory: a progress bar on a terminal, one line per host
 * otherwise, then a summary table. Exit 1 when any host failed; for plan, 2 when changes are
 * pending somewhere and nothing failed.
 */
export async function runFleetCommand(mode: 'plan' | 'apply', desired: DesiredState, opts: { inventory?: string; parallel?: string; json?: boolean }, io: CliIo): Promise<number> {
  const hosts = loadInventory(path.resolve(io.cwd, opts.inventory as string), io.env);
  const parallel = parseParallel(opts.parallel);
  const outcomes = await runFleet(hosts, desired, {
    mode,
    parallel,
    onHostDone: opts.json ? undefined : hostProgress(io, (o: HostOutcome) => describe(o, mode)),
  });
  const failed = outcomes.filter((o) => !o.ok).length;
  const pending = outcomes.filter((o) => o.ok && (o.plan?.changes ?? 0) > 0).length;
  if (opts.json) {
    io.stdout(`${JSON.stringify({ hosts: outcomes.map((o) => ({ name: o.name, ok: o.ok, changes: o.plan?.changes ?? null, written: o.written ?? false, restarted: o.restarted ?? false, error: o.error ?? null, ms: o.ms, store: o.plan?.store ?? null, actions: o.plan?.actions ?? [] })) }, null, 2)}\n`);
  } else {
    io.stdout(
      formatTable(
        [{ header: 'HOST', fit: 'id' }, 'RESULT', 'STORE', 'CHANGES', 'WRITTEN', 'RESTARTED', 'TIME', { header: 'ERROR', fit: 'wrap' }],
        outcomes.map((o) => [o.name, o.ok ? 'ok' : 'FAILED', o.plan?.store?.kind ?? '-', o.plan ? String(o.plan.changes) : '-', o.written ? 'yes' : 'no', o.restarted ? 'yes' : 'no', `${o.ms} ms`, o.error ?? '']),
        { width: terminalWidth(io) },
      ),
    );
    io.stdout(`${outcomes.length} host(s): ${outcomes.length - failed} ok, ${failed} failed${mode === 'plan' ? `, ${pending} with changes pending` : ''}.\n`);
  }
  if (failed > 0) return EXIT.ERROR;
  return mode === 'plan' && pending > 0 ? EXIT.CHANGES_PENDING : EXIT.OK;
}

function describe(o: HostOutcome, mode: 'plan' | 'apply'): string {
  if (!o.ok) return `FAILED: ${o.error}`;
  const n = o.plan?.changes ?? 0;
  // Which of the MID's stores, and why: the one its JVM reads (or store: bundled).
  const where = o.plan?.store ? ` in ${o.plan.store.path}, the ${o.plan.store.why}` : '';
  if (mode === 'plan') return `${n ? `${n} change(s) pending` : 'in sync'}${where}`;
  return `${o.written ? `${n} change(s) applied${o.restarted ? ', restarted' : ''}` : 'in sync'}${where}`;
}
