// Build step (after tsc): bundles the midtrust CLI into one file and saves V8's compiled code for
// it, which dist/provider/cli/main.js loads. Why (profiles in bench/README.md): a `midtrust ls`
// spent more time resolving, reading and compiling its ~50 modules than listing a 144-entry store.
// - The bundle follows every static require() from provider/cli/processMain.ts, so a command added
//   to provider/cli/commands/index.ts is bundled without being listed here; a lazy require stays
//   lazy (esbuild wraps each module in a function run on first require).
// - Code caches are made by training runs on a throw-away store, one cache per command listed in
//   TRAINING (holding just the functions that command runs: V8 deserializes a whole cache, so
//   `ls` should not pay for apply's YAML parser), and a general one for every other command.
//   A command missing from TRAINING works all the same, compiling what the general cache lacks.
//   V8 rejects a cache made by another V8 version or with other flags, and the loader then
//   compiles from source: slower, same result.
const { spawnSync } = require('node:child_process');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const tls = require('node:tls');
const vm = require('node:vm');
const { createRequire } = require('node:module');

const root = path.resolve(__dirname, '..');
const bundle = path.join(root, 'dist', 'provider', 'cli', 'midtrust.bundle.js');
/** The loader's CommonJS wrapper (provider/cli/main.ts): a cache belongs to this exact text. */
const wrap = (source) => `(function (exports, require, module, __filename, __dirname) {${source}\n})`;
/** Where the loader looks for the cache of `midtrust <command>` (provider/cli/main.ts). */
const cacheFile = (command) => (command ? `${bundle}.${command}.v8cache` : `${bundle}.v8cache`);

// Left out of the bundle, loaded from node_modules when needed: ssh2 has an optional native
// binding; ajv is only used to compile schemas from sources (the build precompiles them); the CLI
// must never load @pulumi/pulumi, so finding it in the bundle fails the build.
const EXTERNAL = ['ssh2', 'ajv', '@pulumi/*'];

const PASS_ENV = 'MIDTRUST_TRAIN_PASS';
/**
 * Training runs per cache, in order (later ones use the stores earlier ones wrote). '' is the
 * general cache: the help texts, so argument parsing and the loader's paths are compiled.
 */
const TRAINING = [
  ['', [['--help'], ...['ls', 'plan', 'apply', 'lint', 'audit'].map((c) => [c, '--help'])]],
  ['apply', [['apply', '-f', 'first.yaml'], ['apply', '-f', 'second.yaml'], ['apply', '-f', 'second.yaml', '--json'], ['apply', '-f', 'passwordless.yaml']]],
  ['plan', [['plan', '-f', 'first.yaml'], ['plan', '-f', 'second.yaml', '--json']]],
  ['ls', [['ls', 'train.jks', '--storepass-env', PASS_ENV, '--json'], ['ls', 'train.jks', '--storepass-env', PASS_ENV], ['ls', 'train.p12', '--json']]],
];

function build() {
  const esbuild = require('esbuild');
  const result = esbuild.buildSync({
    entryPoints: [path.join(root, 'provider', 'cli', 'processMain.ts')],
    outfile: bundle,
    bundle: true,
    platform: 'node',
    target: `node${process.versions.node.split('.')[0]}`,
    format: 'cjs',
    external: EXTERNAL,
    metafile: true,
    logLevel: 'warning',
    // Dynamic require(file) of the precompiled schema validators is resolved at run time, on purpose.
    logOverride: { 'unsupported-require-call': 'silent' },
    legalComments: 'none',
    // No comments or indentation (names are kept, for stack traces), and only ASCII: esbuild
    // escapes every other character, so the loader reads the file as latin1, which V8 takes as
    // it is, instead of decoding UTF-8 (measured: a fifth of the loader's cost for `--help`).
    minifyWhitespace: true,
    charset: 'ascii',
  });
  const text = fs.readFileSync(bundle);
  const nonAscii = text.findIndex((b) => b >= 0x80);
  if (nonAscii !== -1) throw new Error(`${bundle}: non-ASCII byte at offset ${nonAscii}; the loader reads the bundle as latin1`);
  const pulumi = Object.keys(result.metafile.inputs).filter((f) => f.includes('@pulumi'));
  if (pulumi.length) throw new Error(`the CLI bundle must not contain @pulumi/pulumi, but it reaches ${pulumi.join(', ')}`);
  return Object.keys(result.metafile.inputs).length;
}

/** Desired-state files and certificates for the training runs (node's own root CAs: no JDK needed). */
function writeFixtures(dir) {
  const pems = tls.rootCertificates.slice(0, 40);
  const desired = (certs, store = `path: ./train.jks\n  password: { env: ${PASS_ENV} }\n  type: JKS`) =>
    `keystore:\n  ${store}\n  create: true\ncertificates:\n${certs
      .map((pem, i) => `  - alias: ca-${i}\n    pem: |\n${pem.split('\n').map((l) => `      ${l}`).join('\n')}\n`)
      .join('')}`;
  fs.writeFileSync(path.join(dir, 'first.yaml'), desired(pems.slice(0, 20)));
  fs.writeFileSync(path.join(dir, 'second.yaml'), desired(pems));
  fs.writeFileSync(path.join(dir, 'passwordless.yaml'), desired(pems, 'path: ./train.p12\n  type: PKCS12'));
}

/** In a fresh process (so the cache holds only what these runs compile): runs them, writes the cache. */
async function trainOne(command, runs) {
  const script = new vm.Script(wrap(fs.readFileSync(bundle, 'latin1')), { filename: bundle });
  const mod = { exports: {} };
  script.runInThisContext()(mod.exports, createRequire(bundle), mod, bundle, path.dirname(bundle));
  const io = { stdout: () => {}, stderr: () => {}, env: { [PASS_ENV]: 'training' }, cwd: process.cwd(), readStdin: async () => '', isTty: false };
  for (const argv of runs) {
    const code = await mod.exports.runCli(argv, io);
    if (code !== 0 && !(argv[0] === 'plan' && code === 2)) throw new Error(`training run 'midtrust ${argv.join(' ')}' exited ${code}`);
  }
  fs.writeFileSync(cacheFile(command), script.createCachedData());
}

function main() {
  for (const f of fs.readdirSync(path.dirname(bundle))) {
    if (f.startsWith(`${path.basename(bundle)}.`) && f.endsWith('.v8cache')) fs.rmSync(path.join(path.dirname(bundle), f)); // never pair a new bundle with an old cache
  }
  const modules = build();
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'midtrust-bundle-'));
  try {
    writeFixtures(dir);
    for (const [command, runs] of TRAINING) {
      // The child inherits no NODE_OPTIONS: a V8 flag there would make a cache V8 rejects later.
      const env = { ...process.env };
      delete env.NODE_OPTIONS;
      const r = spawnSync(process.execPath, [__filename, '--train', command, JSON.stringify(runs)], { cwd: dir, env, stdio: 'inherit' });
      if (r.status !== 0) throw new Error(`training the '${command || 'general'}' code cache failed (exit ${r.status})`);
    }
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
  const caches = TRAINING.map(([c]) => `${c || 'general'} ${(fs.statSync(cacheFile(c)).size / 1024).toFixed(0)}`);
  console.log(`bundled the CLI: ${modules} modules → ${path.relative(root, bundle)} (${(fs.statSync(bundle).size / 1024).toFixed(0)} KiB); code caches (KiB): ${caches.join(', ')}`);
}

if (process.argv[2] === '--train') {
  trainOne(process.argv[3], JSON.parse(process.argv[4])).catch((e) => {
    console.error(e);
    process.exitCode = 1;
  });
} else {
  try {
    main();
  } catch (e) {
    console.error(e);
    process.exitCode = 1;
  }
}
