import type { ExpiryWindows } from './posture';

const DAY_MS = 24 * 3600 * 1000;

/** Where an expiry date falls relative to "now" and the report's windows. */
export type ExpiryClass = 'expired' | 'soon' | 'later' | 'fine';

/**
 * Whole days from `now` until `notAfter`, rounded up (negative once expired), as the expiring rule
 * counts them.
 *
 * @example
 * daysUntil(new Date('2025-01-31T00:00:00Z'), new Date('2025-01-01T00:00:00Z')); // 30
 */
export function daysUntil(notAfter: Date, now: Date): number {
  return Math.ceil((notAfter.getTime() - now.getTime()) / DAY_MS);
}

/**
 * Classifies an expiry date: expired (in the past), soon (within `soonDays`), later (within
 * `laterDays`) or fine.
 *
 * @example
 * expiryClass(new Date('2025-02-15Z'), new Date('2025-01-01Z'), { soonDays: 30, laterDays: 90 }); // 'later'
 */
export function expiryClass(notAfter: Date, now: Date, windows: ExpiryWindows): ExpiryClass {
  const ms = notAfter.getTime() - now.getTime();
  if (ms < 0) return 'expired';
  if (ms < windows.soonDays * DAY_MS) return 'soon';
  if (ms < windows.laterDays * DAY_MS) return 'later';
  return 'fine';
}
