/** actions/<verb>.ts → TaskModel. */
import { Node, type SourceFile } from 'ts-morph';
import { Codes, type Diagnostic } from '../diagnostics.js';
import type { TaskModel } from '../model.js';
import { analyseParams } from './params.js';
import { defaultCall, diag, locate, NOT_STATIC, prop, snake, staticValue } from './source.js';

/** Analyse one task file; problems go to `diags`. */
export function analyseTask(sf: SourceFile, root: string, diags: Diagnostic[]): TaskModel | null {
  const verb = sf.getBaseNameWithoutExtension();
  if (!/^[a-z][a-z0-9]*(?:-[a-z0-9]+)*$/.test(verb)) {
    diags.push(diag(Codes.BadProject, `task file name '${verb}.ts' must be the kebab-case chat verb`, `rename it, e.g. actions/add-peer.ts`, locate(sf, root, 0, 1)));
    return null;
  }
  const found = defaultCall(sf, 'defineTask', root);
  if ('code' in found) { diags.push(found); return null; }
  const { call, obj } = found;
  const typeArg = call.getTypeArguments()[0];
  const ifaceName = typeArg?.getText();
  const iface = ifaceName ? sf.getInterface(ifaceName) : undefined;
  if (!iface) {
    diags.push(diag(Codes.BadTaskMetadata, `defineTask needs its parameter interface as type argument, declared in this file`,
      'declare `export interface Params { … }` and call defineTask<Params>({ … })', locate(typeArg ?? call, root)));
    return null;
  }
  const params = analyseParams(sf, iface, root, diags);

  const field = <T>(name: string, check: (v: unknown) => v is T, want: string, fallback?: T): T | undefined => {
    const node = prop(obj, name);
    const v = staticValue(node);
    if (v === undefined && fallback !== undefined) return fallback;
    if (v === NOT_STATIC || !check(v)) {
      diags.push(diag(Codes.BadTaskMetadata, `task field '${name}' must be ${want}`, `write ${name}: ${want} as a literal`, locate(node ?? obj, root, 0, node ? undefined : 1)));
      return undefined;
    }
    return v;
  };
  const isString = (v: unknown): v is string => typeof v === 'string' && v.length > 0;
  const isRisk = (v: unknown): v is 'read' | 'change' => v === 'read' || v === 'change';
  const isTimeout = (v: unknown): v is number => typeof v === 'number' && Number.isInteger(v) && v > 0 && v <= 86400;
  const description = field('description', isString, 'a non-empty string');
  const risk = field('risk', isRisk, "'read' or 'change'");
  // A task that only reads the source of truth has no playbook (playbook: null).
  const playbook = field('playbook', (v): v is string | null => v === null || (isString(v) && /^[\w.-]+\.ya?ml$/.test(v)), "a playbook file name like 'add_peer.yml', or null");
  const timeout = field('timeout', isTimeout, 'whole seconds between 1 and 86400');
  const siteParam = field('siteParam', isString, 'a parameter name', 'in');
  if (siteParam && !params.some((p) => p.name === siteParam)) {
    diags.push(diag(Codes.BadTaskMetadata, `the site parameter '${siteParam}' is not a parameter of ${iface.getName()}`,
      `add '${siteParam}: string' to ${iface.getName()} or set siteParam to the parameter that names the site`, locate(prop(obj, 'siteParam') ?? iface.getNameNode(), root)));
  }
  if (description === undefined || risk === undefined || playbook === undefined || timeout === undefined || siteParam === undefined) return null;
  const decl = iface.getNameNode();
  void Node;
  return { verb, name: snake(verb), file: locate(decl, root).file, description, risk, playbook, timeout, siteParam, params, at: locate(call, root, 0, 'defineTask'.length) };
}
