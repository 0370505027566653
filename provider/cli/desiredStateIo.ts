import * as fs from 'node:fs';
import * as path from 'node:path';
import { MidtrustError } from '../errors';
import { ioError } from '../host/ioError';
import { desiredStateFromObject, loadDesiredState, type DesiredState } from '../plan/desiredStateFile';
import type { CliIo } from './cliIo';

function readerFor(): (file: string) => Uint8Array {
  return (file: string) => {
    try {
      return fs.readFileSync(file);
    } catch (e) {
      throw ioError(e, file, 'reading');
    }
  };
}

/** Loads and validates a desired-state file given with -f. */
export function loadDesiredStateFile(file: string | undefined, io: CliIo): DesiredState {
  if (!file) throw new MidtrustError('INVALID_INPUT', 'give the desired-state file with -f <file.yaml>');
  const abs = path.resolve(io.cwd, file);
  let text: string;
  try {
    text = fs.readFileSync(abs, 'utf8');
  } catch (e) {
    throw ioError(e, abs, 'reading the desired-state file');
  }
  return loadDesiredState(text, abs, { readFile: readerFor(), env: io.env, platform: process.platform === 'win32' ? 'win32' : 'posix' });
}

/** A desired state built from command-line options (import/delete), validated by the same schema. */
export function desiredStateFromOptions(obj: unknown, io: CliIo): DesiredState {
  return desiredStateFromObject(obj, io.cwd, { readFile: readerFor(), env: io.env, platform: process.platform === 'win32' ? 'win32' : 'posix' });
}
