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
export async function editTextFile(file: string, edit: (text: string | undefined) => string, opts: { newFileMode?: number; connection?: unknown } = {}): Promise<TextEdit> {
  const host = hostFor(opts.connection);
  return withKeystoreLock(host, file, async () => {
    const before = await readTextFile(file, opts.connection);
    const after = edit(before);
    if (after === before) return { changed: false, text: after };
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
