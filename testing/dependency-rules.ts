// Which top-level folder may import which: the dependency direction, as rules over compiled files named by their
// path under dist/ ("operator/reconciler.js").

export interface ImportEdge {
  from: string;
  to: string;
}

export interface DependencyRule {
  name: string;
  /** The importing files the rule governs. */
  governs: (from: string) => boolean;
  /** Whether a governed file may import `to`. */
  allows: (to: string) => boolean;
}

/** The top-level folder of a dist-relative path. */
export const folderOf = (path: string): string => path.split('/')[0];

/** Product code: what ships, as opposed to tests and their helpers. */
export function isProduct(path: string): boolean {
  return !/\.(?:test|k8s-test|e2e-test)\.js$/.test(path) && !path.split('/').includes('test-support');
}

const inFolder = (...folders: string[]) => (path: string): boolean => folders.includes(folderOf(path));
const outsideFolders = (...folders: string[]) => (path: string): boolean => !folders.includes(folderOf(path));

export const DEPENDENCY_RULES: readonly DependencyRule[] = [
  {
    name: 'operator product imports only operator/, contracts/, crds/',
    governs: (from) => folderOf(from) === 'operator' && isProduct(from),
    allows: inFolder('operator', 'contracts', 'crds'),
  },
  {
    name: 'bench imports nothing from examples/, cli/, operator/',
    governs: inFolder('bench'),
    allows: outsideFolders('examples', 'cli', 'operator'),
  },
  {
    name: 'server product imports only server/, contracts/, crds/',
    governs: (from) => folderOf(from) === 'server' && isProduct(from),
    allows: inFolder('server', 'contracts', 'crds'),
  },
  {
    name: 'server/engine imports nothing from server/protocol.js, server/app.js, server/routes/',
    governs: (from) => from.startsWith('server/engine/'),
    allows: (to) => to !== 'server/protocol.js' && to !== 'server/app.js' && !to.startsWith('server/routes/'),
  },
  {
    name: 'contracts imports only contracts/, crds/',
    governs: inFolder('contracts'),
    allows: inFolder('contracts', 'crds'),
  },
  {
    name: 'crds imports only crds/, contracts/',
    governs: inFolder('crds'),
    allows: inFolder('crds', 'contracts'),
  },
  {
    name: 'nothing outside e2e/ imports from e2e/',
    governs: outsideFolders('e2e'),
    allows: outsideFolders('e2e'),
  },
];

export interface Violation extends ImportEdge {
  rule: string;
}

export function violations(edges: readonly ImportEdge[], rules: readonly DependencyRule[] = DEPENDENCY_RULES): Violation[] {
  const found: Violation[] = [];
  for (const rule of rules) {
    for (const edge of edges) if (rule.governs(edge.from) && !rule.allows(edge.to)) found.push({ ...edge, rule: rule.name });
  }
  return found;
}

export const formatViolation = (v: Violation): string => `${v.from} → ${v.to} (${v.rule})`;

/** How many file-to-file imports go from each folder to each folder, as "from → to: count" lines, sorted. */
export function folderImportCounts(edges: readonly ImportEdge[]): string[] {
  const counts = new Map<string, number>();
  for (const { from, to } of edges) {
    const pair = `${folderOf(from)} → ${folderOf(to)}`;
    counts.set(pair, (counts.get(pair) ?? 0) + 1);
  }
  return [...counts].sort(([a], [b]) => a.localeCompare(b)).map(([pair, count]) => `${pair}: ${count}`);
}
