/**
 * Value filters a profile can apply in a template: `{name|filter|filter(args)}`.
 * napalm-logs' helper conversions (int, upper, bgp_state_convert, bfd_state_convert,
 * color_to_severity) have equivalents here, plus a few for the flat fields and summaries.
 */

/** A value flowing through templates: a captured string, a converted number, or nothing. */
export type Value = string | number | boolean | null | undefined;

/** A filter with its (already parsed) arguments bound. */
export type Filter = (v: Value) => Value;

/** BGP FSM states as OpenConfig writes them (napalm-logs' bgp_state_convert, incl. its Up/Down). */
const BGP_STATE: Record<string, string> = { OpenSent: 'OPEN_SENT', OpenConfirm: 'OPEN_CONFIRM', Up: 'ESTABLISHED', Down: 'ACTIVE' };

/** BGP FSM states in plain words, whatever case or spelling the device used. */
const BGP_WORD: Record<string, string> = {
  idle: 'Idle', connect: 'Connect', active: 'Active', opensent: 'OpenSent', open_sent: 'OpenSent',
  openconfirm: 'OpenConfirm', open_confirm: 'OpenConfirm', established: 'Established',
  up: 'Established', down: 'Idle',
};

const str = (v: Value): string | null => (v === null || v === undefined ? null : String(v));

/** Argument-less filters. */
const SIMPLE: Record<string, Filter> = {
  /** Decimal integer; the text unchanged when it is not one. */
  int: (v) => {
    const s = str(v);
    if (s === null) return v;
    const n = Number.parseInt(s, 10);
    return Number.isNaN(n) ? v : n;
  },
  upper: (v) => (typeof v === 'string' ? v.toUpperCase() : v),
  lower: (v) => (typeof v === 'string' ? v.toLowerCase() : v),
  trim: (v) => (typeof v === 'string' ? v.trim() : v),
  /** napalm-logs bgp_state_convert: OpenSent→OPEN_SENT, OpenConfirm→OPEN_CONFIRM, Up→ESTABLISHED, Down→ACTIVE, else UPPER. */
  bgp_state: (v) => (typeof v === 'string' ? ((Object.hasOwn(BGP_STATE, v) ? BGP_STATE[v] : undefined) ?? v.toUpperCase()) : v),
  /** A BGP state as a person writes it: Established, Idle, OpenSent … (Up→Established, Down→Idle). */
  bgp_word: (v) => (typeof v === 'string' ? ((Object.hasOwn(BGP_WORD, v.toLowerCase()) ? BGP_WORD[v.toLowerCase()] : undefined) ?? v) : v),
  /** napalm-logs bfd_state_convert: AdminDown→ADMIN_DOWN, else UPPER. */
  bfd_state: (v) => (typeof v === 'string' ? (v === 'AdminDown' ? 'ADMIN_DOWN' : v.toUpperCase()) : v),
  /** napalm-logs color_to_severity: RED→3, YELLOW→4, else unchanged. */
  alarm_severity: (v) => (v === 'RED' ? 3 : v === 'YELLOW' ? 4 : v),
};

/** Names of all filters, for error messages. */
export const FILTER_NAMES: readonly string[] = [...Object.keys(SIMPLE), 'map(k=v,…)', 'default(text)'];

/** Build a filter from its name and raw argument text; throws Error with a readable message. */
export function makeFilter(name: string, args: string | null): Filter {
  if (name === 'map') {
    if (args === null) throw new Error('filter "map" needs arguments, e.g. map(Up=ESTABLISHED,Down=IDLE)');
    const table = new Map<string, string>();
    for (const part of args.split(',')) {
      const eq = part.indexOf('=');
      if (eq <= 0) throw new Error(`map entry "${part}" is not key=value`);
      table.set(part.slice(0, eq).trim(), part.slice(eq + 1).trim());
    }
    return (v) => {
      if (v === null || v === undefined) return v;
      const hit = table.get(String(v));
      return hit === undefined ? v : hit;
    };
  }
  if (name === 'default') {
    const d = args ?? '';
    return (v) => (v === null || v === undefined || v === '' ? d : v);
  }
  const f = Object.hasOwn(SIMPLE, name) ? SIMPLE[name] : undefined;
  if (!f) throw new Error(`unknown filter "${name}" (known: ${FILTER_NAMES.join(', ')})`);
  if (args !== null) throw new Error(`filter "${name}" takes no arguments`);
  return f;
}
