import { MidtrustError } from '../errors';

/**
 * A timeout option given in seconds (`--timeout 2.5`), as milliseconds: more than 0, at most 600
 * (a network wait longer than ten minutes is a mistake, not a setting).
 *
 * @example
 * parseSeconds(undefined, '--timeout', 10_000); // 10000
 * parseSeconds('2.5', '--endpoint-timeout', 10_000); // 2500
 */
export function parseSeconds(value: string | undefined, option: string, defaultMs: number): number {
  if (value === undefined) return defaultMs;
  const s = Number(value);
  if (!Number.isFinite(s) || s <= 0 || s > 600) throw new MidtrustError('INVALID_INPUT', `${option} ${value}: give seconds, more than 0 and at most 600`);
  return Math.round(s * 1000);
}
