import { MidtrustError } from '../errors';

/**
 * The password a password file (or standard input) holds: its first line, without the line end
 * and without a UTF-8 byte-order mark (Windows editors write one; it is never part of a
 * password). The one reading of password text for every door: desired-state `password.file`,
 * `--storepass-file`, `--storepass-stdin`.
 *
 * @example
 * passwordFromText('\uFEFFchangeit\r\nignored'); // 'changeit'
 */
export function passwordFromText(text: string): string {
  return text.replace(/^\uFEFF/, '').split(/\r?\n/)[0];
}

/**
 * The one rule for an empty store password, whatever its source: refused. An empty password is
 * never what was meant — it is a variable exported empty or a file saved blank — and a
 * password-less store is asked for by giving no password at all. `source` says where it came
 * from ("the environment variable X"), `omit` how to ask for a password-less store instead.
 * Returns the reason, or `undefined` for a usable password.
 *
 * @example
 * emptyPasswordProblem('', 'the environment variable MID_PW is empty', 'omit keystore.password');
 * // 'the environment variable MID_PW is empty; an empty store password is never used — omit keystore.password for a password-less store'
 */
export function emptyPasswordProblem(password: string, emptySource: string, omit: string): string | undefined {
  if (password !== '') return undefined;
  return `${emptySource}; an empty store password is never used — set the password there, or ${omit} for a password-less store`;
}

/**
 * {@link emptyPasswordProblem} as a thrown INVALID_INPUT, for doors that stop at the first problem.
 *
 * @example
 * requirePassword(process.env.MID_PW ?? '', '--storepass-env MID_PW: the environment variable MID_PW is empty', 'give no password option');
 */
export function requirePassword(password: string, emptySource: string, omit: string): string {
  const problem = emptyPasswordProblem(password, emptySource, omit);
  if (problem) throw new MidtrustError('INVALID_INPUT', problem);
  return password;
}
