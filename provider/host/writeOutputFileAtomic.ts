/**
 * Writing a file midtrust produces for people and collectors (a report, metrics for
 * node_exporter's textfile collector) so that a reader sees the old or the new file whole, and
 * never through a link.
 */
import * as fs from 'node:fs/promises';
import { MidtrustError } from '../errors';
import { ioError } from './ioError';
import { replaceLocalFile } from './localFiles';

/**
 * Replaces (or creates) `file` with `data` atomically, through the host layer's exclusive
 * temporary-file-and-rename ({@link replaceLocalFile}), keeping an existing file's mode (0644 for a
 * new one: collectors and browsers run as other users). A `file` that is a symbolic link or not a
 * regular file is refused, so a report never replaces what a link was meant to name.
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
    if (e instanceof MidtrustError) throw e;
    if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw ioError(e, file, 'checking the output file');
  }
  await replaceLocalFile(file, typeof data === 'string' ? Buffer.from(data, 'utf8') : data, { mode });
}
