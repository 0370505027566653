import * as path from 'node:path';
import { MidtrustError } from '../../errors';
import { LocalHost } from '../../host/localHost';
import { readKeystore } from '../../keystore/keystoreCodec';
import type { Keystore } from '../../keystore/model';
import { listEntries, type EntryListing } from '../../listing/entryListing';
import { EXIT, type CliIo } from '../cliIo';
import { STORE_PASSWORD_OPTIONS, resolveStorePassword, type StorePasswordOptions } from '../storePassword';
import { formatTable, terminalWidth } from '../formatTable';
import { defineCommand } from '../commandSpec';

interface LsOptions extends StorePasswordOptions {
  json?: boolean;
}

/** `midtrust ls <keystore>`: list entries, as JSON (the DESIGN.md contract) or a table. */
export const lsCommand = defineCommand<LsOptions>({
  name: 'ls',
  usage: 'midtrust ls <keystore> [--storepass-env VAR | --storepass-file F | --storepass-stdin] [--json]',
  options: { ...STORE_PASSWORD_OPTIONS, json: { type: 'boolean' } },
  async run(positionals, opts, io) {
    if (positionals.length !== 1) {
      throw new MidtrustError('INVALID_INPUT', 'ls takes exactly one keystore path');
    }
    const file = path.resolve(io.cwd, positionals[0]);
    const password = await resolveStorePassword(opts, io);
    const bytes = await new LocalHost().readFile(file);
    let store: Keystore;
    try {
      store = readKeystore(bytes, { password });
    } catch (e) {
      if (e instanceof MidtrustError) throw e.withContext(file);
      throw e;
    }
    if (store.integrity === 'unverified') {
      io.stderr(`warning: ${file}: integrity NOT verified (no password given); entries are listed as read, like keytool does\n`);
    }
    const entries = listEntries(store);
    if (opts.json) {
      io.stdout(`${JSON.stringify({ path: file, type: store.type, verified: store.integrity === 'verified', integrity: store.integrity, entries }, null, 2)}\n`);
    } else {
      io.stdout(renderHuman(file, store, entries, io));
    }
    return EXIT.OK;
  },
});

const INTEGRITY_TEXT = {
  verified: 'integrity verified',
  unverified: 'integrity NOT verified (no password)',
  none: 'no integrity protection (password-less)',
} as const;

function renderHuman(file: string, store: Keystore, entries: EntryListing[], io: CliIo): string {
  const header = `${file}: ${store.type}, ${entries.length} ${entries.length === 1 ? 'entry' : 'entries'}, ${INTEGRITY_TEXT[store.integrity]}\n`;
  if (entries.length === 0) return header;
  const rows = entries.map((e) => [
    e.alias,
    e.kind === 'trustedCertificate' ? 'trusted' : e.kind === 'privateKey' ? 'key' : 'secret',
    commonName(e.subject),
    e.notAfter ? e.notAfter.slice(0, 10) : '-',
    e.isCa === null ? '-' : e.isCa ? 'yes' : 'no',
    e.sha256 ? `${e.sha256.slice(0, 16)}…` : '-',
  ]);
  const columns = [{ header: 'ALIAS', fit: 'id' }, 'KIND', { header: 'SUBJECT CN', fit: 'cut' }, 'NOT AFTER', 'CA', { header: 'SHA-256', fit: 'id' }] as const;
  return header + formatTable(columns, rows, { width: terminalWidth(io) });
}

/** The CN of a subject string, or the whole subject when it has none. */
function commonName(subject: string | null): string {
  if (!subject) return '-';
  const m = /(?:^|,\s*)CN=((?:\\.|[^,\\])*)/.exec(subject);
  return m ? m[1].replace(/\\(.)/g, '$1') : subject;
}
