// The CLI as a process: the real stdin/stdout/stderr, environment and exit code around runCli.
// This module and everything it requires is what scripts/bundle-cli.js bundles into one file.
import { writeSync } from 'node:fs';
import { readFirstLineBounded } from '../host/boundedRead';
import { READ_LIMITS } from '../host/readLimits';
import { runCli } from './runCli';

export { runCli };

/** --storepass-stdin: the first line only, bounded, so a stream that never ends cannot hang us. */
async function readStdin(): Promise<string> {
  return (await readFirstLineBounded(process.stdin, { maxBytes: READ_LIMITS.secret, what: '--storepass-stdin' })).toString('utf8');
}

/**
 * Writes to file descriptor 1 or 2 directly. Creating process.stdout loads node's stream
 * machinery, a tenth of a whole `midtrust ls` (bench/README.md); a CLI that prints its result once
 * does not need it. A non-blocking descriptor (EAGAIN) falls back to the stream for the rest, in
 * order; a reader that went away (EPIPE, `midtrust ls | head`) ends the output quietly.
 */
function descriptorWriter(fd: 1 | 2, stream: () => NodeJS.WriteStream): (text: string) => void {
  let mode: 'direct' | 'stream' | 'closed' = 'direct';
  return (text) => {
    if (mode === 'closed') return;
    if (mode === 'stream') {
      stream().write(text);
      return;
    }
    const bytes = Buffer.from(text, 'utf8');
    let written = 0;
    try {
      while (written < bytes.length) written += writeSync(fd, bytes, written);
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      if (code === 'EPIPE') {
        mode = 'closed';
      } else if (code === 'EAGAIN') {
        mode = 'stream';
        stream().write(bytes.subarray(written));
      } else {
        throw e;
      }
    }
  };
}

/**
 * Runs `midtrust <argv>` on the real process and sets its exit code.
 *
 * @example
 * runAsProcess(process.argv.slice(2));
 */
export function runAsProcess(argv: string[]): void {
  const stderr = descriptorWriter(2, () => process.stderr);
  runCli(argv, {
    stdout: descriptorWriter(1, () => process.stdout),
    stderr,
    env: process.env,
    cwd: process.cwd(),
    readStdin,
    // Asked only by commands that draw progress or print tables; node:tty loads net and streams.
    get isTty() {
      return (require('node:tty') as typeof import('node:tty')).isatty(1);
    },
    // Asked only to fit a table on a terminal; process.stdout loads node's stream machinery.
    get columns() {
      return process.stdout.columns || 80;
    },
  }).then(
    (code) => {
      process.exitCode = code;
    },
    (e: unknown) => {
      stderr(`midtrust: internal error: ${String(e)}\n`);
      process.exitCode = 1;
    },
  );
}
