/** The per-lane pending queue of the spool: a FIFO of (seq, offset, size) in typed columns, about 20 bytes per pending event. */
export class Ring {
  private seqs = new Float64Array(1024);
  private offs = new Float64Array(1024);
  private sizes = new Uint32Array(1024);
  private ats = new Float64Array(1024);
  private start = 0;
  length = 0;
  /** Sum of sizes. */
  bytes = 0;

  push(seq: number, off: number, size: number, at = 0): void {
    this.bytes += size;
    if (this.length === this.seqs.length) this.grow();
    const i = (this.start + this.length) % this.seqs.length;
    this.seqs[i] = seq;
    this.offs[i] = off;
    this.sizes[i] = size;
    this.ats[i] = at;
    this.length++;
  }

  /** i-th entry from the front. */
  seq(i: number): number {
    return this.seqs[(this.start + i) % this.seqs.length]!;
  }
  off(i: number): number {
    return this.offs[(this.start + i) % this.seqs.length]!;
  }
  size(i: number): number {
    return this.sizes[(this.start + i) % this.seqs.length]!;
  }
  /** Append time (ms) of the i-th entry. */
  at(i: number): number {
    return this.ats[(this.start + i) % this.seqs.length]!;
  }
  setOff(i: number, off: number): void {
    this.offs[(this.start + i) % this.seqs.length] = off;
  }

  /** Put an entry back at the front (it must be older than every queued one). */
  unshift(seq: number, off: number, size: number, at = 0): void {
    this.bytes += size;
    if (this.length === this.seqs.length) this.grow();
    this.start = (this.start - 1 + this.seqs.length) % this.seqs.length;
    this.seqs[this.start] = seq;
    this.offs[this.start] = off;
    this.sizes[this.start] = size;
    this.ats[this.start] = at;
    this.length++;
  }

  /** Index of seq (binary search; entries are sorted), or -1. */
  find(seq: number): number {
    let lo = 0;
    let hi = this.length - 1;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      const s = this.seq(mid);
      if (s === seq) return mid;
      if (s < seq) lo = mid + 1;
      else hi = mid - 1;
    }
    return -1;
  }

  shift(): { seq: number; off: number; size: number; at: number } {
    const i = this.start;
    const e = { seq: this.seqs[i]!, off: this.offs[i]!, size: this.sizes[i]!, at: this.ats[i]! };
    this.bytes -= e.size;
    this.start = (this.start + 1) % this.seqs.length;
    this.length--;
    if (this.length === 0) this.start = 0;
    return e;
  }

  private grow(): void {
    const n = this.seqs.length * 2;
    const seqs = new Float64Array(n);
    const offs = new Float64Array(n);
    const sizes = new Uint32Array(n);
    const ats = new Float64Array(n);
    for (let k = 0; k < this.length; k++) {
      const i = (this.start + k) % this.seqs.length;
      seqs[k] = this.seqs[i]!;
      offs[k] = this.offs[i]!;
      sizes[k] = this.sizes[i]!;
      ats[k] = this.ats[i]!;
    }
    this.seqs = seqs;
    this.offs = offs;
    this.sizes = sizes;
    this.ats = ats;
    this.start = 0;
  }
}
