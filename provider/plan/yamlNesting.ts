import { MidtrustError } from '../errors';

/**
 * The deepest nesting midtrust reads in a YAML input (desired-state file, inventory). Real files
 * need 4 or 5 levels; the yaml package recurses once per level and runs out of stack somewhere
 * between 800 and 2,000, which a file of a few KiB reaches (`[[[[…` or `- - - -…`).
 */
export const MAX_YAML_DEPTH = 64;

/**
 * The line where `text` nests deeper than {@link MAX_YAML_DEPTH}, or undefined. One linear pass
 * before the parser runs, counting an upper bound of the nesting: block levels (indentation, and
 * the compact `- - x` form, one level per indicator) plus open flow collections (`[`, `{`, outside
 * quotes and comments). Block scalars (`|`, `>`) are skipped: their lines are text.
 *
 * @example
 * yamlTooDeepAt('a: ' + '['.repeat(20000)); // 1
 */
export function yamlTooDeepAt(text: string): number | undefined {
  const indents: number[] = [];
  let flow = 0;
  let quote: '"' | "'" | undefined;
  let blockScalarIndent: number | undefined;
  const lines = text.split('\n');
  for (let n = 0; n < lines.length; n++) {
    const line = lines[n];
    const indent = line.length - line.trimStart().length;
    const body = line.slice(indent);
    if (blockScalarIndent !== undefined) {
      if (body === '' || indent > blockScalarIndent) continue;
      blockScalarIndent = undefined;
    }
    if (flow === 0 && quote === undefined) {
      if (body === '' || body.startsWith('#')) continue;
      while (indents.length > 0 && indents[indents.length - 1] >= indent) indents.pop();
      indents.push(indent);
    }
    let compact = 0;
    let atNodeStart = flow === 0 && quote === undefined;
    for (let i = 0; i < body.length; i++) {
      const c = body[i];
      if (quote !== undefined) {
        if (c === '\\' && quote === '"') i++;
        else if (c === quote) quote = undefined;
        continue;
      }
      if (c === '#' && (i === 0 || body[i - 1] === ' ' || body[i - 1] === '\t')) break;
      if (c === ' ' || c === '\t') continue;
      const next = body[i + 1];
      const indicator = next === undefined || next === ' ' || next === '\t';
      if (flow === 0 && atNodeStart && (c === '-' || c === '?') && indicator) {
        compact++;
        continue;
      }
      if (c === '"' || c === "'") {
        if (flow > 0 || atNodeStart) quote = c;
        atNodeStart = false;
        continue;
      }
      if ((c === '[' || c === '{') && (flow > 0 || atNodeStart)) {
        if (indents.length + compact + ++flow > MAX_YAML_DEPTH) return n + 1;
      } else if ((c === ']' || c === '}') && flow > 0) flow--;
      else if (flow === 0 && c === ':' && indicator) {
        atNodeStart = true;
        continue;
      } else if (flow === 0 && (c === '|' || c === '>') && atNodeStart) {
        blockScalarIndent = indent;
        break;
      }
      atNodeStart = flow > 0;
    }
    if (indents.length + compact + flow > MAX_YAML_DEPTH) return n + 1;
  }
  return undefined;
}

/**
 * Throws INVALID_INPUT when `text` nests deeper than {@link MAX_YAML_DEPTH} (see
 * {@link yamlTooDeepAt}); `what` names the input ("the desired-state file").
 *
 * @example
 * assertYamlNesting(text, '/etc/midtrust/desired.yaml', 'the desired-state file');
 */
export function assertYamlNesting(text: string, fileName: string, what: string): void {
  const line = yamlTooDeepAt(text);
  if (line !== undefined) throw yamlTooDeep(fileName, what, line);
}

/**
 * The error for a YAML input nested too deeply (also for the parser's own stack overflow, should
 * a form the scan does not count reach it).
 *
 * @example
 * throw yamlTooDeep('hosts.yaml', 'the inventory', 3);
 */
export function yamlTooDeep(fileName: string, what: string, line?: number): MidtrustError {
  return new MidtrustError(
    'INVALID_INPUT',
    `${fileName}${line === undefined ? '' : `:${line}`}: ${what} is nested too deeply (more than ${MAX_YAML_DEPTH} levels of lists and maps); ` +
      `a real one needs a handful — check that this is the right file`,
  );
}

/** True for the error a parser raises when nesting exhausts the stack. */
export function isStackOverflow(e: unknown): boolean {
  return e instanceof RangeError || /Maximum call stack size exceeded/.test(String((e as { message?: unknown })?.message ?? e));
}
