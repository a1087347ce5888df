/** "Did you mean …?": the known name nearest to a mistyped one. Pure; loaded by the CLI at start-up, so kept apart. */

/** The known name closest to `name` (edit distance ≤ 2, or a prefix), or null. */
export function closest(name: string, known: string[]): string | null {
  let best: string | null = null;
  let bestD = Infinity;
  for (const k of known) {
    const d = k.startsWith(name) || name.startsWith(k) ? Math.min(1, editDistance(name, k)) : editDistance(name, k);
    if (d < bestD) { best = k; bestD = d; }
  }
  return bestD <= Math.max(1, Math.min(2, Math.floor(name.length / 3))) ? best : null;
}

function editDistance(a: string, b: string): number {
  if (Math.abs(a.length - b.length) > 3) return 4;
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const cur = [i];
    for (let j = 1; j <= b.length; j++) cur[j] = Math.min(prev[j]! + 1, cur[j - 1]! + 1, prev[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1));
    prev = cur;
  }
  return prev[b.length]!;
}
