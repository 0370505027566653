import { onHost } from '../host/host';
import { MidtrustError } from '../errors';
import { withKeystoreLock } from '../host/keystoreMutex';
import { READ_LIMITS } from '../host/readLimits';
import { commitWithLedger, fileDigest, hostDirname, readLedger, recordLocation } from '../ownership/ledgerFile';
import { EMPTY_LEDGER, type Ledger } from '../ownership/ownershipLedger';
import { hostFor } from './connectionInput';
import { trace } from './sharedBatcher';

/**
 * MID config files are read bounded like every input, and named as what they are. Never through
 * a link: the MID's account owns these files, and a link it planted at wrapper-override.conf
 * would otherwise have root's midtrust edit any text file on the host (midtrust follows a link
 * only for a keystore path).
 */
const CONFIG_READ = { maxBytes: READ_LIMITS.configFile, what: 'the MID configuration file', noFollow: true } as const;

/** What an edit of a MID text file wants: its new text (undefined: no file), ownership record and mode. */
export interface TextFileEdit {
  readonly text: string | undefined;
  readonly ledger: Ledger;
  /** Permission bits the file must end up with (owner kept); undefined keeps the file's own. */
  readonly mode?: number;
  /** Remove the file (a file the resources created, given back): `text` is then ignored. */
  readonly removeFile?: boolean;
}

/** What {@link editTextFile} did. */
export interface TextEdit {
  /** True when the file was written (the edit changed its text or mode, or created it). */
  readonly changed: boolean;
  /** The text after the edit (the file's text when nothing changed). */
  readonly text: string;
}

/** What an edit function is shown of the file as it is now. */
export interface TextFileNow {
  /** undefined when the file does not exist. */
  readonly text: string | undefined;
  /** Its permission bits (undefined when it does not exist). */
  readonly mode: number | undefined;
  /** The file's ownership record (what Pulumi resources claimed in it; see provider/ownership). */
  readonly ledger: Ledger;
  /**
   * The account owning the record whose claims `ledger` holds (undefined: no record used). What it
   * says about *another* file is believed only when that file's owner or root wrote it.
   */
  readonly recordUid?: number;
}

/**
 * Reads a MID text file (config.xml, wrapper-override.conf) and its ownership record, lets `edit`
 * compute both anew, and writes them back atomically when (and only when) something differs —
 * under the same in-process queue and cross-process lock file as keystore writes, because a
 * `pulumi up` may run several MID resources on one file in parallel. `edit` may throw to refuse
 * (invalid XML, encrypted value): the file is then left untouched. A new file gets `newFileMode`.
 *
 * @example
 * const { changed } = await editTextFile('/opt/mid/agent/config.xml', (now) => ({ text: setMidParameter(now.text!, 'a', 'b'), ledger: now.ledger }));
 */
export async function editTextFile(file: string, edit: (now: TextFileNow) => TextFileEdit, opts: { newFileMode?: number; connection?: unknown } = {}): Promise<TextEdit> {
  const host = hostFor(opts.connection);
  const dir = hostDirname(file);
  if (!(await host.stat(dir))) {
    // No directory: no file, no record and nothing to lock. An edit that leaves "no file" alone is fine.
    if (edit({ text: undefined, mode: undefined, ledger: EMPTY_LEDGER }).text === undefined) return { changed: false, text: '' };
    throw new MidtrustError('NOT_FOUND', `${onHost(host, dir)}: the directory does not exist, so ${file} cannot be written; check midHome (the directory holding agent/)`);
  }
  return withKeystoreLock(host, file, async () => {
    const st = await host.stat(file);
    const beforeBytes = st ? await host.readFile(file, CONFIG_READ) : undefined;
    const before = beforeBytes ? Buffer.from(beforeBytes).toString('utf8') : undefined;
    const digest = beforeBytes ? fileDigest(beforeBytes) : undefined;
    const location = await recordLocation(host, file);
    const ledgerBefore = await readLedger(host, location, digest);
    // A record refused (or written for other bytes of the file) is said on the host's log; its claims are not used.
    for (const note of ledgerBefore.notes) trace(`note: ${note}`);
    const after = edit({ text: before, mode: st?.mode, ledger: ledgerBefore.ledger, ...(ledgerBefore.recordUid !== undefined ? { recordUid: ledgerBefore.recordUid } : {}) });
    if (after.removeFile) {
      const removeIt = st
        ? async () => {
            await host.removeFile(file);
            return undefined;
          }
        : undefined;
      await commitWithLedger(host, location, ledgerBefore, after.ledger, removeIt, digest);
      return { changed: removeIt !== undefined, text: '' };
    }
    const textChanged = after.text !== undefined && after.text !== before;
    const modeChanged = after.text !== undefined && st !== undefined && after.mode !== undefined && after.mode !== st.mode;
    const write =
      textChanged || modeChanged
        ? async () => {
            const bytes = Buffer.from(after.text!, 'utf8');
            await host.writeFileAtomic(file, bytes, {
              mode: after.mode ?? opts.newFileMode,
              ...(after.mode !== undefined ? { setMode: after.mode } : {}),
              noFollow: true,
              what: CONFIG_READ.what,
            });
            return fileDigest(bytes);
          }
        : undefined;
    await commitWithLedger(host, location, ledgerBefore, after.ledger, write, digest);
    return { changed: write !== undefined, text: after.text ?? before ?? '' };
  });
}

/** The file's text, or undefined when it does not exist. Reads need no lock: writes are atomic renames. */
export async function readTextFile(file: string, connection?: unknown): Promise<string | undefined> {
  const host = hostFor(connection);
  if (!(await host.stat(file))) return undefined;
  return Buffer.from(await host.readFile(file, CONFIG_READ)).toString('utf8');
}
