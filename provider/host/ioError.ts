import { MidtrustError, type ErrorCode } from '../errors';

/** What each system error means for the person running midtrust, and what they can do. */
const KNOWN: Record<string, { code: ErrorCode; problem: string; advice: string }> = {
  ENOENT: { code: 'NOT_FOUND', problem: 'does not exist', advice: 'check the path' },
  EACCES: {
    code: 'IO',
    problem: 'permission denied',
    advice: 'run midtrust as the user that owns the file and its directory (or as root)',
  },
  EPERM: {
    code: 'IO',
    problem: 'operation not permitted',
    advice: 'the file or its directory may be immutable (check with lsattr) or owned by another user',
  },
  EROFS: {
    code: 'IO',
    problem: 'the file system is read-only',
    advice: 'remount it read-write or manage a store on a writable file system',
  },
  ENOSPC: { code: 'IO', problem: 'no space left on the device', advice: 'free some space on that file system and run again' },
  EDQUOT: { code: 'IO', problem: 'disk quota exceeded', advice: 'free some space or raise the quota and run again' },
  EISDIR: { code: 'INVALID_INPUT', problem: 'is a directory, not a keystore file', advice: 'give the path of the keystore file itself' },
  ENOTDIR: { code: 'INVALID_INPUT', problem: 'a part of this path is a file, not a directory', advice: 'check the path' },
};

/**
 * Turns a Node fs error into a MidtrustError a person can act on: which file, what went wrong
 * while doing what, an optional note (e.g. that the original is unchanged), and what to do.
 * MidtrustErrors pass through unchanged.
 *
 * @example
 * try { await fs.readFile(f); } catch (e) { throw ioError(e, f, 'reading'); }
 * // IO "/opt/mid/…/cacerts: permission denied (while reading); run midtrust as the user that owns …"
 */
export function ioError(err: unknown, file: string, doing: string, note?: string): MidtrustError {
  if (err instanceof MidtrustError) return err;
  const e = err as NodeJS.ErrnoException | undefined;
  const known = e?.code === undefined ? undefined : KNOWN[e.code];
  const tail = note === undefined ? '' : `; ${note}`;
  if (known) return new MidtrustError(known.code, `${file}: ${known.problem} (while ${doing})${tail}; ${known.advice}`, { cause: err });
  return new MidtrustError('IO', `${file}: ${e?.code ?? 'error'} while ${doing}: ${e?.message ?? String(err)}${tail}`, { cause: err });
}
