import * as path from 'node:path';
import { MidtrustError } from '../errors';
import { withKeystoreLock } from '../host/keystoreMutex';
import { hostFor } from './connectionInput';

/** What {@link editTextFile} did. */
export interface TextEdit {
  /** True when the file was written (the edit changed its text, or created it). */
  readonly changed: boolean;
  /** The text after the edit (the file's text when nothing changed). */
  readonly text: string;
}

/**
 * Reads a text file, lets `edit` compute its new text and writes it back atomically when (and only
 * when) the text differs — all under the same in-process queue and cross-process lock file as
 * keystore writes, because a `pulumi up` may run several MID resources on one config.xml or
 * wrapper-override.conf in parallel. `edit` gets `undefined` for a missing file and may throw to
 * refuse (invalid XML, encrypted value): the file is then left untouched.
 *
 * @example
 * const { changed } = await editTextFile('/opt/mid/agent/config.xml', (t) => setMidParameter(t!, 'a', 'b'));
 */
export async function editTextFile(file: string, edit: (text: string | undefined) => string | undefined, opts: { newFileMode?: number; connection?: unknown } = {}): Promise<TextEdit> {
  const host = hostFor(opts.connection);
  const dir = /^[A-Za-z]:[\\/]/.test(file) ? path.win32.dirname(file) : path.posix.dirname(file);
  if (!(await host.stat(dir))) {
    // No directory: no file and nothing to lock. An edit that leaves "no file" alone is fine.
    if (edit(undefined) === undefined) return { changed: false, text: '' };
    throw new MidtrustError('NOT_FOUND', `${host.describe()} ${dir}: the directory does not exist, so ${file} cannot be written; check midHome (the directory holding agent/)`);
  }
  return withKeystoreLock(host, file, async () => {
    const before = await readTextFile(file, opts.connection);
    const after = edit(before);
    if (after === undefined || after === before) return { changed: false, text: after ?? before ?? '' };
    await host.writeFileAtomic(file, Buffer.from(after, 'utf8'), { mode: opts.newFileMode });
    return { changed: true, text: after };
  });
}

/** The file's text, or undefined when it does not exist. Reads need no lock: writes are atomic renames. */
export async function readTextFile(file: string, connection?: unknown): Promise<string | undefined> {
  const host = hostFor(connection);
  if (!(await host.stat(file))) return undefined;
  return Buffer.from(await host.readFile(file)).toString('utf8');
}
