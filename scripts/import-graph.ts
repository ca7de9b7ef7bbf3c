// Which project files a compiled program loads, found by parsing the emitted JavaScript.
// The TypeScript parser (already needed to build dist/) is used rather than a regex so that import-like text in
// comments, strings and template literals is never mistaken for an import.
import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import ts from 'typescript';

const SCANNED_EXTENSIONS = /\.(?:js|mjs|cjs)$/;

/**
 * The absolute paths of the project files `jsFile` loads: static imports and re-exports, side-effect imports,
 * `import('./x.js')` with a string literal, and `new URL('./x.js', import.meta.url)` (worker and child-process
 * entry points). Bare specifiers (node:, packages) are left out; they are not project files.
 */
export function compiledImports(jsFile: string): string[] {
  const source = ts.createSourceFile(jsFile, readFileSync(jsFile, 'utf8'), ts.ScriptTarget.Latest, false, ts.ScriptKind.JS);
  const specifiers: string[] = [];
  const visit = (node: ts.Node): void => {
    const specifier = staticSpecifier(node) ?? dynamicImportSpecifier(node) ?? moduleUrlSpecifier(node);
    if (specifier !== undefined) specifiers.push(specifier);
    ts.forEachChild(node, visit);
  };
  visit(source);
  const files = specifiers.filter(isRelative).map((specifier) => resolve(dirname(jsFile), specifier));
  return [...new Set(files)];
}

/** Every file reachable from `entries` (the entries included), following `compiledImports`. */
export function importClosure(entries: string[]): Set<string> {
  const reached = new Set<string>();
  const pending = entries.map((entry) => resolve(entry));
  while (pending.length > 0) {
    const file = pending.pop()!;
    if (reached.has(file)) continue;
    reached.add(file);
    // JSON and other data files are reached but have no imports of their own.
    if (SCANNED_EXTENSIONS.test(file)) pending.push(...compiledImports(file));
  }
  return reached;
}

function staticSpecifier(node: ts.Node): string | undefined {
  if ((ts.isImportDeclaration(node) || ts.isExportDeclaration(node)) && node.moduleSpecifier && ts.isStringLiteral(node.moduleSpecifier)) {
    return node.moduleSpecifier.text;
  }
  return undefined;
}

function dynamicImportSpecifier(node: ts.Node): string | undefined {
  if (ts.isCallExpression(node) && node.expression.kind === ts.SyntaxKind.ImportKeyword) {
    const [first] = node.arguments;
    if (first && ts.isStringLiteralLike(first)) return first.text;
  }
  return undefined;
}

/** `new URL('./x.js', import.meta.url)`: a module file located relative to this one (directories and data are not modules). */
function moduleUrlSpecifier(node: ts.Node): string | undefined {
  if (!ts.isNewExpression(node) || !ts.isIdentifier(node.expression) || node.expression.text !== 'URL') return undefined;
  const [first, base] = node.arguments ?? [];
  if (!first || !ts.isStringLiteralLike(first) || !base || !isImportMetaUrl(base)) return undefined;
  return SCANNED_EXTENSIONS.test(first.text) ? first.text : undefined;
}

function isImportMetaUrl(node: ts.Node): boolean {
  return ts.isPropertyAccessExpression(node) && node.name.text === 'url' && ts.isMetaProperty(node.expression)
    && node.expression.keywordToken === ts.SyntaxKind.ImportKeyword;
}

function isRelative(specifier: string): boolean {
  return specifier.startsWith('./') || specifier.startsWith('../');
}
