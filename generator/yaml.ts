/** The one YAML serializer of the generator: fixed key order (as given), 2-space indent, no line folding. */
import { stringify } from 'yaml';

/** Serialize a value to YAML deterministically (keys keep insertion order; callers order them). */
export function toYaml(value: unknown): string {
  return stringify(value, {
    indent: 2,
    lineWidth: 0,
    minContentWidth: 0,
    defaultStringType: 'PLAIN',
    defaultKeyType: 'PLAIN',
    singleQuote: false,
    aliasDuplicateObjects: false,
  });
}
