import { MidtrustError } from '../errors';

/** Turns a Node fs error into a MidtrustError a person can act on. */
export function ioError(err: unknown, file: string, doing: string): MidtrustError {
  const e = err as NodeJS.ErrnoException;
  switch (e?.code) {
    case 'ENOENT':
      return new MidtrustError('NOT_FOUND', `${file}: does not exist (while ${doing})`, { cause: err });
    case 'EACCES':
    case 'EPERM':
      return new MidtrustError('IO', `${file}: permission denied while ${doing}; run as the user that owns the MID Server files (or root)`, { cause: err });
    case 'EROFS':
      return new MidtrustError('IO', `${file}: the file system is read-only (while ${doing})`, { cause: err });
    case 'ENOSPC':
    case 'EDQUOT':
      return new MidtrustError('IO', `${file}: no space left on the device while ${doing}; the store was left untouched`, { cause: err });
    case 'EISDIR':
      return new MidtrustError('INVALID_INPUT', `${file}: is a directory, not a keystore file`, { cause: err });
    default:
      return new MidtrustError('IO', `${file}: ${e?.code ?? 'error'} while ${doing}: ${e?.message ?? String(err)}`, { cause: err });
  }
}
