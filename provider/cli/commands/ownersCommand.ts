import * as path from 'node:path';
import { MidtrustError } from '../../errors';
import { LocalHost } from '../../host/localHost';
import { midLayout } from '../../mid/midLayout';
import { resolveMidStore } from '../../mid/effectiveStore';
import { describeOwners, pruneOwnerClaims, type OwnersView, type PruneResult } from '../../ownership/ownersReport';
import { EXIT, type CliIo } from '../cliIo';
import { defineCommand } from '../commandSpec';
import { terminalText } from '../formatTable';
import { STORE_PASSWORD_OPTIONS, resolveStorePassword, type StorePasswordOptions } from '../storePassword';

interface OwnersOptions extends StorePasswordOptions {
  'mid-home'?: string;
  'stale-after'?: string;
  owner?: string;
  json?: boolean;
}

const DEFAULT_STALE_DAYS = 30;

/**
 * `midtrust owners`: which Pulumi resources (owner ids, the `ownerId` output of each resource)
 * claim what in a file's ownership record, which of them look gone; `owners prune --owner ID`
 * removes a gone resource's claims (after `pulumi state delete`), changing nothing in the file.
 */
export const ownersCommand = defineCommand<OwnersOptions>({
  name: 'owners',
  usage: [
    'midtrust owners (<file> | --mid-home <H>) [--stale-after <N>[s|m|h|d]] [--storepass-env VAR | --storepass-file F | --storepass-stdin] [--json]',
    'midtrust owners prune (<file> | --mid-home <H>) --owner <ID> [--json]',
  ].join('\n'),
  options: { ...STORE_PASSWORD_OPTIONS, 'mid-home': { type: 'string' }, 'stale-after': { type: 'string' }, owner: { type: 'string' }, json: { type: 'boolean' } },
  async run(positionals, opts, io) {
    const prune = positionals[0] === 'prune';
    const rest = prune ? positionals.slice(1) : positionals;
    const host = new LocalHost();
    if (prune && !opts.owner) throw new MidtrustError('INVALID_INPUT', 'owners prune needs --owner <ID> (an owner id listed by midtrust owners: the ownerId output of the resource you removed from the state)');
    if (!prune && opts.owner) throw new MidtrustError('INVALID_INPUT', '--owner goes with owners prune; to list, leave it out');
    const files = await filesOf(host, rest, opts, io);
    if (prune && opts.owner) {
      const pruned: PruneResult[] = [];
      const misses: string[] = [];
      for (const f of files) {
        try {
          pruned.push(await pruneOwnerClaims(host, f, opts.owner));
        } catch (e) {
          if (!(e instanceof MidtrustError) || e.code !== 'NOT_FOUND' || files.length === 1) throw e;
          misses.push(f);
        }
      }
      if (pruned.length === 0) throw new MidtrustError('NOT_FOUND', `owner ${opts.owner} claims nothing in ${misses.join(', ')}; list the owners with midtrust owners`);
      io.stdout(opts.json ? `${JSON.stringify({ pruned }, null, 2)}\n` : terminalText(pruned.map(renderPrune).join('')));
      return EXIT.OK;
    }
    const password = await resolveStorePassword(opts, io);
    const staleAfterMs = parseStaleAfter(opts['stale-after']);
    const views: OwnersView[] = [];
    for (const f of files) views.push(await describeOwners(host, f, { ...(password === undefined ? {} : { password }), staleAfterMs }));
    io.stdout(opts.json ? `${JSON.stringify({ files: views }, null, 2)}\n` : terminalText(views.map(renderView).join('\n')));
    return EXIT.OK;
  },
});

/** The file named, or with --mid-home the files of that MID that resources claim in: its stores, config.xml, wrapper-override.conf. */
async function filesOf(host: LocalHost, positionals: string[], opts: OwnersOptions, io: CliIo): Promise<string[]> {
  if (opts['mid-home'] !== undefined && positionals.length > 0) throw new MidtrustError('INVALID_INPUT', 'give a file or --mid-home, not both');
  if (opts['mid-home'] === undefined) {
    if (positionals.length !== 1) throw new MidtrustError('INVALID_INPUT', 'owners takes one file (a keystore, config.xml, wrapper-override.conf) or --mid-home <dir>');
    return [path.resolve(io.cwd, positionals[0])];
  }
  const layout = midLayout(path.resolve(io.cwd, opts['mid-home']));
  // The store the MID's JVM reads (one resolver for every command), and the bundled cacerts whatever is wired.
  let effective: string | undefined;
  try {
    effective = (await resolveMidStore(host, layout)).path;
  } catch (e) {
    if (!(e instanceof MidtrustError) || e.code === 'NOT_FOUND') throw e;
    io.stderr(`warning: ${e.message}; listing the bundled cacerts and the MID's config files only\n`);
  }
  const files = [...new Set([layout.cacerts, ...(effective ? [effective] : []), layout.configXml, layout.wrapperOverride])];
  const present: string[] = [];
  for (const f of files) if (await host.stat(f)) present.push(f);
  if (present.length === 0) throw new MidtrustError('NOT_FOUND', `${layout.home} does not look like a MID Server home: none of its cacerts, config.xml or wrapper-override.conf exists`);
  return present;
}

/** `--stale-after 30` (days), `12h`, `90s`. */
function parseStaleAfter(value: string | undefined): number {
  if (value === undefined) return DEFAULT_STALE_DAYS * 86_400_000;
  const m = /^(\d+(?:\.\d+)?)([smhd]?)$/.exec(value.trim());
  if (!m) throw new MidtrustError('INVALID_INPUT', `--stale-after ${value}: give a duration such as 30 (days), 12h, 30m or 90s`);
  const unit = { s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000, '': 86_400_000 }[m[2] as 's' | 'm' | 'h' | 'd' | ''];
  return Math.round(Number(m[1]) * unit);
}

const STATUS_TEXT = {
  none: 'no ownership record: no Pulumi resource claims anything here',
  ok: 'ownership record',
  legacy: 'ownership record at its old place (moved by the next pulumi up)',
  refused: 'ownership record NOT USED',
} as const;

function renderView(v: OwnersView): string {
  // Paths on lines of their own: they are as long as they are, the rest fits 80 columns.
  const lines = [v.file, `  ${STATUS_TEXT[v.status]}${v.status === 'none' ? '' : ':'}`];
  if (v.status !== 'none') lines.push(`    ${v.record}`);
  for (const n of v.notes) lines.push(`  note: ${n}`);
  for (const c of v.claims) {
    const entry = c.matches === null ? '' : c.matches ? ', entry as put' : ', ENTRY CHANGED since';
    lines.push(`  ${c.key}: found ${short(c.found)}, put ${short(c.put)}${entry}`);
    for (const o of c.owners) {
      lines.push(`    ${o.id}  ${o.confirmed ? `confirmed ${o.confirmed.slice(0, 16).replace('T', ' ')}Z` : 'never confirmed'}${o.stale ? '  STALE' : ''}`);
      if (o.reason) lines.push(`      ${o.reason}`);
    }
  }
  if (v.claims.some((c) => c.owners.some((o) => o.stale))) lines.push('  a stale owner whose resource is gone: midtrust owners prune --owner <ID>');
  return `${lines.join('\n')}\n`;
}

function renderPrune(r: PruneResult): string {
  const kept = r.released.length ? `; now nobody's (left as they are): ${r.released.join(', ')}` : '';
  return `${r.file}: removed owner ${r.owner} from ${r.keys.join(', ')}${kept}\n`;
}

function short(digest: string | null): string {
  return digest === null ? 'nothing' : `${digest.slice(0, 12)}…`;
}
