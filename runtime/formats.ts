/**
 * JSDoc `@format` names → regular expressions. StackStorm's parameter schema has no
 * `format` keyword (action_params.json forbids unknown keys), so a format reaches st2,
 * and the runtime's Ajv check, as an equivalent anchored `pattern` that Python's `re`
 * and JavaScript agree on.
 */
const OCTET = '(?:25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])';
const IPV4 = `(?:${OCTET}\\.){3}${OCTET}`;
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

/** Formats a parameter may name, as anchored patterns. */
export const FORMAT_PATTERNS: Record<string, string> = {
  ipv4: `^${IPV4}$`,
  ipv6: `^(?:${IPV6})$`,
  ip: `^(?:${IPV4}|${IPV6})$`,
  'ipv4-cidr': `^${IPV4}/(?:3[0-2]|[12]?[0-9])$`,
  'ipv6-cidr': `^(?:${IPV6})/(?:12[0-8]|1[01][0-9]|[1-9]?[0-9])$`,
  cidr: `^(?:${IPV4}/(?:3[0-2]|[12]?[0-9])|(?:${IPV6})/(?:12[0-8]|1[01][0-9]|[1-9]?[0-9]))$`,
  hostname: '^(?=.{1,253}$)[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?(?:\\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*$',
  asn: '^(?:[1-9][0-9]{0,9})$',
};
