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

/** A bench run on its own (`node dist/bench/<name>.js`): one line per figure, exit 1 if it failed. */
export function printFigures(figures: Promise<Figure[]>): void {
  figures.then(
    (rs) => {
      for (const r of rs) process.stdout.write(`${r.ok === false ? 'FAIL' : 'ok  '} ${r.name}: ${r.median} ${r.unit}${r.note ? ` — ${r.note}` : ''}\n`);
    },
    (e: unknown) => {
      process.stderr.write(`bench failed: ${(e as Error).stack ?? String(e)}\n`);
      process.exitCode = 1;
    },
  );
}
