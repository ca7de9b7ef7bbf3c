/** A plain-text table: the first `leftAligned` columns (labels, text) left-aligned, the others right-aligned (numbers). */
export function formatTable(header: string[], rows: string[][], leftAligned = 1): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: string[]) => cells.map((c, i) => (i < leftAligned ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join('  ').trimEnd();
  return [line(header), line(widths.map((w) => '-'.repeat(w))), ...rows.map(line)].join('\n');
}

/** A number with fixed decimals, or '-' when there is none. */
export function fixed(x: number | null | undefined, digits = 1): string {
  return x === null || x === undefined || Number.isNaN(x) ? '-' : x.toFixed(digits);
}
