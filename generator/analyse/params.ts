/** Task parameters: a TypeScript interface (types + JSDoc) → ParamModel[] StackStorm can carry. */
import { Node, SyntaxKind, type InterfaceDeclaration, type PropertySignature, type SourceFile, type TypeNode } from 'ts-morph';
import { Codes, type Diagnostic } from '../diagnostics.js';
import type { ParamModel, ScalarType } from '../model.js';
import { diag, locate } from './source.js';
import { FORMAT_PATTERNS, MAX_ASN } from '../../runtime/formats.js';

/**
 * st2 runner parameters of local-shell-script, the names netops adds itself and the flags
 * every `netops <task>` command has: tasks may not reuse them.
 */
export const RESERVED_PARAMS = ['cwd', 'env', 'kwarg_op', 'sudo', 'sudo_password', 'timeout', 'chat_user', 'chat_channel', 'dry_run', 'json', 'user', 'help'];

interface TypeInfo { type: ScalarType | 'array'; enum?: string[]; secret?: boolean; items?: ParamModel['items'] }

const UNSUPPORTED_HINT =
  'StackStorm passes string, integer (type Integer), number, boolean, a union of string literals, Secret, and arrays of those; ' +
  'split objects into separate parameters and write one type per parameter';

/** Analyse the parameter interface of a task file. */
export function analyseParams(sf: SourceFile, iface: InterfaceDeclaration, root: string, diags: Diagnostic[]): ParamModel[] {
  const out: ParamModel[] = [];
  for (const member of iface.getMembers()) {
    if (!Node.isPropertySignature(member)) {
      diags.push(diag(Codes.UnsupportedType, `${iface.getName()} may only hold properties`, UNSUPPORTED_HINT, locate(member, root)));
      continue;
    }
    const p = analyseProperty(sf, member, root, diags);
    if (p) out.push(p);
  }
  return out;
}

function analyseProperty(sf: SourceFile, prop: PropertySignature, root: string, diags: Diagnostic[]): ParamModel | null {
  const nameNode = prop.getNameNode();
  const name = Node.isStringLiteral(nameNode) ? nameNode.getLiteralValue() : nameNode.getText();
  const at = locate(nameNode, root);
  if (!/^\w+$/.test(name)) {
    diags.push(diag(Codes.BadParamName, `parameter name '${name}' is not allowed by StackStorm (must match ^\\w+$)`,
      `rename it with letters, digits and _ only, e.g. '${name.replace(/\W+/g, '_')}'`, at));
    return null;
  }
  if (RESERVED_PARAMS.includes(name)) {
    diags.push(diag(Codes.BadParamName, `parameter name '${name}' is reserved (local-shell-script runner, netops itself, or a flag of every netops <task> command)`,
      `choose another name; reserved: ${RESERVED_PARAMS.join(', ')}`, at));
    return null;
  }
  const typeNode = prop.getTypeNode();
  const info = typeNode ? typeInfo(sf, typeNode) : null;
  if (!info) {
    diags.push(diag(Codes.UnsupportedType, `parameter '${name}' has type '${typeNode?.getText() ?? 'any'}', which StackStorm cannot carry`,
      UNSUPPORTED_HINT, locate(typeNode ?? prop, root)));
    return null;
  }
  const docs = prop.getJsDocs();
  const description = docs.map((d) => d.getDescription().trim()).filter(Boolean).join(' ').replace(/\s+/g, ' ');
  const p: ParamModel = {
    name, type: info.type, required: !prop.hasQuestionToken(), secret: info.secret ?? false, description, at,
    ...(info.enum ? { enum: info.enum } : {}), ...(info.items ? { items: info.items } : {}),
  };
  for (const tag of docs.flatMap((d) => d.getTags())) {
    const tagName = tag.getTagName();
    const text = (tag.getCommentText() ?? '').trim();
    const tagAt = locate(tag, root);
    const num = () => {
      const n = Number(text);
      if (text === '' || !Number.isFinite(n)) {
        diags.push(diag(Codes.BadTag, `@${tagName} needs a number, got '${text}'`, `write e.g. @${tagName} 1`, tagAt));
        return undefined;
      }
      return n;
    };
    switch (tagName) {
      case 'format': {
        const pattern = FORMAT_PATTERNS[text];
        const itemType = p.type === 'array' ? p.items?.type : p.type;
        if (!pattern) diags.push(diag(Codes.BadTag, `unknown @format '${text}'`, `use one of: ${Object.keys(FORMAT_PATTERNS).join(', ')}`, tagAt));
        else if (text === 'asn' && (p.type === 'integer' || p.type === 'number')) {
          // a pattern does not apply to numbers: the range says the same
          p.format = text; p.minimum ??= 1; p.maximum ??= MAX_ASN;
        } else if (itemType !== 'string' || p.enum || p.items?.enum) {
          diags.push(diag(Codes.BadTag, `@format ${text} applies to string parameters; '${name}' is ${p.enum || p.items?.enum ? 'a choice of literals' : itemType}${p.type === 'array' ? ' items' : ''}`,
            text === 'asn' ? 'declare it as Integer (the range 1-4294967295 follows) or string' : 'declare it as string (or string[]), or remove the @format tag', tagAt));
        } else if (p.type === 'array' && p.items) p.items.pattern = pattern;
        else { p.format = text; p.pattern = pattern; }
        break;
      }
      case 'pattern':
        try { new RegExp(text); p.pattern = text; } catch (e) {
          diags.push(diag(Codes.BadTag, `@pattern is not a valid regular expression: ${(e as Error).message}`, 'write a regex that Python and JavaScript both accept', tagAt));
        }
        break;
      case 'minimum': p.minimum = num(); break;
      case 'maximum': p.maximum = num(); break;
      case 'minLength': p.minLength = num(); break;
      case 'maxLength': p.maxLength = num(); break;
      case 'minItems': p.minItems = num(); break;
      case 'maxItems': p.maxItems = num(); break;
      case 'example': p.example = text; break;
      case 'default': {
        let v: unknown;
        try { v = JSON.parse(text); } catch { v = text; }
        if (p.type === 'string' && typeof v !== 'string') v = text;
        p.default = v;
        if (p.type === 'boolean' && v === true) {
          diags.push(diag(Codes.BooleanDefaultTrue, `boolean '${name}' defaults to true, but StackStorm's local-shell-script runner omits false arguments, so it could never be turned off`,
            `invert its meaning so that it defaults to false (e.g. 'no_${name}')`, tagAt));
        }
        break;
      }
      default: break;
    }
  }
  if (p.default !== undefined) p.required = false;
  return p;
}

/** What a TypeScript type node means as a StackStorm parameter type, or null if it cannot be carried. */
function typeInfo(sf: SourceFile, node: TypeNode, depth = 0): TypeInfo | null {
  if (depth > 5) return null;
  switch (node.getKind()) {
    case SyntaxKind.StringKeyword: return { type: 'string' };
    case SyntaxKind.NumberKeyword: return { type: 'number' };
    case SyntaxKind.BooleanKeyword: return { type: 'boolean' };
    default: break;
  }
  if (Node.isParenthesizedTypeNode(node)) return typeInfo(sf, node.getTypeNode(), depth + 1);
  if (Node.isLiteralTypeNode(node)) {
    const lit = node.getLiteral();
    return Node.isStringLiteral(lit) ? { type: 'string', enum: [lit.getLiteralValue()] } : null;
  }
  if (Node.isUnionTypeNode(node)) {
    const values: string[] = [];
    for (const t of node.getTypeNodes()) {
      const i = typeInfo(sf, t, depth + 1);
      if (!i || i.type !== 'string' || !i.enum) return null;
      values.push(...i.enum);
    }
    return { type: 'string', enum: values };
  }
  if (Node.isArrayTypeNode(node)) return arrayOf(sf, node.getElementTypeNode(), depth);
  if (Node.isTypeReference(node)) {
    const name = node.getTypeName().getText();
    const args = node.getTypeArguments();
    if ((name === 'Array' || name === 'ReadonlyArray') && args.length === 1) return arrayOf(sf, args[0]!, depth);
    if (args.length) return null;
    if (name === 'Integer') return { type: 'integer' };
    if (name === 'Secret') return { type: 'string', secret: true };
    const alias = sf.getTypeAlias(name);
    const target = alias?.getTypeNode();
    return target ? typeInfo(sf, target, depth + 1) : null;
  }
  if (Node.isTypeOperatorTypeNode(node) && node.getOperator() === SyntaxKind.ReadonlyKeyword) return typeInfo(sf, node.getTypeNode(), depth + 1);
  return null;
}

function arrayOf(sf: SourceFile, el: TypeNode, depth: number): TypeInfo | null {
  const i = typeInfo(sf, el, depth + 1);
  if (!i || i.type === 'array' || i.secret) return null;
  return { type: 'array', items: { type: i.type, ...(i.enum ? { enum: i.enum } : {}) } };
}
