/** rules/<name>.ts → RuleModel, criteria checked against the event payload schema and st2's operators. */
import { Node, type SourceFile } from 'ts-morph';
import { Codes, type Diagnostic } from '../diagnostics.js';
import type { CriterionModel, RuleModel } from '../model.js';
import { defaultCall, diag, locate, NOT_STATIC, prop, propName, snake, staticValue } from './source.js';

/** st2common/operators.py, the operators a criterion may use. */
export const ST2_OPERATORS = ['equals', 'nequals', 'iequals', 'contains', 'icontains', 'ncontains', 'incontains', 'startswith', 'istartswith',
  'endswith', 'iendswith', 'lessthan', 'greaterthan', 'matchwildcard', 'regex', 'iregex', 'timediff_lt', 'timediff_gt', 'exists', 'nexists',
  'inside', 'ninside', 'search'];

/** Analyse one rule file against the event fields. */
export function analyseRule(sf: SourceFile, root: string, eventFields: Set<string> | null, diags: Diagnostic[]): RuleModel | null {
  const found = defaultCall(sf, 'defineRule', root);
  if ('code' in found) { diags.push(found); return null; }
  const { call, obj } = found;
  const description = staticValue(prop(obj, 'description'));
  const post = staticValue(prop(obj, 'post'));
  const whenNode = prop(obj, 'when');
  let ok = true;
  if (typeof description !== 'string' || !description) { ok = false; diags.push(diag(Codes.BadRule, "rule 'description' must be a non-empty string", 'write description: \'…\'', locate(prop(obj, 'description') ?? obj, root))); }
  if (typeof post !== 'string' || !post) { ok = false; diags.push(diag(Codes.BadRule, "rule 'post' must be a non-empty string", "write post: '{{ trigger.summary }}'", locate(prop(obj, 'post') ?? obj, root))); }
  const criteria: CriterionModel[] = [];
  if (!whenNode || !Node.isObjectLiteralExpression(whenNode)) {
    ok = false;
    diags.push(diag(Codes.BadRule, "rule 'when' must be an object literal of criteria", "write when: { error: ['equals', 'BGP_NEIGHBOR_STATE_CHANGED'] }", locate(whenNode ?? obj, root)));
  } else {
    for (const p of whenNode.getProperties()) {
      if (!Node.isPropertyAssignment(p)) { ok = false; continue; }
      const field = propName(p.getNameNode());
      const v = staticValue(p.getInitializer());
      if (eventFields && !eventFields.has(field.split('.')[0]!)) {
        ok = false;
        diags.push(diag(Codes.UnknownEventField, `'${field}' is not a field of the device event`, `use one of: ${[...eventFields].join(', ')}`, locate(p.getNameNode(), root)));
        continue;
      }
      if (v === NOT_STATIC || !Array.isArray(v) || v.length !== 2 || typeof v[0] !== 'string') {
        ok = false;
        diags.push(diag(Codes.BadRule, `criterion '${field}' must be [operator, pattern]`, "write e.g. ['equals', 'INTERFACE_DOWN']", locate(p, root)));
        continue;
      }
      if (!ST2_OPERATORS.includes(v[0])) {
        ok = false;
        diags.push(diag(Codes.BadRule, `'${v[0]}' is not a StackStorm criteria operator`, `use one of: ${ST2_OPERATORS.join(', ')}`, locate(p.getInitializer()!, root)));
        continue;
      }
      if ((v[0] === 'regex' || v[0] === 'iregex' || v[0] === 'search') && typeof v[1] === 'string') {
        try { new RegExp(v[1]); } catch (e) {
          ok = false;
          diags.push(diag(Codes.BadRule, `invalid regex for '${field}': ${(e as Error).message}`, 'StackStorm accepts it and fails at match time; fix the pattern', locate(p.getInitializer()!, root)));
          continue;
        }
      }
      criteria.push({ field, op: v[0], pattern: v[1] as CriterionModel['pattern'] });
    }
  }
  if (!ok) return null;
  return { name: snake(sf.getBaseNameWithoutExtension()), file: locate(call, root).file, description: description as string, criteria, message: post as string, at: locate(call, root) };
}
