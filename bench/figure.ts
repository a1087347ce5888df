/** What every benchmark reports: one figure per measure, a median over runs. */
export interface Figure {
  name: string;
  median: number;
  unit: string;
  runs?: number;
  min?: number;
  max?: number;
  target?: string;
  ok?: boolean;
  note?: string;
}

/** Median of numbers. */
export function median(xs: number[]): number {
  if (xs.length === 0) return Number.NaN;
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}
