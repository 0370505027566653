import * as fs from 'node:fs';
import * as path from 'node:path';
import { MidtrustError } from '../errors';
import type { CliIo } from './cliIo';

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
 * never from argv, where `ps` shows it to every user of the host.
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
    try {
      return firstLine(fs.readFileSync(file, 'utf8'));
    } catch (e) {
      throw new MidtrustError('INVALID_INPUT', `--storepass-file ${opts['storepass-file']}: cannot read the password file (${(e as NodeJS.ErrnoException).code ?? 'error'})`, { cause: e });
    }
  }
  if (opts['storepass-stdin']) return firstLine(await io.readStdin());
  return undefined;
}

/** The first line without its line ending: password files usually end with a newline. */
function firstLine(text: string): string {
  const nl = text.search(/\r?\n/);
  return nl === -1 ? text : text.slice(0, nl);
}

/** A password from the environment variable an option names; a missing variable is an error naming both. */
export function passwordFromEnv(name: string, option: string, io: CliIo): string {
  const value = io.env[name];
  if (value === undefined) throw new MidtrustError('INVALID_INPUT', `${option} ${name}: the environment variable ${name} is not set; export it before running midtrust`);
  return value;
}
