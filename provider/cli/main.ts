#!/usr/bin/env node
// The midtrust executable: a thin loader. Loading and compiling the CLI's ~50 modules one by one
// was most of a `midtrust ls` (bench/README.md), so `npm run build` also bundles them into one
// file and saves V8's compiled code for it (scripts/bundle-cli.js); this loader runs that bundle
// with the saved code. Without a bundle (sources compiled by tsc alone) it runs the same modules
// one by one. Either way the CLI never loads @pulumi/pulumi (about a second of start-up).
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import type * as ProcessMain from './processMain';

/** Where scripts/bundle-cli.js writes the bundle and its code caches. */
const CLI_BUNDLE = join(__dirname, 'midtrust.bundle.js');

/** The code cache trained on this command, else the general one, else none (compiled from source). */
function codeCache(command: string | undefined): Buffer | undefined {
  const candidates = command && /^[a-z][a-z-]*$/.test(command) ? [`${CLI_BUNDLE}.${command}.v8cache`, `${CLI_BUNDLE}.v8cache`] : [`${CLI_BUNDLE}.v8cache`];
  for (const file of candidates) {
    try {
      return readFileSync(file);
    } catch {
      // try the next one
    }
  }
  return undefined;
}

function loadBundle(command: string | undefined): typeof ProcessMain | undefined {
  let source: string;
  try {
    source = readFileSync(CLI_BUNDLE, 'latin1'); // the build makes it pure ASCII
  } catch {
    return undefined;
  }
  const cachedData = codeCache(command);
  // V8 checks the cache against its own version, its flags and the source; on a mismatch it
  // compiles from source (script.cachedDataRejected), so a stale cache only costs time.
  const { Script } = require('node:vm') as typeof import('node:vm');
  // The CommonJS wrapper, on the bundle's first line so stack traces keep its line numbers.
  const script = new Script(`(function (exports, require, module, __filename, __dirname) {${source}\n})`, { filename: CLI_BUNDLE, cachedData });
  const mod = { exports: {} as typeof ProcessMain };
  (script.runInThisContext() as (...args: unknown[]) => void)(mod.exports, createRequire(CLI_BUNDLE), mod, CLI_BUNDLE, __dirname);
  return mod.exports;
}

const argv = process.argv.slice(2);
(loadBundle(argv[0]) ?? (require('./processMain') as typeof ProcessMain)).runAsProcess(argv);
