import type { CliIo } from './cliIo';

/** An option as node:util parseArgs declares it. */
export interface OptionSpec {
  readonly type: 'string' | 'boolean';
  readonly multiple?: boolean;
  readonly short?: string;
}

/** One `midtrust <verb>`: a thin door that parses input, calls the library and shapes output. */
export interface CommandSpec<O = Record<string, unknown>> {
  readonly name: string;
  readonly usage: string;
  readonly options: Readonly<Record<string, OptionSpec>>;
  /** Returns the exit code; throws MidtrustError for expected failures. */
  run(positionals: string[], options: O, io: CliIo): Promise<number>;
}

/**
 * Declares a command with typed options. parseArgs gives untyped values, so the cast to the
 * command's option type happens here, once, instead of in every command.
 */
export function defineCommand<O>(spec: CommandSpec<O>): CommandSpec {
  return spec as unknown as CommandSpec;
}
