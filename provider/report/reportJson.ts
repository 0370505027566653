import type { FleetPosture } from './posture';

/**
 * The posture as JSON (schema/report.schema.json): the same data the page and the metrics show.
 * Compact, one line: a 500-host report is tens of megabytes, and indenting it would add a third
 * (pipe it through `jq .` to read it).
 *
 * @example
 * JSON.parse(renderJson(posture)).summary.failed; // 0
 */
export function renderJson(posture: FleetPosture): string {
  return `${JSON.stringify(posture)}\n`;
}
