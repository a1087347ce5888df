/**
 * StackStorm's JSON schemas (../shared/st2-schemas) made usable by Ajv: st2's dialect puts
 * `required: true` inside each property (draft-03 style); here it becomes the parent's
 * `required: [...]` array, embedded sub-schemas with their own `id` are registered
 * separately, and optional properties also accept null (st2's allow_default_none).
 */
import AjvDraft04Module from 'ajv-draft-04';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const AjvDraft04 = AjvDraft04Module as unknown as typeof AjvDraft04Module.default;

/** The repository root (dist/test/support → ../../..). */
export const REPO = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');

/** Where ../shared is: $NETOPS_SHARED, the checkout's sibling, or /work/shared. */
export function sharedDir(): string {
  for (const d of [process.env.NETOPS_SHARED, join(REPO, '..', 'shared'), '/work/shared']) if (d && existsSync(join(d, 'st2-schemas'))) return d;
  throw new Error('cannot find the shared folder with st2-schemas; set NETOPS_SHARED');
}

type Json = Record<string, unknown>;

function convert(schema: unknown, extracted: Map<string, Json>, counter: { n: number }, top = false): unknown {
  if (Array.isArray(schema)) return schema.map((s) => convert(s, extracted, counter));
  if (!schema || typeof schema !== 'object') return schema;
  const s = { ...(schema as Json) };
  if (!top && typeof s.id === 'string') {
    const id = `st2:embedded-${counter.n++}`;
    delete s.id;
    delete s.$schema;
    extracted.set(id, { ...(convert(s, extracted, counter, true) as Json), id });
    return { $ref: id };
  }
  if (top) { delete s.$schema; }
  const out: Json = {};
  for (const [k, v] of Object.entries(s)) {
    if (k === 'properties' && v && typeof v === 'object' && !Array.isArray(v)) {
      const props: Json = {};
      const req: string[] = [];
      for (const [pk, pv] of Object.entries(v as Json)) {
        if (pv && typeof pv === 'object' && (pv as Json).required === true) req.push(pk);
        props[pk] = convert(pv, extracted, counter);
      }
      out.properties = props;
      if (req.length) out.required = [...new Set([...(Array.isArray(s.required) ? (s.required as string[]) : []), ...req])];
      continue;
    }
    if (k === 'required' && typeof v === 'boolean') continue;
    out[k] = convert(v, extracted, counter);
  }
  return out;
}

/** A validator for one pack file kind: action, alias, rule, pack, policy, trigger_type, config_schema. */
export function st2Validator(kind: 'action' | 'alias' | 'rule' | 'pack' | 'policy' | 'trigger_type' | 'config_schema') {
  const dir = join(sharedDir(), 'st2-schemas');
  const file = kind === 'trigger_type' || kind === 'config_schema' ? join(dir, 'generated', `${kind}.json`) : join(dir, `${kind}.json`);
  const raw = JSON.parse(readFileSync(file, 'utf8')) as Json;
  const extracted = new Map<string, Json>();
  const main = convert(raw, extracted, { n: 0 }, true) as Json;
  const ajv = new AjvDraft04({ allErrors: true, strict: false, validateFormats: false });
  for (const [, s] of extracted) ajv.addSchema(s);
  const validate = ajv.compile(main);
  return (doc: unknown): string[] => (validate(doc) ? [] : (validate.errors ?? []).map((e) => `${e.instancePath || '/'} ${e.message ?? ''} ${JSON.stringify(e.params)}`));
}
