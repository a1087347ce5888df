/**
 * The receiver's critical screen: a cheap test, run on a raw datagram before classification,
 * that says whether it may become a critical event. When the raw queue is full the receiver
 * thread keeps what may be critical and sheds only what surely is not (counted by reason).
 *
 * Compiled from the profiles: an event is critical either because its rule says so (`level:`,
 * constant or by case), and then the message carries the rule's tag (the rules run only for the
 * tag the device prefix extracted), or because its syslog severity is 0–2 (rules without `level:`,
 * and unknown messages). So "may be critical" = PRI severity ≤ 2, or the datagram contains one
 * of the tags of rules that can be critical (case-insensitive substring: conservative, the
 * screen keeps more than the classifier will call critical, never less). A tag the screen cannot
 * find as text (a prefix's tag template other than one placeholder or a literal the prefix
 * requires) makes it keep everything (`keepAll`). Pure.
 */
import type { ProfileSet } from './profiles/compile.js';

/** Structured-clonable screen (handed to the receiver thread). */
export interface ScreenSpec {
  /** Substrings of which a datagram must contain one to be kept for its tag. */
  needles: string[];
  /** The screen cannot decide by text: keep every datagram. */
  keepAll: boolean;
  /** Why keepAll, for the log. */
  why?: string;
}

/** The screen of a profile set. */
export function criticalScreen(ps: ProfileSet): ScreenSpec {
  const needles = new Set<string>();
  let why: string | undefined;
  for (const os of ps.oses) {
    const criticalTags = new Set<string>();
    for (const [tag, rules] of os.rules) if (rules.some((r) => r.levels?.includes('critical'))) criticalTags.add(tag);
    if (criticalTags.size === 0) continue;
    for (const tag of criticalTags) needles.add(tag);
    // A prefix whose tag is a literal (not read from the message): the tag text need not be in
    // the datagram, so the prefix's required substrings stand in for it.
    for (const p of os.prefixes) {
      if (!p.tag || p.tag.single) continue;
      if (p.tag.names.length > 0) {
        why ??= `${p.ref}: its tag template is not one placeholder`;
        continue;
      }
      const literal = p.tag.text({ v: [], h: [], host: '', ip: '', os: os.name, tag: '' } as never);
      if (!criticalTags.has(literal)) continue;
      if (!p.requires || p.requires.length === 0) why ??= `${p.ref}: literal tag ${literal} with no required text`;
      else for (const id of p.requires) needles.add(ps.needles.text(id));
    }
  }
  const out: ScreenSpec = { needles: [...needles].sort(), keepAll: why !== undefined };
  if (why) out.why = why;
  return out;
}

const escape = (s: string): string => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** Syslog severity of a leading `<PRI>` (0–7), 8 when there is none. */
export function priSeverity(msg: Uint8Array): number {
  if (msg[0] !== 0x3c) return 8;
  let pri = 0;
  for (let i = 1; i < 5 && i < msg.length; i++) {
    const c = msg[i]!;
    if (c === 0x3e) return i > 1 ? pri & 7 : 8;
    if (c < 0x30 || c > 0x39) return 8;
    pri = pri * 10 + (c - 0x30);
  }
  return 8;
}

/** The screen as a test on raw bytes: true when the datagram may be critical. */
export function compileScreen(spec: ScreenSpec): (msg: Buffer) => boolean {
  if (spec.keepAll) return () => true;
  // Tags are ASCII; latin1 maps each byte to one character, so a UTF-8 message cannot hide one.
  const re = spec.needles.length > 0 ? new RegExp(spec.needles.map(escape).join('|'), 'i') : null;
  return (msg) => priSeverity(msg) <= 2 || (re !== null && re.test(msg.toString('latin1')));
}
