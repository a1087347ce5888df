/**
 * Near-miss syslog lines at a given length for the adversarial tests and benchmark: real fixture
 * lines stretched at their word boundaries (a pump taken from the line itself, then a line
 * terminator or nothing), and real headers carrying the adversarial generator's inputs for the
 * event pattern their tag dispatches to. Deterministic.
 */
import type { Classifier, ProfileSet } from '../../bridge/parse.js';
import { adversarialAttacks, render } from '../../bridge/profiles/adversary.js';
import type { Fixture } from './fixtures.js';

/** The six prefix patterns that backtracked quadratically before they were rewritten (kept to measure "before"). */
export const OLD_PATTERNS: Array<{ ref: string; regex: string }> = [
  { ref: 'profiles/eos/_prefix.yml#0', regex: String.raw`^(?<date>[A-Z][a-z]{2} +\d{1,2}|\d{4}-\d\d-\d\d)[ T](?<time>\d\d:\d\d:\d\d(?:\.\d+)?(?:Z|[+-]\d\d:\d\d)?) +(?<host>\S+) (?<processName>[\w-]+): %(?<tag>[A-Z][\w-]*-\d-[\w-]+): ?(?<message>.*)$` },
  { ref: 'profiles/ios/_prefix.yml#0', regex: String.raw`^(?<messageId>\d+): (?:(?<host>[^\s:]+): )?[*.]?(?<date>[A-Z][a-z]{2} +\d{1,2}(?: \d{4})?) (?<time>\d\d:\d\d:\d\d)(?:\.(?<milliseconds>\d+))?(?: (?<timeZone>[A-Z]{2,5}))?: %(?<tag>[A-Z][\w-]*-\d-[\w-]+): ?(?<message>.*)$` },
  { ref: 'profiles/ios/_prefix.yml#1', regex: String.raw`^[*.]?(?<date>[A-Z][a-z]{2} +\d{1,2}(?: \d{4})?) (?<time>\d\d:\d\d:\d\d)(?:\.(?<milliseconds>\d+))?(?: (?<timeZone>[A-Z]{2,5}))?: %(?<tag>[A-Z][\w-]*-\d-[\w-]+): ?(?<message>.*)$` },
  { ref: 'profiles/junos/_prefix.yml#5', regex: String.raw`^(?<date>[A-Z][a-z]{2} +\d{1,2}|\d{4}-\d\d-\d\d)[ T](?<time>\d\d:\d\d:\d\d(?:\.\d+)?(?:Z|[+-]\d\d:\d\d)?) +(?:(?<hostPrefix>re\d)[.:-])?(?<host>\S+) (?<tag>[\w-]+)\[(?<processId>\d+)\]: *(?<message>.*)$` },
  { ref: 'profiles/nxos/_prefix.yml#0', regex: String.raw`^(?<date>\d{4} [A-Z][a-z]{2} +\d{1,2}) (?<time>\d\d:\d\d:\d\d)(?:\.\d+)?(?: (?<timeZone>[A-Z]{2,5}))? (?<host>\S+) %(?<tag>[A-Z][\w-]*-\d-[\w-]+): ?(?<message>.*)$` },
  { ref: 'profiles/nxos/_prefix.yml#1', regex: String.raw`^(?<host>[^\s:]+): (?<date>\d{4} [A-Z][a-z]{2} +\d{1,2}) (?<time>\d\d:\d\d:\d\d)(?:\.\d+)?(?: (?<timeZone>[A-Z]{2,5}))?: %(?<tag>[A-Z][\w-]*-\d-[\w-]+): ?(?<message>.*)$` },
];

/** Every compiled pattern of a profile set (prefixes and event variants), by ref. */
export function profilePatterns(p: ProfileSet): Array<{ ref: string; re: RegExp }> {
  const prefixes = p.oses.flatMap((o) => o.prefixes.map((x) => ({ ref: x.ref, re: x.re })));
  return [...prefixes, ...p.rules.map((r) => ({ ref: r.ref, re: r.re }))];
}

const KILLERS = ['\n', '\u2028', ''];
const MAX_CUTS = 14;

/** A fixture line cut at `k`, the pump repeated, the killer: exactly `len` characters. */
function stretch(head: string, pump: string, killer: string, len: number): string {
  const room = len - head.length - killer.length;
  return head + pump.repeat(Math.ceil(room / pump.length)).slice(0, room) + killer;
}

/** Near-miss lines of `len` characters built from the fixtures (see the module comment), made one at a time. */
export function* nearMissLines(c: Classifier, fixtures: Fixture[], len: number): Generator<string> {
  const seen = new Set<string>();
  const rulesDone = new Set<string>();
  for (const f of fixtures) {
    const raw = f.raw.replace(/[\r\n]+$/, '');
    if (raw.length >= len / 2) continue;
    // 1. stretched at word boundaries
    const cuts = [...new Set([...raw.matchAll(/[ :%%\-[\]()=,.]/g)].map((m) => m.index!))].slice(0, MAX_CUTS);
    for (const k of cuts) {
      const pumps = new Set([' ', raw.slice(k, k + 1), raw.slice(k, k + 2), raw.slice(k, k + 3)]);
      for (const pump of pumps) {
        for (const killer of KILLERS) {
          const key = `${raw.slice(0, k)}\0${pump}\0${killer}`;
          if (seen.has(key)) continue;
          seen.add(key);
          yield stretch(raw.slice(0, k), pump, killer, len);
        }
      }
    }
    // 2. a real header (one fixture per event variant), the generator's inputs for its pattern as the message
    const r = c.classify(raw, '192.0.2.9', 1_700_000_000);
    const message = r.event.message_details.message;
    if (!r.rule || rulesDone.has(r.rule.ref) || typeof message !== 'string' || message === '') continue;
    const at = raw.lastIndexOf(message);
    if (at < 0) continue;
    rulesDone.add(r.rule.ref);
    const head = raw.slice(0, at);
    for (const a of adversarialAttacks(r.rule.re.source)) yield head + render(a, len - head.length);
  }
}
