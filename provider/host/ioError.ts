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
 * Windows meanings where they differ: EPERM/EACCES/EBUSY come from sharing violations (another
 * program has the file open — an antivirus scanner, a backup agent, the MID Server) and from the
 * file's ACL or read-only attribute; lsattr, chattr and root mean nothing there.
 */
const IN_USE_OR_DENIED = {
  code: 'IO',
  problem: 'in use by another program or access denied',
  advice:
    'if another program has it open (an antivirus scanner, a backup agent, the MID Server or an editor), close it or exclude the store from on-access scanning, then run again; ' +
    'otherwise give the account midtrust runs as modify rights on the file and its folder (icacls) and clear a read-only attribute (attrib -r)',
} as const;
const KNOWN_WIN32: Record<string, { code: ErrorCode; problem: string; advice: string }> = {
  EPERM: IN_USE_OR_DENIED,
  EACCES: IN_USE_OR_DENIED,
  EBUSY: IN_USE_OR_DENIED,
};

/**
 * Turns a Node fs error into a MidtrustError a person can act on: which file, what went wrong
 * while doing what, an optional note (e.g. that the original is unchanged), and what to do.
 * MidtrustErrors pass through unchanged. The advice is the platform's (`platform`, default this one).
 *
 * @example
 * try { await fs.readFile(f); } catch (e) { throw ioError(e, f, 'reading'); }
 * // IO "/opt/mid/…/cacerts: permission denied (while reading); run midtrust as the user that owns …"
 */
export function ioError(err: unknown, file: string, doing: string, note?: string, platform: NodeJS.Platform = process.platform): MidtrustError {
  if (err instanceof MidtrustError) return err;
  const e = err as NodeJS.ErrnoException | undefined;
  const known = e?.code === undefined ? undefined : ((platform === 'win32' ? KNOWN_WIN32[e.code] : undefined) ?? KNOWN[e.code]);
  const tail = note === undefined ? '' : `; ${note}`;
  if (known) return new MidtrustError(known.code, `${file}: ${known.problem} (while ${doing})${tail}; ${known.advice}`, { cause: err });
  return new MidtrustError('IO', `${file}: ${e?.code ?? 'error'} while ${doing}: ${e?.message ?? String(err)}${tail}`, { cause: err });
}
