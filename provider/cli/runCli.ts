import { parseArgs } from 'node:util';
import { MidtrustError } from '../errors';
import { packageVersion } from '../packageVersion';
import { EXIT, type CliIo } from './cliIo';
import type { CommandSpec } from './commandSpec';
import { commands } from './commands/index';

const HELP = `midtrust — trusted certificates of MID Servers (and any Java truststore) declared as code

Usage: midtrust <command> [options]

Commands:
${commands.map((c) => `  ${c.name.padEnd(16)}${c.summary}`).join('\n')}

Passwords are never taken from the command line: use --storepass-env VAR, --storepass-file F or
--storepass-stdin. Exit codes: 0 ok, 1 error, 2 changes pending (plan).
Run 'midtrust <command> --help' for a command's usage.
`;

/**
 * Runs one CLI invocation in-process and returns its exit code. Expected failures
 * (MidtrustError) become one line on stderr; anything else is a bug and says so.
 */
export async function runCli(argv: string[], io: CliIo): Promise<number> {
  const [name, ...rest] = argv;
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
    io.stderr(`midtrust: unknown command '${name}'. Commands: ${commands.map((c) => c.name).join(', ')}\n`);
    return EXIT.ERROR;
  }
  const command = entry.load();
  try {
    if (rest.includes('--help') || rest.includes('-h')) {
      io.stdout(`${command.usage}\n`);
      return EXIT.OK;
    }
    const { positionals, values } = parseCommandArgs(command, rest);
    return await command.run(positionals, values, io);
  } catch (e) {
    if (e instanceof MidtrustError) {
      io.stderr(`midtrust ${command.name}: error: ${e.message}\n`);
      return EXIT.ERROR;
    }
    const err = e as Error;
    io.stderr(`midtrust ${command.name}: internal error (this is a bug, please report it): ${err?.stack ?? String(e)}\n`);
    return EXIT.ERROR;
  }
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
    throw new MidtrustError('INVALID_INPUT', `${(e as Error).message}\nusage: ${command.usage}`);
  }
}
