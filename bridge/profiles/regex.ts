/**
 * Named groups by position. Profiles are written with (?<name>…) groups; the classifier runs the
 * same regex with the names removed (V8 then builds no `groups` object per match) and reads
 * captures by index, so it needs to know which index each name has.
 */

/** A regex with its capture names by index: names[i] is the name of capture i+1 (null: unnamed). */
export interface IndexedRegex {
  /** The regex as written (named groups), for messages and tooling. */
  source: RegExp;
  /** The same pattern without group names: what runs. */
  re: RegExp;
  names: Array<string | null>;
}

/** Scan a pattern for capturing groups, in order; returns names (null for unnamed) and the pattern without names. */
export function indexGroups(pattern: string): { names: Array<string | null>; stripped: string } {
  const names: Array<string | null> = [];
  let out = '';
  let inClass = false;
  for (let i = 0; i < pattern.length; i++) {
    const ch = pattern[i]!;
    if (ch === '\\') {
      out += ch + (pattern[i + 1] ?? '');
      i++;
      continue;
    }
    if (inClass) {
      if (ch === ']') inClass = false;
      out += ch;
      continue;
    }
    if (ch === '[') {
      inClass = true;
      out += ch;
      continue;
    }
    if (ch === '(') {
      if (pattern[i + 1] !== '?') {
        names.push(null);
        out += ch;
        continue;
      }
      if (pattern[i + 2] === '<' && pattern[i + 3] !== '=' && pattern[i + 3] !== '!') {
        const close = pattern.indexOf('>', i + 3);
        names.push(pattern.slice(i + 3, close));
        out += '(';
        i = close;
        continue;
      }
    }
    out += ch;
  }
  return { names, stripped: out };
}

/** Compile a profile pattern; throws SyntaxError like `new RegExp`. */
export function compileIndexed(pattern: string, flags = ''): IndexedRegex {
  const source = new RegExp(pattern, flags);
  const { names, stripped } = indexGroups(pattern);
  const re = new RegExp(stripped, flags);
  // cross-check the scanner against the engine: same number of groups, same names in the same
  // order (one probe of the pattern as written; the stripped one differs only by the names the
  // scanner recorded, so a probe of it too, a second regex compilation at start-up, adds nothing)
  const probe = new RegExp(`${pattern}|`, flags).exec('')!;
  const named = Object.keys(probe.groups ?? {});
  if (probe.length - 1 !== names.length || named.join() !== names.filter((n) => n !== null).join()) {
    throw new SyntaxError(`cannot index the groups of /${pattern}/`);
  }
  return { source, re, names };
}
