import { KeystoreBatcher } from '../apply/keystoreBatcher';
import { LocalHost } from '../host/localHost';

let batcher: KeystoreBatcher | undefined;

/**
 * The one KeystoreBatcher of this process. `pulumi up` runs every dynamic resource of a program in
 * one host process, in parallel: sharing the batcher is what turns a hundred creates on one cacerts
 * into a few coalesced read-modify-writes. Both resource kinds load this module from the same
 * directory (see midtrustProvider.ts), so Node's module cache makes it a singleton.
 */
export function sharedBatcher(): KeystoreBatcher {
  return (batcher ??= new KeystoreBatcher(new LocalHost()));
}

/**
 * Writes a line to stderr when MIDTRUST_TRACE is set: which store was written and how many changes
 * the write carried. Tests read it from the host's stderr; it never contains a password or a PEM.
 */
export function trace(message: string): void {
  if (process.env.MIDTRUST_TRACE) process.stderr.write(`midtrust: ${message}\n`);
}
