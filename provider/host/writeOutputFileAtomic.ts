/**
 * Writing a file midtrust produces (a report, metrics for node_exporter's textfile collector)
 * without ever writing through a link, and so that a reader sees the old or the new file whole.
 *
 * Interim helper for `midtrust report`: the host layer is getting a shared exclusive-create
 * writer; once it lands, this file should delegate to it (or go) — keep the contract below.
 */
import { constants } from 'node:fs';
import * as fs from 'node:fs/promises';
import * as path from 'node:path';
import { MidtrustError } from '../errors';
import { ioError } from './ioError';
import { tempFileName } from './tempFileName';

/**
 * Replaces (or creates) `file` with `data` atomically: a temporary file created exclusively and
 * without following links (O_CREAT|O_EXCL|O_NOFOLLOW, mode 0644 or the old file's mode) beside
 * it, written, fsynced, renamed over it, then the directory fsynced. A `file` that is a symbolic
 * link or not a regular file is refused: a report never lands where a link points.
 *
 * @example
 * await writeOutputFileAtomic('/var/lib/node_exporter/textfile/midtrust.prom', renderPrometheus(posture));
 */
export async function writeOutputFileAtomic(file: string, data: string | Uint8Array): Promise<void> {
  let mode = 0o644;
  try {
    const st = await fs.lstat(file);
    if (st.isSymbolicLink()) {
      throw new MidtrustError('INVALID_INPUT', `${file}: is a symbolic link; midtrust never writes a report through a link — remove the link or give another path`);
    }
    if (!st.isFile()) throw new MidtrustError('INVALID_INPUT', `${file}: exists and is not a regular file; give the path of a file to write`);
    mode = st.mode & 0o777;
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw ioError(e, file, 'checking the output file');
  }
  const dir = path.dirname(path.resolve(file));
  const tmp = path.join(dir, tempFileName(path.basename(file)));
  let handle: fs.FileHandle | undefined;
  let step = 'creating a temporary file beside it';
  try {
    handle = await fs.open(tmp, constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | constants.O_NOFOLLOW, 0o600);
    step = 'writing';
    await handle.writeFile(data);
    // After writing: a collector never sees a readable half-written temporary file.
    step = 'setting the file mode';
    await handle.chmod(mode);
    step = 'flushing to disk';
    await handle.sync();
    await handle.close();
    handle = undefined;
    step = 'replacing the file';
    await fs.rename(tmp, file);
  } catch (e) {
    await handle?.close().catch(() => undefined);
    await fs.unlink(tmp).catch(() => undefined);
    throw ioError(e, file, step, 'the previous file, if any, is untouched');
  }
  let d: fs.FileHandle | undefined;
  try {
    d = await fs.open(dir, 'r');
    await d.sync();
  } catch {
    // Some file systems cannot fsync a directory; the rename has happened either way.
  } finally {
    await d?.close().catch(() => undefined);
  }
}
