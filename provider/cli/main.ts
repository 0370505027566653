#!/usr/bin/env node
// The midtrust executable. It must never load @pulumi/pulumi (about a second of start-up).
import { readFirstLineBounded } from '../host/boundedRead';
import { READ_LIMITS } from '../host/readLimits';
import { runCli } from './runCli';

async function readStdin(): Promise<string> {
  return (await readFirstLineBounded(process.stdin, { maxBytes: READ_LIMITS.secret, what: '--storepass-stdin' })).toString('utf8');
}

runCli(process.argv.slice(2), {
  stdout: (t) => process.stdout.write(t),
  stderr: (t) => process.stderr.write(t),
  env: process.env,
  cwd: process.cwd(),
  readStdin,
  isTty: Boolean(process.stdout.isTTY),
}).then(
  (code) => {
    process.exitCode = code;
  },
  (e: unknown) => {
    process.stderr.write(`midtrust: internal error: ${String(e)}\n`);
    process.exitCode = 1;
  },
);
