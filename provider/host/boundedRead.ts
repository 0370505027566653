import * as fs from 'node:fs';
import { MidtrustError } from '../errors';
import { ioError } from './ioError';
import { formatByteLimit } from './readLimits';

/**
 * How to read one input. `what` names it in messages ("the keystore", "--storepass-file");
 * `maxBytes` is its limit (see READ_LIMITS).
 */
export interface BoundedReadOptions {
  readonly maxBytes: number;
  readonly what: string;
  /**
   * Refuse a symlink at the path itself instead of following it: for files midtrust made and
   * reads back (manifest, lock), never for inputs a person points at.
   */
  readonly noFollow?: boolean;
}

const C = fs.constants;
/**
 * O_NONBLOCK: opening a FIFO with no writer returns at once instead of waiting for one, so the
 * fstat below can refuse it. O_NOCTTY: a terminal device never becomes our controlling terminal.
 */
const READ_FLAGS = C.O_RDONLY | (C.O_NONBLOCK ?? 0) | (C.O_NOCTTY ?? 0);

const KIND_NAMES: Array<[(st: fs.Stats) => boolean, string]> = [
  [(s) => s.isFIFO(), 'a FIFO (named pipe)'],
  [(s) => s.isCharacterDevice(), 'a character device'],
  [(s) => s.isBlockDevice(), 'a block device'],
  [(s) => s.isSocket(), 'a socket'],
  [(s) => s.isDirectory(), 'a directory'],
];

/**
 * "a FIFO (named pipe)": what a non-regular file is, for messages.
 *
 * @example
 * describeFileKind(fs.statSync('/dev/zero')); // 'a character device'
 */
export function describeFileKind(st: fs.Stats): string {
  return KIND_NAMES.find(([is]) => is(st))?.[1] ?? 'not a regular file';
}

function notRegular(file: string, st: fs.Stats, what: string): MidtrustError {
  return new MidtrustError('INVALID_INPUT', `${file}: is ${describeFileKind(st)}, not a regular file; ${what} must be a regular file`);
}

/**
 * The error for an input over its limit.
 *
 * @example
 * throw tooLarge('/dev/zero', 'the keystore', READ_LIMITS.keystore);
 */
export function tooLarge(file: string, what: string, maxBytes: number, size?: number): MidtrustError {
  const seen = size === undefined ? 'more than that' : `${size} bytes`;
  return new MidtrustError('INVALID_INPUT', `${file}: larger than the ${formatByteLimit(maxBytes)} limit for ${what} (${seen}); check that this is the right file`);
}

/** The next read: the rest of the file as fstat sees it (+1 to meet EOF), at least 64 KiB (a /proc file says 0), never past the limit + 1. */
function chunkSize(size: number, total: number, maxBytes: number): number {
  return Math.min(Math.max(size - total + 1, 64 * 1024), maxBytes + 1 - total, 1024 * 1024);
}

/**
 * The chunks of one bounded read of `file`, for the async and the sync reader alike: the next
 * buffer to read into, and the limit checked after every chunk (a file may grow while read).
 */
class BoundedChunks {
  private readonly chunks: Buffer[] = [];
  private total = 0;

  constructor(
    private readonly file: string,
    private readonly opts: BoundedReadOptions,
    private readonly size: number,
  ) {
    if (size > opts.maxBytes) throw tooLarge(file, opts.what, opts.maxBytes, size);
  }

  next(): Buffer {
    return Buffer.allocUnsafe(chunkSize(this.size, this.total, this.opts.maxBytes));
  }

  /** Keeps what a read put into `buf`; false at the end of the file. */
  keep(buf: Buffer, bytesRead: number): boolean {
    if (bytesRead === 0) return false;
    this.total += bytesRead;
    if (this.total > this.opts.maxBytes) throw tooLarge(this.file, this.opts.what, this.opts.maxBytes);
    this.chunks.push(buf.subarray(0, bytesRead));
    return true;
  }

  bytes(): Buffer {
    return Buffer.concat(this.chunks, this.total);
  }
}

function flags(opts: BoundedReadOptions): number {
  return READ_FLAGS | (opts.noFollow ? (C.O_NOFOLLOW ?? 0) : 0);
}

/**
 * The error for a symbolic link where midtrust follows none: every path but a keystore's (the
 * files it keeps of its own, the MID's config files, a desired-state file it edits).
 *
 * @example
 * throw symlinkRefused('/opt/mid/agent/conf/wrapper-override.conf', 'wrapper-override.conf');
 */
export function symlinkRefused(file: string, what: string): MidtrustError {
  return new MidtrustError(
    'INVALID_INPUT',
    `${file}: is a symbolic link, and midtrust follows a link only for a keystore path, never for ${what}; if you made the link, replace it with the file itself; if you did not, someone else put it there — remove it`,
  );
}

function openError(e: unknown, file: string, opts: BoundedReadOptions): MidtrustError {
  if (opts.noFollow && (e as NodeJS.ErrnoException).code === 'ELOOP') {
    return symlinkRefused(file, opts.what);
  }
  return ioError(e, file, `reading ${opts.what}`);
}

/**
 * Reads a whole regular file, refusing anything else and anything over `maxBytes`: opened with
 * O_NONBLOCK so a FIFO cannot block the open, checked with fstat on the same descriptor (no race
 * with a swap of the name), and read with a bound so a file that grows while it is read (or
 * claims size 0, like /proc files) cannot exhaust memory. The one door every input goes through:
 * keystores, certificate files, desired-state files, password files, MID config files.
 *
 * @example
 * const bytes = await readRegularFile('/opt/mid/agent/jre/lib/security/cacerts', { maxBytes: READ_LIMITS.keystore, what: 'the keystore' });
 */
export async function readRegularFile(file: string, opts: BoundedReadOptions): Promise<Buffer> {
  let h: fs.promises.FileHandle;
  try {
    h = await fs.promises.open(file, flags(opts));
  } catch (e) {
    throw openError(e, file, opts);
  }
  try {
    const st = await h.stat();
    if (!st.isFile()) throw notRegular(file, st, opts.what);
    const read = new BoundedChunks(file, opts, st.size);
    for (let buf = read.next(); read.keep(buf, (await h.read(buf, 0, buf.length, null)).bytesRead); buf = read.next());
    return read.bytes();
  } catch (e) {
    throw e instanceof MidtrustError ? e : ioError(e, file, `reading ${opts.what}`);
  } finally {
    await h.close().catch(() => undefined);
  }
}

/**
 * {@link readRegularFile} for synchronous callers (the desired-state loader reads certificate and
 * password files through a synchronous hook). Same checks, same limits.
 *
 * @example
 * const pem = readRegularFileSync('certs/acme-root.pem', { maxBytes: READ_LIMITS.certificate, what: 'a certificate file' });
 */
export function readRegularFileSync(file: string, opts: BoundedReadOptions): Buffer {
  let fd: number;
  try {
    fd = fs.openSync(file, flags(opts));
  } catch (e) {
    throw openError(e, file, opts);
  }
  try {
    const st = fs.fstatSync(fd);
    if (!st.isFile()) throw notRegular(file, st, opts.what);
    const read = new BoundedChunks(file, opts, st.size);
    for (let buf = read.next(); read.keep(buf, fs.readSync(fd, buf, 0, buf.length, null)); buf = read.next());
    return read.bytes();
  } catch (e) {
    throw e instanceof MidtrustError ? e : ioError(e, file, `reading ${opts.what}`);
  } finally {
    try {
      fs.closeSync(fd);
    } catch {
      // closing a read-only descriptor cannot lose data
    }
  }
}

/**
 * Reads a stream (standard input) up to its first line end, or to its end, whichever comes
 * first — never more than `maxBytes`. Stopping at the first line means a writer that keeps the
 * pipe open after sending the password (or `/dev/zero` as input) cannot hang the run.
 * Returns the bytes read, without the line end.
 *
 * @example
 * const pw = (await readFirstLineBounded(process.stdin, { maxBytes: READ_LIMITS.password, what: '--storepass-stdin' })).toString('utf8');
 */
export async function readFirstLineBounded(stream: AsyncIterable<Buffer | string>, opts: { maxBytes: number; what: string }): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let total = 0;
  for await (const raw of stream) {
    const chunk = typeof raw === 'string' ? Buffer.from(raw, 'utf8') : raw;
    const nl = chunk.indexOf(0x0a);
    const part = nl === -1 ? chunk : chunk.subarray(0, nl);
    total += part.length;
    if (total > opts.maxBytes) throw tooLarge('standard input', opts.what, opts.maxBytes);
    chunks.push(part);
    if (nl !== -1) break;
  }
  const line = Buffer.concat(chunks, total);
  return line.length > 0 && line[line.length - 1] === 0x0d ? line.subarray(0, line.length - 1) : line;
}
