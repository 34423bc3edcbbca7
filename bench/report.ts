/** `259`, `10k`, `2.5k`, `1M` -> a whole number. */
export function parseSize(text: string): number {
  const match = /^(\d+(?:\.\d+)?)([kKmM]?)$/.exec(text.trim());
  if (!match) throw new Error(`not a size: "${text}" (examples: 259, 10k, 1M)`);
  const scale = match[2] === '' ? 1 : match[2]!.toLowerCase() === 'k' ? 1_000 : 1_000_000;
  const value = Math.round(Number(match[1]) * scale);
  if (value < 1) throw new Error(`not a size: "${text}"`);
  return value;
}

export function parseSizes(list: string): number[] {
  const sizes = [...new Set(list.split(',').filter((s) => s.trim()).map(parseSize))];
  if (sizes.length === 0) throw new Error('no sizes given');
  return sizes.sort((a, b) => a - b);
}

/** 259, 10k, 1M: the inverse of parseSize where exact. */
export function formatSize(n: number): string {
  if (n >= 1_000_000 && n % 100_000 === 0) return `${n / 1_000_000}M`;
  if (n >= 1_000 && n % 100 === 0) return `${n / 1_000}k`;
  return String(n);
}

export function formatCount(n: number): string {
  if (!Number.isFinite(n)) return '-';
  return Math.round(n).toLocaleString('en-US');
}

export function median(values: number[]): number {
  const sorted = values.filter((v) => !Number.isNaN(v)).sort((a, b) => a - b);
  if (sorted.length === 0) return NaN;
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

/** A plain-text table; columns listed in `left` are left-aligned, the others right-aligned. */
export function renderTable(rows: string[][], left: number[]): string {
  const widths: number[] = [];
  for (const row of rows) row.forEach((cell, i) => (widths[i] = Math.max(widths[i] ?? 0, cell.length)));
  const line = (row: string[]) =>
    row
      .map((cell, i) => (left.includes(i) ? cell.padEnd(widths[i]!) : cell.padStart(widths[i]!)))
      .join('  ')
      .trimEnd();
  const rule = widths.map((w) => '-'.repeat(w)).join('  ');
  return [line(rows[0]!), rule, ...rows.slice(1).map(line)].join('\n');
}
