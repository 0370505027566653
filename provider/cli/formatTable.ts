import { printable } from '../terminalText';

export { printable, terminalText } from '../terminalText';

/**
 * How a column gives way when a table is wider than the terminal: `id` holds what a user copies
 * (aliases, host names, fingerprints) and is cut only when cutting text is not enough; `cut` is
 * free text shortened with "…"; `wrap` is free text whose words flow onto more lines (findings
 * and errors, whose end — the fix, the cause — matters). A plain string header never shrinks.
 */
export interface TableColumn {
  readonly header: string;
  readonly fit: 'id' | 'cut' | 'wrap';
}

/** Where a table is printed: `width` is the terminal's, or undefined for a pipe or file (full text). */
export interface TableOptions {
  readonly width?: number;
}

/** A shrinkable column keeps at least this much (or its header, if longer) so it stays readable. */
const MIN_WIDTH = 8;
/** Narrower than this, wrapped text is a word a line: it goes below its row instead. */
const MIN_WRAP_WIDTH = 30;
const GAP = 2;
/** Text under its row starts below the second column when that is this close to the left, else at BELOW_INDENT. */
const MAX_BELOW_INDENT = 12;
const BELOW_INDENT = 4;

type Fit = TableColumn['fit'] | 'fixed';
interface Column {
  readonly header: string;
  readonly fit: Fit;
}

/**
 * The width to fit tables to: the terminal's columns when stdout is one, else undefined (full
 * text for pipes and files). Asked only when a table is printed: finding out loads node's tty.
 */
export function terminalWidth(io: { readonly isTty: boolean; readonly columns: number }): number | undefined {
  return io.isTty ? io.columns : undefined;
}

/**
 * A plain left-aligned text table (no colours, so it pipes cleanly). Every cell goes through
 * {@link printable}: tables show text that comes from certificates and keystores. Given a
 * `width`, the table is fitted to it: `cut` and `wrap` columns shrink first (widest first), then
 * `id` columns (cut in the middle, keeping both ends); each keeps its header readable. A last
 * `wrap` column that would be too narrow, or would cost an identifier its end, is printed under
 * its row instead, across the width. When an identifier had to be cut, a last line says so, so
 * nobody copies a shortened alias.
 *
 * @example
 * formatTable(['ALIAS', 'KIND'], [['acme-root', 'trusted']]);
 * formatTable([{ header: 'ALIAS', fit: 'id' }, { header: 'SUBJECT', fit: 'cut' }], rows, { width: 80 });
 */
export function formatTable(columns: ReadonlyArray<string | TableColumn>, rows: string[][], opts: TableOptions = {}): string {
  const cols: Column[] = columns.map((c) => (typeof c === 'string' ? { header: c, fit: 'fixed' } : c));
  const safe = rows.map((r) => cols.map((_, i) => printable(r[i] ?? '')));
  const natural = cols.map((c, i) => Math.max(c.header.length, ...safe.map((r) => length(r[i]))));
  if (opts.width === undefined) return render(cols, safe, natural);
  const widths = fitWidths(cols, natural, opts.width);
  const last = cols.length - 1;
  const squeezed = cols[last].fit === 'wrap' && cols.length > 1 && (widths[last] < Math.min(natural[last], MIN_WRAP_WIDTH) || cols.some((c, i) => c.fit === 'id' && widths[i] < natural[i]));
  if (!squeezed) return render(cols, safe, widths, opts.width);
  const inRow = cols.slice(0, last);
  const rowWidths = fitWidths(inRow, natural.slice(0, last), opts.width);
  // Under the second column when the first is short (SEVERITY), else a small fixed indent.
  const indent = rowWidths[0] + GAP <= MAX_BELOW_INDENT ? rowWidths[0] + GAP : BELOW_INDENT;
  return render(inRow, safe, rowWidths, opts.width, { header: cols[last].header, indent, width: Math.max(opts.width - indent, MIN_WRAP_WIDTH) });
}

/** The table's lines; `below` puts the last cell of each row under it, wrapped and indented. */
function render(cols: Column[], rows: string[][], widths: number[], fittedTo?: number, below?: { header: string; indent: number; width: number }): string {
  const line = (cells: string[]): string =>
    cells
      .map((c, i) => (i === cells.length - 1 ? c : c + ' '.repeat(widths[i] - length(c))))
      .join(' '.repeat(GAP))
      .trimEnd();
  const pad = ' '.repeat(below?.indent ?? 0);
  const out = [line(cols.map((c) => c.header))];
  if (below) out.push(pad + below.header);
  let idCut = false;
  for (const row of rows) {
    const cells = cols.map((col, i) => {
      const text = row[i];
      if (length(text) <= widths[i]) return [text];
      if (col.fit === 'wrap') return wrap(text, widths[i]);
      if (col.fit !== 'id') return [cut(text, widths[i])];
      idCut = true;
      return [cutMiddle(text, widths[i])];
    });
    const height = Math.max(...cells.map((c) => c.length));
    for (let k = 0; k < height; k++) out.push(line(cells.map((c) => c[k] ?? '')));
    if (below && row[cols.length]) out.push(...wrap(row[cols.length], below.width).map((l) => pad + l));
  }
  if (idCut) out.push(`(… marks names cut to fit ${fittedTo} columns; --json shows them whole)`);
  return `${out.join('\n')}\n`;
}

/** Column widths that fit `width`: text columns give way first, identifiers only after them. */
function fitWidths(cols: readonly Column[], natural: number[], width: number): number[] {
  const widths = [...natural];
  const total = (): number => widths.reduce((a, b) => a + b, 0) + GAP * (widths.length - 1);
  const floor = cols.map((c, i) => Math.max(c.header.length, c.fit === 'wrap' ? Math.min(natural[i], MIN_WRAP_WIDTH) : MIN_WIDTH));
  for (const kinds of [['cut', 'wrap'], ['id']]) {
    while (total() > width) {
      let widest = -1;
      for (let i = 0; i < cols.length; i++) {
        if (kinds.includes(cols[i].fit) && widths[i] > floor[i] && (widest < 0 || widths[i] > widths[widest])) widest = i;
      }
      if (widest < 0) break;
      const next = Math.max(0, ...widths.filter((_, i) => i !== widest && kinds.includes(cols[i].fit)));
      widths[widest] -= Math.min(total() - width, widths[widest] - floor[widest], Math.max(1, widths[widest] - next));
    }
  }
  return widths;
}

/** Length in code points (what the padding counts; wide characters count as one). */
function length(text: string): number {
  return [...text].length;
}

/** The first `width` characters of `text`, the last replaced by "…". */
function cut(text: string, width: number): string {
  return `${[...text].slice(0, width - 1).join('')}…`;
}

/**
 * `text` shortened to `width` by replacing its middle with "…": both ends of an identifier stay,
 * and they are what tells `amazon_root_ca_1.pem` from `amazon_root_ca_2.pem`.
 */
function cutMiddle(text: string, width: number): string {
  const chars = [...text];
  const head = Math.ceil((width - 1) / 2);
  return `${chars.slice(0, head).join('')}…${chars.slice(chars.length - (width - 1 - head)).join('')}`;
}

/** `text` as lines of at most `width` characters, broken between words (inside a word only when it alone is too long). */
function wrap(text: string, width: number): string[] {
  const lines: string[] = [];
  let current = '';
  for (const word of text.split(' ')) {
    let rest = word;
    while (length(rest) > width) {
      if (current) lines.push(current);
      current = '';
      lines.push([...rest].slice(0, width).join(''));
      rest = [...rest].slice(width).join('');
    }
    if (!current) current = rest;
    else if (length(current) + 1 + length(rest) <= width) current += ` ${rest}`;
    else {
      lines.push(current);
      current = rest;
    }
  }
  if (current || lines.length === 0) lines.push(current);
  return lines;
}
