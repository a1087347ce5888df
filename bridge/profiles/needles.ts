/**
 * The `requires` pre-checks of device prefixes. Each distinct substring is searched at most once
 * per message, and not at all when the message lacks one of its rare characters (% [ ] = /):
 * most lines have no '%', which rules out every Cisco/Arista/FRR-style needle with one scan.
 */

const RARE = '%[]=/';
const rareBit = (c: number): number => {
  const k = RARE.indexOf(String.fromCharCode(c));
  return k < 0 ? 0 : 1 << k;
};

/** Needles of one profile set, and the per-message memo (parsing is synchronous). */
export class NeedleSet {
  private readonly texts: string[] = [];
  private readonly masks: number[] = [];
  private memo = new Int8Array(0);
  private head = '';
  /** Rare characters already looked for, and those found. */
  private known = 0;
  private present = 0;

  /** The id of a needle, adding it when new. */
  /** The text of a needle id. */
  text(id: number): string {
    return this.texts[id]!;
  }

  intern(text: string): number {
    let id = this.texts.indexOf(text);
    if (id < 0) {
      id = this.texts.push(text) - 1;
      let m = 0;
      for (let i = 0; i < text.length; i++) m |= rareBit(text.charCodeAt(i));
      this.masks.push(m);
      this.memo = new Int8Array(this.texts.length);
    }
    return id;
  }

  /** Start a message: `head` is the part of it the needles are looked for in. */
  begin(head: string): void {
    this.head = head;
    this.known = 0;
    this.present = 0;
    this.memo.fill(0);
  }

  /** Whether any of the needles occurs in the current message's head. */
  any(ids: number[]): boolean {
    for (let i = 0; i < ids.length; i++) if (this.has(ids[i]!)) return true;
    return false;
  }

  private has(id: number): boolean {
    const known = this.memo[id]!;
    if (known !== 0) return known > 0;
    const need = this.masks[id]!;
    if (need !== 0) {
      // look each rare character up once (a single-character indexOf is a fast scan)
      const unknown = need & ~this.known;
      if (unknown !== 0) {
        for (let k = 0; k < RARE.length; k++) {
          const bit = 1 << k;
          if (unknown & bit) {
            if (this.head.indexOf(RARE[k]!) >= 0) this.present |= bit;
            this.known |= bit;
          }
        }
      }
      if ((need & this.present) !== need) {
        this.memo[id] = -1;
        return false;
      }
    }
    const found = this.head.indexOf(this.texts[id]!) >= 0;
    this.memo[id] = found ? 1 : -1;
    return found;
  }
}
