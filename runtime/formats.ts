/**
 * JSDoc `@format` names → regular expressions. StackStorm's parameter schema has no
 * `format` keyword (action_params.json forbids unknown keys), so a format reaches st2,
 * and the runtime's Ajv check, as an equivalent anchored `pattern` that Python's `re`
 * and JavaScript agree on. `formatProblem` says in words why a value is not of a format.
 *
 * `ipv4-unicast`, `cli-text` and `cli-secret` refuse what the playbooks' filter
 * (playbooks/filter_plugins/netops_filters.py) refuses, so that bad input stops here,
 * before any lock or SSH session; the filter stays as a second line of defence.
 */
const OCTET = '(?:25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])';
const IPV4 = `(?:${OCTET}\\.){3}${OCTET}`;
/** First octet of a unicast address: 1–223 without 127 (no 0/8, loopback, multicast, 240/4, broadcast). */
const UNICAST_FIRST = '(?:22[0-3]|2[01][0-9]|1[3-9][0-9]|12[0-689]|1[01][0-9]|[1-9][0-9]|[1-9])';
const H = '[0-9A-Fa-f]{1,4}';
const IPV6 = [
  `(?:${H}:){7}${H}`,
  `(?:${H}:){1,7}:`,
  `(?:${H}:){1,6}:${H}`,
  `(?:${H}:){1,5}(?::${H}){1,2}`,
  `(?:${H}:){1,4}(?::${H}){1,3}`,
  `(?:${H}:){1,3}(?::${H}){1,4}`,
  `(?:${H}:){1,2}(?::${H}){1,5}`,
  `${H}:(?::${H}){1,6}`,
  `:(?:(?::${H}){1,7}|:)`,
].join('|');

/** The largest AS number (RFC 6793). */
export const MAX_ASN = 4294967295;

/** Decimal numbers 1..max as a regex alternation (no leading zeros). */
function upTo(max: number): string {
  const m = String(max);
  const alts = m.length > 1 ? [`[1-9][0-9]{0,${m.length - 2}}`] : [];
  for (let i = 0; i < m.length; i++) {
    const lo = i === 0 ? 1 : 0;
    const hi = Number(m[i]) - (i < m.length - 1 ? 1 : 0);
    if (hi < lo) continue;
    const rest = m.length - i - 1;
    alts.push(`${m.slice(0, i)}${lo === hi ? lo : `[${lo}-${hi}]`}${rest > 1 ? `[0-9]{${rest}}` : rest ? '[0-9]' : ''}`);
  }
  return alts.join('|');
}

/** Characters a router CLI session reads as help (?) or as the end of a prompt (# >). */
export const CLI_SPECIAL = ['?', '#', '>'];
/**
 * Text that the platforms' terminal plugins (terminal_stderr_re, e.g. frr.frr's) report as a
 * CLI error when it appears in an echoed line; regex sources over lower-case text.
 */
export const CLI_ERROR_PHRASES = [
  'command incomplete', '(?:incomplete|unknown|ambiguous) command', 'invalid input',
  'syntax error', 'not found', 'is not running', 'is already running', 'connection timed out',
  '% ?error', '% ?bad secret', "% ?can't find", '% (?:create|specify) .* first',
];
const anyCase = (s: string) => s.replace(/[a-z]/g, (c) => `[${c}${c.toUpperCase()}]`);
/** Printable ASCII without ? # >. */
const CLI_CHAR = ' -"$-=@-~';

/** Formats a parameter may name, as anchored patterns. */
export const FORMAT_PATTERNS: Record<string, string> = {
  ipv4: `^${IPV4}$`,
  'ipv4-unicast': `^${UNICAST_FIRST}(?:\\.${OCTET}){3}$`,
  ipv6: `^(?:${IPV6})$`,
  ip: `^(?:${IPV4}|${IPV6})$`,
  'ipv4-cidr': `^${IPV4}/(?:3[0-2]|[12]?[0-9])$`,
  'ipv6-cidr': `^(?:${IPV6})/(?:12[0-8]|1[01][0-9]|[1-9]?[0-9])$`,
  cidr: `^(?:${IPV4}/(?:3[0-2]|[12]?[0-9])|(?:${IPV6})/(?:12[0-8]|1[01][0-9]|[1-9]?[0-9]))$`,
  hostname: '^(?=.{1,253}$)[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?(?:\\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*$',
  asn: `^(?:${upTo(MAX_ASN)})$`,
  'cli-text': `^(?=.*[!-~])(?!.*(?:${CLI_ERROR_PHRASES.map(anyCase).join('|')}))[${CLI_CHAR}]*$`,
  'cli-secret': `^(?!.*(?:${CLI_ERROR_PHRASES.map(anyCase).join('|')}))[!-"$-=@-~]+$`,
};

/** What a value of each format is, for messages and help ("an IPv4 address"). */
export const FORMAT_TITLES: Record<string, string> = {
  ipv4: 'an IPv4 address',
  'ipv4-unicast': 'a unicast IPv4 address',
  ipv6: 'an IPv6 address',
  ip: 'an IPv4 or IPv6 address',
  'ipv4-cidr': 'an IPv4 prefix (a.b.c.d/len)',
  'ipv6-cidr': 'an IPv6 prefix (x::/len)',
  cidr: 'an IPv4 or IPv6 prefix',
  hostname: 'a host name',
  asn: `an AS number (1-${MAX_ASN})`,
  'cli-text': 'one line of printable ASCII without ? # > or CLI error text',
  'cli-secret': 'printable ASCII without spaces or ? # >',
};

function ipv4Problem(v: string): string | null {
  if (!new RegExp(`^${IPV4}$`).test(v)) return 'is not an IPv4 address';
  const [a, b, c, d] = v.split('.').map(Number) as [number, number, number, number];
  if (v === '0.0.0.0') return 'is the unspecified address 0.0.0.0, not a peer';
  if (a === 0) return "is in 0.0.0.0/8 ('this network'), not a peer address";
  if (a === 127) return 'is a loopback address (127.0.0.0/8)';
  if (a >= 224 && a <= 239) return 'is a multicast address (224.0.0.0/4)';
  if (a === 255 && b === 255 && c === 255 && d === 255) return 'is the broadcast address';
  if (a >= 240) return 'is a reserved address (240.0.0.0/4)';
  return null;
}

function cliProblem(v: string, secret: boolean): string | null {
  const odd = [...v].find((ch) => ch < ' ' || ch > '~');
  if (odd) return `contains ${secret ? 'a character' : `U+${odd.codePointAt(0)!.toString(16).toUpperCase().padStart(4, '0')}`} outside printable ASCII (one line only)`;
  const special = CLI_SPECIAL.filter((c) => v.includes(c));
  if (special.length) return `contains ${secret ? 'one of ? # >' : special.map((c) => `'${c}'`).join(' ')} (router CLIs read ? as help, # and > as the end of a prompt)`;
  if (secret && v.includes(' ')) return 'contains a space';
  if (!/[!-~]/.test(v)) return 'has no visible character';
  const phrase = CLI_ERROR_PHRASES.find((p) => new RegExp(p, 'i').test(v));
  const hit = phrase ? new RegExp(phrase, 'i').exec(v)![0] : '';
  if (phrase) return `contains ${secret ? 'text' : `'${hit.length > 40 ? `${hit.slice(0, 40)}…` : hit}'`}, which the router's CLI session would report as an error; reword it`;
  return null;
}

/** Why `value` is not of `format` (a clause like "is a loopback address (127.0.0.0/8)"), or null when it is. */
export function formatProblem(format: string, value: string): string | null {
  const pattern = FORMAT_PATTERNS[format];
  if (!pattern || new RegExp(pattern, 'u').test(value)) return null;
  switch (format) {
    case 'ipv4-unicast': return ipv4Problem(value) ?? `is not ${FORMAT_TITLES[format]}`;
    case 'asn':
      if (/^[0-9]+$/.test(value)) return Number(value) === 0 ? 'is not an AS number (AS 0 is reserved)' : Number(value) > MAX_ASN ? `is above ${MAX_ASN}, the largest AS number` : 'is not an AS number (no leading zeros)';
      return `is not ${FORMAT_TITLES[format]}`;
    case 'cli-text': return cliProblem(value, false) ?? `is not ${FORMAT_TITLES[format]}`;
    case 'cli-secret': return cliProblem(value, true) ?? `is not ${FORMAT_TITLES[format]}`;
    default: return `is not ${FORMAT_TITLES[format] ?? `a valid ${format}`}`;
  }
}
