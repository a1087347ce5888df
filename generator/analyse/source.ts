/** Small helpers over ts-morph nodes shared by the analysers: locations, literals, JSDoc. */
import { Node, SyntaxKind, type CallExpression, type ObjectLiteralExpression, type SourceFile } from 'ts-morph';
import { Codes, type Code, type Diagnostic, type Location } from '../diagnostics.js';

/** Location of a node (or of `offset` characters into it, `length` long), relative to the project root. */
export function locate(node: Node, root: string, offset = 0, length?: number): Location {
  const sf = node.getSourceFile();
  const pos = node.getStart() + offset;
  const { line, column } = sf.getLineAndColumnAtPos(pos);
  const text = sf.getFullText().split('\n')[line - 1] ?? '';
  const file = relative(sf.getFilePath(), root);
  return { file, line, col: column, length: length ?? Math.max(1, node.getEnd() - pos), text: text.replace(/\r$/, '') };
}

function relative(path: string, root: string): string {
  return path.startsWith(root + '/') ? path.slice(root.length + 1) : path;
}

/** Build a diagnostic at a node. */
export function diag(code: Code, message: string, hint: string, at: Location): Diagnostic {
  return { code, message, hint, at };
}

/** The `export default defineX<T>({...})` call of a file, or a diagnostic. */
export function defaultCall(sf: SourceFile, fn: string, root: string): { call: CallExpression; obj: ObjectLiteralExpression } | Diagnostic {
  const exp = sf.getExportAssignment((e) => !e.isExportEquals());
  const expr = exp?.getExpression();
  if (!expr || !Node.isCallExpression(expr) || expr.getExpression().getText() !== fn) {
    return diag(Codes.BadTaskMetadata, `${relative(sf.getFilePath(), root)} has no \`export default ${fn}(…)\``,
      `end the file with: export default ${fn}<Params>({ … });`, locate(exp ?? sf, root, 0, 1));
  }
  const obj = expr.getArguments()[0];
  if (!obj || !Node.isObjectLiteralExpression(obj)) {
    return diag(Codes.BadTaskMetadata, `${fn} needs an object literal`, `write ${fn}<Params>({ description: '…', … })`, locate(expr, root));
  }
  return { call: expr, obj };
}

/** A static value of a property in an object literal: string, number, boolean, array or object of those. */
export function staticValue(node: Node | undefined): unknown {
  if (!node) return undefined;
  if (Node.isStringLiteral(node) || Node.isNoSubstitutionTemplateLiteral(node)) return node.getLiteralValue();
  if (Node.isNumericLiteral(node)) return node.getLiteralValue();
  if (node.getKind() === SyntaxKind.TrueKeyword) return true;
  if (node.getKind() === SyntaxKind.FalseKeyword) return false;
  if (node.getKind() === SyntaxKind.NullKeyword) return null;
  if (Node.isPrefixUnaryExpression(node) && node.getOperatorToken() === SyntaxKind.MinusToken) {
    const v = staticValue(node.getOperand());
    return typeof v === 'number' ? -v : NOT_STATIC;
  }
  if (Node.isArrayLiteralExpression(node)) return node.getElements().map(staticValue);
  if (Node.isObjectLiteralExpression(node)) {
    const out: Record<string, unknown> = {};
    for (const p of node.getProperties()) {
      if (!Node.isPropertyAssignment(p)) return NOT_STATIC;
      out[propName(p.getNameNode())] = staticValue(p.getInitializer());
    }
    return out;
  }
  if (Node.isAsExpression(node) || Node.isSatisfiesExpression(node) || Node.isParenthesizedExpression(node)) return staticValue(node.getExpression());
  return NOT_STATIC;
}

/** Marker for a value that is not a literal the generator can read. */
export const NOT_STATIC = Symbol('not static');

/** Name of a property name node (identifier or string literal). */
export function propName(n: Node): string {
  if (Node.isStringLiteral(n) || Node.isNoSubstitutionTemplateLiteral(n)) return n.getLiteralValue();
  return n.getText();
}

/** The initializer node of property `name` in an object literal. */
export function prop(obj: ObjectLiteralExpression, name: string): Node | undefined {
  for (const p of obj.getProperties()) {
    if ((Node.isPropertyAssignment(p) || Node.isMethodDeclaration(p) || Node.isShorthandPropertyAssignment(p)) && propName(p.getNameNode()) === name) {
      return Node.isPropertyAssignment(p) ? unwrap(p.getInitializer()) : p;
    }
  }
  return undefined;
}

/** kebab-case file stem → st2 snake_case name. */
export function snake(verb: string): string {
  return verb.replace(/-/g, '_');
}

/** The expression inside `x as T`, `x satisfies T` and parentheses. */
export function unwrap(node: Node | undefined): Node | undefined {
  let n = node;
  while (n && (Node.isAsExpression(n) || Node.isSatisfiesExpression(n) || Node.isParenthesizedExpression(n))) n = n.getExpression();
  return n;
}
