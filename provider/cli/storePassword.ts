import * as path from 'node:path';
import { MidtrustError } from '../errors';
import { readRegularFileSync } from '../host/boundedRead';
import { READ_LIMITS } from '../host/readLimits';
import { passwordFromText, requirePassword } from '../plan/storePasswordText';
import type { CliIo } from './cliIo';

/** How a CLI user asks for a password-less store: the same rule as the desired state's "omit keystore.password". */
const OMIT = 'give no password option';

/** The password options every command that opens a keystore accepts. */
export interface StorePasswordOptions {
  'storepass-env'?: string;
  'storepass-file'?: string;
  'storepass-stdin'?: boolean;
}

export const STORE_PASSWORD_OPTIONS = {
  'storepass-env': { type: 'string' },
  'storepass-file': { type: 'string' },
  'storepass-stdin': { type: 'boolean' },
} as const;

/**
 * Resolves the store password from an environment variable, a file (first line) or stdin —
 * never from argv, where `ps` shows it to every user of the host. The same rule as the
 * desired-state file (storePasswordText.ts): a BOM is stripped, an empty password is refused.
 * Returns undefined when no source is given (password-less store, or an unverified JKS read).
 */
export async function resolveStorePassword(opts: StorePasswordOptions, io: CliIo): Promise<string | undefined> {
  const given = [opts['storepass-env'], opts['storepass-file'], opts['storepass-stdin']].filter((v) => v !== undefined && v !== false);
  if (given.length > 1) {
    throw new MidtrustError('INVALID_INPUT', 'give the store password one way only: --storepass-env, --storepass-file or --storepass-stdin');
  }
  if (opts['storepass-env'] !== undefined) return passwordFromEnv(opts['storepass-env'], '--storepass-env', io);
  if (opts['storepass-file'] !== undefined) {
    const file = path.resolve(io.cwd, opts['storepass-file']);
    let text: string;
    try {
      text = readRegularFileSync(file, { maxBytes: READ_LIMITS.secret, what: 'a password file' }).toString('utf8');
    } catch (e) {
      throw new MidtrustError('INVALID_INPUT', `--storepass-file ${(e as Error).message}`, { cause: e });
    }
    return requirePassword(passwordFromText(text), `--storepass-file ${file}: its first line is empty`, OMIT);
  }
  if (opts['storepass-stdin']) return requirePassword(passwordFromText(await io.readStdin()), '--storepass-stdin: the first line of standard input is empty', OMIT);
  return undefined;
}

/** A password from the environment variable an option names; a missing variable is an error naming both. */
export function passwordFromEnv(name: string, option: string, io: CliIo): string {
  const value = io.env[name];
  if (value === undefined) throw new MidtrustError('INVALID_INPUT', `${option} ${name}: the environment variable ${name} is not set; export it before running midtrust`);
  return requirePassword(value, `${option} ${name}: the environment variable ${name} is empty`, OMIT);
}
