/** aliases/<verb>.ts → AliasModel (checked against its task later, in check/aliases.ts). */
import { Node, type SourceFile } from 'ts-morph';
import { Codes, type Diagnostic } from '../diagnostics.js';
import type { AliasModel, FormatModel } from '../model.js';
import { defaultCall, diag, locate, NOT_STATIC, prop, snake, staticValue } from './source.js';

/** Analyse one alias file; problems go to `diags`. */
export function analyseAlias(sf: SourceFile, root: string, diags: Diagnostic[]): AliasModel | null {
  const verb = sf.getBaseNameWithoutExtension();
  const found = defaultCall(sf, 'defineAlias', root);
  if ('code' in found) { diags.push(found); return null; }
  const { call, obj } = found;
  const bad = (node: Node | undefined, what: string) =>
    diags.push(diag(Codes.BadAlias, `alias field ${what}`, 'write it as a literal value', locate(node ?? obj, root, 0, node ? undefined : 1)));

  const description = staticValue(prop(obj, 'description'));
  if (typeof description !== 'string' || !description) bad(prop(obj, 'description'), "'description' must be a non-empty string");
  const formatsNode = prop(obj, 'formats');
  const formats: FormatModel[] = [];
  if (!formatsNode || !Node.isArrayLiteralExpression(formatsNode) || formatsNode.getElements().length === 0) {
    bad(formatsNode, "'formats' must be a non-empty array");
  } else {
    for (const el of formatsNode.getElements()) {
      if (Node.isStringLiteral(el) || Node.isNoSubstitutionTemplateLiteral(el)) {
        formats.push({ text: el.getLiteralValue(), keys: [], at: locate(el, root) });
        continue;
      }
      if (Node.isObjectLiteralExpression(el)) {
        const textNode = prop(el, 'text');
        const keys = staticValue(prop(el, 'keys')) ?? [];
        if (!textNode || !(Node.isStringLiteral(textNode) || Node.isNoSubstitutionTemplateLiteral(textNode))) { bad(textNode ?? el, "'text' of a format must be a string literal"); continue; }
        if (keys === NOT_STATIC || !Array.isArray(keys) || !keys.every((k) => typeof k === 'string')) { bad(prop(el, 'keys'), "'keys' must be an array of parameter names"); continue; }
        formats.push({ text: textNode.getLiteralValue(), keys: keys as string[], at: locate(textNode, root) });
        continue;
      }
      bad(el, 'formats entries must be strings or { text, keys }');
    }
  }
  const opt = (name: string): string | undefined => {
    const v = staticValue(prop(obj, name));
    if (v === undefined) return undefined;
    if (typeof v !== 'string') { bad(prop(obj, name), `'${name}' must be a string`); return undefined; }
    return v;
  };
  const ack = opt('ack');
  const area = opt('area');
  const result = opt('result');
  const thread = staticValue(prop(obj, 'threadResponse'));
  if (typeof description !== 'string' || !description) return null;
  return {
    verb, name: snake(verb), file: locate(call, root).file, description, area: area ?? 'Other', formats,
    ...(ack !== undefined ? { ack } : {}), ...(result !== undefined ? { result } : {}),
    threadResponse: thread === true, at: locate(call, root, 0, 'defineAlias'.length),
  };
}
