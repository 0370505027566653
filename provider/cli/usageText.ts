/**
 * A command's usage folded to `width` columns for a terminal: a long line is broken between its
 * top-level groups (`[--json]`, `(<a> | <b>)`), continuation lines aligned after
 * `midtrust <command> `; a group longer than a line is broken at its own spaces. Lines already
 * within the width (usages laid out by hand) are left as they are.
 *
 * @example
 * usageText('midtrust ls <keystore> [--storepass-env VAR | --storepass-file F] [--json]', 40);
 * // 'midtrust ls <keystore>\n            [--storepass-env VAR |\n            --storepass-file F] [--json]'
 */
export function usageText(usage: string, width = 80): string {
  return usage
    .split('\n')
    .map((line) => (line.length <= width ? line : foldLine(line, width)))
    .join('\n');
}

function foldLine(line: string, width: number): string {
  const head = /^midtrust [a-z-]+ /.exec(line)?.[0] ?? '';
  const indent = ' '.repeat(head.length > 0 && head.length <= width / 2 ? head.length : 4);
  const out: string[] = [];
  let current = head.trimEnd();
  const place = (word: string): void => {
    if (current.trim().length > 0 && current.length + 1 + word.length > width) {
      out.push(current);
      current = indent + word;
    } else {
      current = current.trim().length === 0 ? current + word : `${current} ${word}`;
    }
  };
  for (const group of topLevelGroups(line.slice(head.length))) {
    if (indent.length + group.length <= width) {
      place(group);
      continue;
    }
    // Longer than any line: start it on a line of its own, then let its words flow.
    if (current.length > indent.length) {
      out.push(current);
      current = indent;
    }
    for (const word of group.split(' ')) place(word);
  }
  out.push(current);
  return out.join('\n');
}

/** Splits at spaces outside brackets and parentheses. */
function topLevelGroups(text: string): string[] {
  const groups: string[] = [];
  let depth = 0;
  let start = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (c === '[' || c === '(') depth++;
    else if ((c === ']' || c === ')') && depth > 0) depth--;
    else if (c === ' ' && depth === 0) {
      if (i > start) groups.push(text.slice(start, i));
      start = i + 1;
    }
  }
  if (start < text.length) groups.push(text.slice(start));
  return groups;
}
