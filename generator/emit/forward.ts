/**
 * The bridge's forward set, pack/bridge/forward.json: every enabled rule's criteria on
 * `netops.device_event`, so the bridge posts only events some rule can match (plus its
 * configured minimum level) and counts the rest instead of flooding StackStorm with them.
 */
import type { RuleModel } from '../model.js';
import type { EmittedFile } from './types.js';

/** The forward set for these rules (deterministic: rules sorted by name, criteria in source order). */
export function emitForwardSet(rules: RuleModel[]): EmittedFile {
  const doc = {
    trigger: 'netops.device_event',
    rules: [...rules]
      .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))
      .map((r) => ({ name: r.name, source: r.file, criteria: r.criteria.map((c) => ({ field: c.field, op: c.op, pattern: c.pattern })) })),
  };
  return { path: 'bridge/forward.json', content: `${JSON.stringify(doc, null, 2)}\n` };
}
