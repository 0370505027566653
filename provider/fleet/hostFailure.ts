import { MidtrustError } from '../errors';

/**
 * What a fleet command says about a host that failed: a midtrust error's own message (it names
 * the file and what to do), anything else marked as an internal error. One rule for plan/apply,
 * audit, verify and report, so a host fails in the same words in every command.
 *
 * @example
 * hostFailure(new MidtrustError('IO', 'mid-01: connection refused')); // 'mid-01: connection refused'
 */
export function hostFailure(e: unknown): string {
  return e instanceof MidtrustError ? e.message : `internal error: ${(e as Error)?.message ?? String(e)}`;
}
