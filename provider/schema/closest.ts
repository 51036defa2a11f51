/**
 * "Did you mean ...?" for misspelt input keys: the closest known key by edit distance.
 */

/**
 * Edit distance between `a` and `b`, ignoring case: insertions, deletions, substitutions and swaps of two
 * neighbouring characters each count 1 (optimal string alignment), so `nmae` is 1 from `name` and
 * `runstrategy` is 0 from `runStrategy`.
 */
export function editDistance(a: string, b: string): number {
  const s = a.toLowerCase();
  const t = b.toLowerCase();
  // d[i][j]: distance between the first i characters of s and the first j of t.
  const d: number[][] = Array.from({ length: s.length + 1 }, (_, i) =>
    Array.from({ length: t.length + 1 }, (_, j) => (i === 0 ? j : j === 0 ? i : 0)),
  );
  for (let i = 1; i <= s.length; i++) {
    for (let j = 1; j <= t.length; j++) {
      const cost = s[i - 1] === t[j - 1] ? 0 : 1;
      let best = Math.min(d[i - 1]![j]! + 1, d[i]![j - 1]! + 1, d[i - 1]![j - 1]! + cost);
      if (i > 1 && j > 1 && s[i - 1] === t[j - 2] && s[i - 2] === t[j - 1]) {
        best = Math.min(best, d[i - 2]![j - 2]! + 1);
      }
      d[i]![j] = best;
    }
  }
  return d[s.length]![t.length]!;
}

/**
 * The candidate closest to `key`, or `undefined` when none is close: at most one edit per three characters
 * of `key` (and at least one). A dotted candidate such as `metadata.name` is compared by its last part, so
 * a top-level `name` suggests `metadata.name`. The first of equally close candidates wins.
 */
export function closestKey(key: string, candidates: readonly string[]): string | undefined {
  const limit = Math.max(1, Math.floor(key.length / 3));
  let best: string | undefined;
  let bestDistance = Infinity;
  for (const candidate of candidates) {
    const distance = editDistance(key, candidate.slice(candidate.lastIndexOf(".") + 1));
    if (distance <= limit && distance < bestDistance) {
      best = candidate;
      bestDistance = distance;
    }
  }
  return best;
}
