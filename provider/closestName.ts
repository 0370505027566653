/**
 * The candidate a mistyped name was most likely meant to be, for "did you mean …?" hints (a
 * desired-state property, a CLI option): the nearest by edit distance, ignoring case, when it is
 * within a quarter of its length (at least 1). Undefined when nothing is that close.
 *
 * @example
 * closestName(['storepass-env', 'storepass-file'], 'storepas-env'); // 'storepass-env'
 */
export function closestName(candidates: readonly string[], given: string): string | undefined {
  let best: { name: string; distance: number } | undefined;
  for (const name of candidates) {
    const distance = editDistance(name.toLowerCase(), given.toLowerCase());
    if (distance <= Math.max(1, Math.floor(name.length / 4)) && (!best || distance < best.distance)) best = { name, distance };
  }
  return best?.name;
}

/** Levenshtein distance; names are short, so the O(n·m) table is nothing. */
function editDistance(a: string, b: string): number {
  if (Math.abs(a.length - b.length) > 3 || a.length > 64 || b.length > 64) return Infinity;
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const cur = [i];
    for (let j = 1; j <= b.length; j++) cur[j] = Math.min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1));
    prev = cur;
  }
  return prev[b.length];
}
