import * as path from 'node:path';
import { loadInventory } from '../../fleet/inventory';
import { verifyFleet, type HostVerdict } from '../../fleet/fleetVerify';
import type { EndpointTarget } from '../../verify/endpointTarget';
import { verdictJson } from '../../verify/formatVerdict';
import type { CliIo } from '../cliIo';
import { hostProgress, parseParallel } from '../fleetDoor';
import { formatTable, terminalWidth } from '../formatTable';
import { resolveStorePassword, type StorePasswordOptions } from '../storePassword';
import { VERIFY_EXIT } from './verifyCommand';

/**
 * `verify --inventory`: the verdict of every MID host, each connecting from its own network.
 * Exit 1 when a host could not be judged, else 2 when any host would not trust the endpoint.
 */
export async function verifyInventory(target: EndpointTarget, opts: StorePasswordOptions & { inventory?: string; parallel?: string; json?: boolean }, timeoutMs: number, io: CliIo): Promise<number> {
  const hosts = loadInventory(path.resolve(io.cwd, opts.inventory as string), io.env);
  const password = await resolveStorePassword(opts, io);
  const results = await verifyFleet(hosts, target, password, {
    parallel: parseParallel(opts.parallel),
    timeoutMs,
    ...(opts.json ? {} : { onHostDone: hostProgress(io, describe) }),
  });
  const failed = results.filter((r) => !r.ok).length;
  const untrusted = results.filter((r) => r.ok && !r.verdict?.trusted).length;
  if (opts.json) {
    io.stdout(`${JSON.stringify({ target: target.text, hosts: results.map((r) => ({ name: r.name, ok: r.ok, error: r.error ?? null, ms: r.ms, verdict: r.verdict ? verdictJson(r.verdict) : null })) }, null, 2)}\n`);
  } else {
    io.stdout(formatTable([{ header: 'HOST', fit: 'id' }, 'VERDICT', { header: 'ANCHOR', fit: 'id' }, { header: 'WHY', fit: 'wrap' }, 'TIME'], results.map((r) => [r.name, r.ok ? (r.verdict?.trusted ? 'trusted' : 'NOT TRUSTED') : 'FAILED', r.verdict?.trusted ? (r.verdict.judgement.anchor?.alias ?? '') : '', why(r), `${r.ms} ms`]), { width: terminalWidth(io) }));
    io.stdout(`${results.length} host(s): ${results.length - failed - untrusted} trust ${target.text}, ${untrusted} do not, ${failed} failed.\n`);
    for (const r of results.filter((x) => x.ok && !x.verdict?.trusted)) {
      io.stdout(`\n${r.name}:\n${(r.verdict?.judgement.problems ?? []).map((p) => `  - ${p.code}: ${p.message}`).join('\n')}\n`);
    }
  }
  if (failed > 0) return VERIFY_EXIT.ERROR;
  return untrusted > 0 ? VERIFY_EXIT.NOT_TRUSTED : VERIFY_EXIT.TRUSTED;
}

function describe(r: HostVerdict): string {
  if (!r.ok) return `FAILED: ${r.error}`;
  return r.verdict?.trusted ? `trusted (anchor ${r.verdict.judgement.anchor?.alias})` : `NOT TRUSTED (${r.verdict?.judgement.problems.map((p) => p.code).join(', ')})`;
}

function why(r: HostVerdict): string {
  if (!r.ok) return r.error ?? '';
  return r.verdict?.trusted ? '' : (r.verdict?.judgement.problems.map((p) => p.code).join(', ') ?? '');
}
