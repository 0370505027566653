import { parseArgs } from 'node:util';
import { closestName } from '../closestName';
import { MidtrustError, type ErrorCode } from '../errors';
import { packageVersion } from '../packageVersion';
import { EXIT, type CliIo } from './cliIo';
import type { CommandSpec } from './commandSpec';
import { commands } from './commands/index';
import { terminalText } from './formatTable';
import { usageText } from './usageText';

const HELP = `midtrust — trusted certificates of MID Servers (any Java truststore) as code

Usage: midtrust <command> [options]

Commands:
${commands.map((c) => `  ${c.name.padEnd(16)}${c.summary}`).join('\n')}

Passwords are never taken from the command line: use --storepass-env VAR,
--storepass-file F or --storepass-stdin. Exit codes: 0 ok, 1 error, 2 changes
pending (plan) or not trusted (verify).
Run 'midtrust <command> --help' for a command's usage.
`;

/**
 * What a failure looks like under `--json`, on stdout (and nothing on stderr), exit 1 — for every
 * command and for argument errors, so a script can always parse stdout:
 * `{"error": {"code": "NOT_FOUND", "message": "/opt/mid/…/cacerts: does not exist (while reading the keystore); check the path"}}`.
 * `code` is the MidtrustError code (errors.ts), or INTERNAL for a bug.
 */
export interface JsonErrorOutput {
  readonly error: { readonly code: ErrorCode | 'INTERNAL'; readonly message: string };
}

/**
 * Runs one CLI invocation in-process and returns its exit code. Expected failures
 * (MidtrustError) become one line on stderr — or, with `--json`, a {@link JsonErrorOutput} on
 * stdout; anything else is a bug and says so.
 */
export async function runCli(argv: string[], rawIo: CliIo): Promise<number> {
  const [name, ...rest] = argv;
  const json = rest.includes('--json');
  // Text for a person may quote aliases and subjects from stores: never let them drive the
  // terminal. JSON needs no such step (JSON.stringify escapes control characters).
  const io: CliIo = json ? rawIo : escapedForTerminal(rawIo);
  if (name === 'help' && rest[0] !== undefined && commands.some((c) => c.name === rest[0])) {
    // `midtrust help ls` is `midtrust ls --help`.
    return runCli([rest[0], '--help'], rawIo);
  }
  if (!name || name === '--help' || name === '-h' || name === 'help') {
    io.stdout(HELP);
    return name ? EXIT.OK : EXIT.ERROR;
  }
  if (name === '--version') {
    io.stdout(`${packageVersion()}\n`);
    return EXIT.OK;
  }
  const entry = commands.find((c) => c.name === name);
  if (!entry) {
    return fail(io, json, name, new MidtrustError('INVALID_INPUT', `unknown command '${name}'. Commands: ${commands.map((c) => c.name).join(', ')}`));
  }
  const command = entry.load();
  try {
    if (rest.includes('--help') || rest.includes('-h')) {
      io.stdout(commandHelpText(command));
      return EXIT.OK;
    }
    const { positionals, values } = parseCommandArgs(command, rest);
    return await command.run(positionals, values, io);
  } catch (e) {
    return fail(io, json, command.name, e);
  }
}

/**
 * The same io with text escaped for a terminal. Every field is forwarded, not copied: isTty and
 * columns are asked lazily by the process (finding out loads node's tty and net modules, ~7 ms of a 75 ms
 * apply), and a spread would ask it on every run.
 */
function escapedForTerminal(raw: CliIo): CliIo {
  return {
    stdout: (t) => raw.stdout(terminalText(t)),
    stderr: (t) => raw.stderr(terminalText(t)),
    env: raw.env,
    cwd: raw.cwd,
    readStdin: raw.readStdin,
    get isTty() {
      return raw.isTty;
    },
    get columns() {
      return raw.columns;
    },
  };
}

/** Reports a failure the way the invocation asked for (a line for a person, or JSON) and returns the exit code. */
function fail(io: CliIo, json: boolean, commandName: string, e: unknown): number {
  if (e instanceof MidtrustError) {
    if (json) io.stdout(`${JSON.stringify({ error: { code: e.code, message: e.message } } satisfies JsonErrorOutput)}\n`);
    else io.stderr(`midtrust ${commandName}: error: ${e.message}\n`);
    return EXIT.ERROR;
  }
  const err = e as Error;
  const bug = `internal error (this is a bug, please report it): ${err?.stack ?? String(e)}`;
  if (json) io.stdout(`${JSON.stringify({ error: { code: 'INTERNAL', message: bug } } satisfies JsonErrorOutput)}\n`);
  else io.stderr(`midtrust ${commandName}: ${bug}\n`);
  return EXIT.ERROR;
}

function parseCommandArgs(command: CommandSpec, args: string[]): { positionals: string[]; values: Record<string, unknown> } {
  const literal = args.find((a) => /^--(storepass|password|keypass)(=|$)/.test(a));
  if (literal) {
    throw new MidtrustError(
      'INVALID_INPUT',
      `${literal.split('=')[0]} is not accepted: a password on the command line is visible to every user in 'ps'. Use --storepass-env VAR, --storepass-file F or --storepass-stdin`,
    );
  }
  try {
    const parsed = parseArgs({ args, options: command.options, allowPositionals: true, strict: true });
    return { positionals: parsed.positionals, values: parsed.values as Record<string, unknown> };
  } catch (e) {
    throw new MidtrustError('INVALID_INPUT', `${optionProblem(command, args) ?? (e as Error).message}\nusage: ${usageText(command.usage)}`);
  }
}

/**
 * What is wrong with the options, in one line for a person, from parseArgs' tokens (its own
 * messages suggest '--' quoting and never the option meant): an unknown option with the nearest
 * declared one, a missing value with the placeholder the usage shows. Undefined when none applies.
 */
function optionProblem(command: CommandSpec, args: string[]): string | undefined {
  const { tokens } = parseArgs({ args, options: command.options, allowPositionals: true, strict: false, tokens: true });
  for (const t of tokens) {
    if (t.kind !== 'option') continue;
    const spec = command.options[t.name];
    if (!spec) {
      const guess = closestName(Object.keys(command.options), t.name);
      return `unknown option ${t.rawName}${guess ? ` (did you mean --${guess}?)` : ''}`;
    }
    if (spec.type === 'string' && (t.value === undefined || (!t.inlineValue && t.value.startsWith('-')))) {
      return `option ${t.rawName} needs a value (${t.rawName} ${valuePlaceholder(command.usage, t.name, spec.short)})`;
    }
    if (spec.type === 'boolean' && t.value !== undefined) return `option ${t.rawName} takes no value`;
  }
  return undefined;
}

/** How the usage line names an option's value (`-f <desired.yaml>`, `--storepass-env VAR`), else `<value>`. */
function valuePlaceholder(usage: string, name: string, short: string | undefined): string {
  for (const flag of [`--${name}`, ...(short ? [`-${short}`] : [])]) {
    const m = new RegExp(`(?:^|[\\s\\[(|])${flag} (<[^>]+>|[A-Z][A-Z0-9_]*)`).exec(usage);
    if (m) return m[1];
  }
  return '<value>';
}

/**
 * `midtrust <command> --help`: the usage, what the command does, each option on one line, an
 * example and the docs page — within 80 columns. A command without a help entry shows its usage.
 */
export function commandHelpText(command: CommandSpec): string {
  const { COMMAND_HELP } = require('./commandHelp') as typeof import('./commandHelp');
  const { foldProse } = require('./formatTable') as typeof import('./formatTable');
  const help = COMMAND_HELP[command.name];
  const usage = usageText(command.usage);
  if (!help) return `${usage}\n`;
  const flag = (name: string): string => {
    const spec = command.options[name];
    const value = spec?.type === 'string' ? ` ${valuePlaceholder(command.usage, name, spec.short)}` : '';
    return `${spec?.short ? `-${spec.short}, ` : ''}--${name}${value}`;
  };
  const names = Object.keys(command.options);
  const width = Math.min(28, Math.max(...names.map((n) => flag(n).length)) + 2);
  const lines = [usage, '', foldProse(help.what, 80, '', ''), '', 'Options:'];
  const column = ' '.repeat(2 + width);
  for (const name of names) {
    const f = flag(name);
    // The description in its column, folded there when it is longer than the line.
    const text = foldProse(help.options[name] ?? '', 80 - column.length, '', '').split('\n').join(`\n${column}`);
    lines.push(f.length + 2 > width ? `  ${f}\n${column}${text}` : `  ${f.padEnd(width)}${text}`);
  }
  lines.push('', 'Example:', ...help.example.split('\n').map((l) => `  ${l}`), '', `Docs: ${help.docs}`);
  return `${lines.join('\n')}\n`;
}
