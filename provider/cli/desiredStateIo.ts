import * as path from 'node:path';
import { MidtrustError } from '../errors';
import { readRegularFileSync } from '../host/boundedRead';
import { READ_LIMITS } from '../host/readLimits';
import { desiredStateFromObject, loadDesiredState, type DesiredState } from '../plan/desiredStateFile';
import type { CliIo } from './cliIo';

/** Certificate and password files, each bounded by its own limit and refused unless regular. */
function readerFor(): (file: string, kind?: 'certificate' | 'password') => Uint8Array {
  return (file, kind) =>
    kind === 'password'
      ? readRegularFileSync(file, { maxBytes: READ_LIMITS.secret, what: 'a password file' })
      : readRegularFileSync(file, { maxBytes: READ_LIMITS.certificate, what: 'a certificate file' });
}

/** Loads and validates a desired-state file given with -f (`skipPassword`: see DesiredStateIo). */
export function loadDesiredStateFile(file: string | undefined, io: CliIo, opts: { skipPassword?: boolean } = {}): DesiredState {
  if (!file) throw new MidtrustError('INVALID_INPUT', 'give the desired-state file with -f <file.yaml>');
  const abs = path.resolve(io.cwd, file);
  const text = readRegularFileSync(abs, { maxBytes: READ_LIMITS.desiredState, what: 'the desired-state file' }).toString('utf8');
  return loadDesiredState(text, abs, { readFile: readerFor(), env: io.env, platform: process.platform === 'win32' ? 'win32' : 'posix', skipPassword: opts.skipPassword });
}

/** A desired state built from command-line options (import/delete), validated by the same schema. */
export function desiredStateFromOptions(obj: unknown, io: CliIo): DesiredState {
  return desiredStateFromObject(obj, io.cwd, { readFile: readerFor(), env: io.env, platform: process.platform === 'win32' ? 'win32' : 'posix' });
}
