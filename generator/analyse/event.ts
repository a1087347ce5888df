/** bridge/event.ts `DeviceEvent` → the JSON schema of the `netops.device_event` trigger payload. */
import { Node, SyntaxKind, type SourceFile, type TypeNode } from 'ts-morph';
import { Codes, type Diagnostic } from '../diagnostics.js';
import { diag, locate } from './source.js';

type Schema = Record<string, unknown>;

/** Derive the payload schema from the DeviceEvent interface (st2 dialect: per-property `required: true`). */
export function analyseEvent(sf: SourceFile, root: string, diags: Diagnostic[]): Schema | null {
  const iface = sf.getInterface('DeviceEvent');
  if (!iface) {
    diags.push(diag(Codes.BadProject, 'bridge/event.ts must declare interface DeviceEvent', 'restore the DeviceEvent interface', locate(sf, root, 0, 1)));
    return null;
  }
  return interfaceSchema(sf, 'DeviceEvent', diags, root);
}

/** An interface of the same file used as a field type (e.g. LastChange): an object schema of its properties. */
function interfaceSchema(sf: SourceFile, name: string, diags: Diagnostic[], root: string): Schema | null {
  const iface = sf.getInterface(name);
  if (!iface) return null;
  const properties: Record<string, Schema> = {};
  for (const m of iface.getProperties()) {
    const t = m.getTypeNode();
    const s = t ? toSchema(t, sf, diags, root) : null;
    if (!s) {
      diags.push(diag(Codes.UnsupportedType, `${name}.${m.getName()} has a type the trigger payload schema cannot express`, 'use string, number, boolean, string literal unions, Record<string, unknown>, arrays, or | null', locate(t ?? m, root)));
      continue;
    }
    const description = m.getJsDocs().map((d) => d.getDescription().trim()).join(' ').replace(/\s+/g, ' ');
    properties[m.getName()] = { ...s, ...(description ? { description } : {}), ...(m.hasQuestionToken() ? {} : { required: true }) };
  }
  return { type: 'object', properties, additionalProperties: true };
}

function toSchema(node: TypeNode, sf: SourceFile, diags: Diagnostic[], root: string): Schema | null {
  switch (node.getKind()) {
    case SyntaxKind.StringKeyword: return { type: 'string' };
    case SyntaxKind.NumberKeyword: return { type: 'number' };
    case SyntaxKind.BooleanKeyword: return { type: 'boolean' };
    case SyntaxKind.UnknownKeyword: return {};
    default: break;
  }
  if (Node.isLiteralTypeNode(node)) {
    const lit = node.getLiteral();
    if (lit.getKind() === SyntaxKind.NullKeyword) return { type: 'null' };
    if (Node.isStringLiteral(lit)) return { type: 'string', enum: [lit.getLiteralValue()] };
    return null;
  }
  if (Node.isUnionTypeNode(node)) {
    const parts = node.getTypeNodes().map((n) => toSchema(n, sf, diags, root));
    if (parts.some((p) => !p)) return null;
    // An interface or null: its schema, with null allowed.
    const objects = parts.filter((p) => p!.properties);
    if (objects.length === 1 && parts.length === 2 && parts.some((p) => p!.type === 'null')) return { ...objects[0], type: ['object', 'null'] };
    const types = [...new Set(parts.map((p) => p!.type as string))];
    const enums = parts.every((p) => p!.enum || p!.type === 'null') && parts.some((p) => p!.enum)
      ? parts.flatMap((p) => (p!.enum as string[] | undefined) ?? (p!.type === 'null' ? [null] : [])) : undefined;
    return { type: types.length === 1 ? types[0] : types, ...(enums ? { enum: enums } : {}) };
  }
  if (Node.isArrayTypeNode(node)) {
    const items = toSchema(node.getElementTypeNode(), sf, diags, root);
    return items ? { type: 'array', items } : null;
  }
  if (Node.isTypeReference(node) && node.getTypeName().getText() === 'Record') return { type: 'object' };
  if (Node.isTypeReference(node)) return interfaceSchema(sf, node.getTypeName().getText(), diags, root);
  if (Node.isTypeLiteral(node)) return { type: 'object' };
  return null;
}
