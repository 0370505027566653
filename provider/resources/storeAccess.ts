import type { Keystore } from '../keystore/model';
import { batcherFor } from './connectionInput';
import { asPersonError, type Props } from './resourceInputs';

/** The store a resource points at (local or over its connection), or undefined when it is gone. */
export async function readStore(keystorePath: string, password: string | undefined, connection: unknown): Promise<Keystore | undefined> {
  try {
    // Through the machine's batcher: concurrent reads of one store (a refresh) share one parse.
    return await batcherFor(connection).read({ path: keystorePath, password });
  } catch (e) {
    throw asPersonError(e, keystorePath);
  }
}

/** The input subset of outputs, returned by read so refresh keeps the stored inputs in step. */
export function pickInputs(outs: Props, keys: readonly string[]): Props {
  const ins: Props = {};
  for (const k of keys) if (outs[k] !== undefined) ins[k] = outs[k];
  return ins;
}

/** Copies the optional inputs that were given (not undefined or null) into the outputs. */
export function copyGiven(outs: Props, inputs: object, keys: readonly string[]): Props {
  const from = inputs as Record<string, unknown>;
  for (const k of keys) if (from[k] !== undefined && from[k] !== null) outs[k] = from[k];
  return outs;
}
