import type { FleetPosture } from './posture';

/**
 * The posture as JSON (schema/report.schema.json): the same data the page and the metrics show.
 *
 * @example
 * JSON.parse(renderJson(posture)).summary.failed; // 0
 */
export function renderJson(posture: FleetPosture): string {
  return `${JSON.stringify(posture, null, 2)}\n`;
}
