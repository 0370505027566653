/**
 * The one error type of midtrust. Doors (CLI, Pulumi provider, policy pack) branch on `code`,
 * never on message text; messages are written for the person who has to fix the problem.
 */
export type ErrorCode =
  | 'WRONG_PASSWORD' // integrity check or decryption failed with the given password
  | 'PASSWORD_REQUIRED' // the operation needs a password and none was given
  | 'CORRUPT' // the bytes are not a valid keystore / certificate
  | 'TRUNCATED' // the bytes end before the structure does
  | 'UNSUPPORTED' // a valid structure this version cannot handle (type, algorithm, version)
  | 'LOCKED' // another run holds the keystore lock
  | 'INVALID_INPUT' // the user's input (file, alias, option) is wrong
  | 'NOT_FOUND' // a file or entry that must exist does not
  | 'IO'; // the operating system refused (permissions, disk full, read-only)

/**
 * @example
 * throw new MidtrustError('TRUNCATED', 'expected 4-byte entry count at byte 8, file ends at byte 10');
 * // later, with context: err.withContext('/opt/mid/agent/jre/lib/security/cacerts')
 */
export class MidtrustError extends Error {
  readonly code: ErrorCode;
  /** Byte offset in the input where the problem was found, when it is about bytes. */
  readonly offset?: number;

  constructor(code: ErrorCode, message: string, options: { cause?: unknown; offset?: number } = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'MidtrustError';
    this.code = code;
    if (options.offset !== undefined) this.offset = options.offset;
  }

  /** A copy whose message is prefixed with where the problem happened ("entry 3 (acme-root): ..."). */
  withContext(context: string): MidtrustError {
    // A message that already starts with the context (a host error names its path) keeps one copy.
    if (this.message.startsWith(`${context}: `) || this.message.includes(` ${context}: `)) return this;
    return new MidtrustError(this.code, `${context}: ${this.message}`, { cause: this, offset: this.offset });
  }
}

/** True for errors midtrust raised on purpose (as opposed to bugs). */
export function isMidtrustError(err: unknown): err is MidtrustError {
  return err instanceof MidtrustError;
}
