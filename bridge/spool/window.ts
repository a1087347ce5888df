/** The spool's memory window: payloads of pending records kept in memory up to a budget (characters); the rest is read back from disk. */
export class MemWindow {
  private readonly map = new Map<number, string>();
  /** Characters held. */
  bytes = 0;

  constructor(readonly budget: number) {}

  /** Keep a payload if it fits the budget (plus `slack`); true when kept. */
  offer(seq: number, json: string, slack = 0): boolean {
    if (this.map.has(seq) || this.bytes + json.length > this.budget + slack) return false;
    this.map.set(seq, json);
    this.bytes += json.length;
    return true;
  }

  /** The payload, if held. */
  get(seq: number): string | undefined {
    return this.map.get(seq);
  }

  /** True when held. */
  has(seq: number): boolean {
    return this.map.has(seq);
  }

  /** Forget a payload. */
  delete(seq: number): void {
    const json = this.map.get(seq);
    if (json === undefined) return;
    this.map.delete(seq);
    this.bytes -= json.length;
  }
}
