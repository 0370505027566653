import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { assertDemoCanUse, createDemoDesiredState, createDemoMidServer, createIncomingTruststore, DEMO_STOREPASS } from '../../demo/demoLayout';
import { LocalHost } from '../../host/localHost';
import { readKeystore, writeKeystore } from '../../keystore/keystoreCodec';
import { EXIT, type CliIo } from '../cliIo';
import { defineCommand } from '../commandSpec';
import { runCli } from '../runCli';

interface DemoOptions {
  dir?: string;
}

/**
 * `midtrust demo` (what `npm start` runs): builds a demo MID Server under ./demo and walks
 * through declare → plan → apply → re-plan → drift → repair → upgrade preview, printing each
 * step as a person would type it. The password reaches every command through MID_STOREPASS.
 */
export const demoCommand = defineCommand<DemoOptions>({
  name: 'demo',
  usage: 'midtrust demo [--dir <demo root>]',
  options: { dir: { type: 'string' } },
  async run(_positionals, opts, io) {
    const repo = findRepoRoot(io.cwd);
    const example = path.join(repo, 'examples', 'quickstart');
    const demoRoot = path.resolve(io.cwd, opts.dir ?? path.join(repo, 'demo'));
    const env = { ...io.env, MID_STOREPASS: DEMO_STOREPASS };
    const step = (n: number, title: string): void => io.stdout(`\n━━ ${n}. ${title}\n`);

    // Refuse before anything is made if a directory the demo needs belongs to someone else.
    assertDemoCanUse(demoRoot);
    step(1, 'A demo MID Server');
    const layout = createDemoMidServer(demoRoot, path.join(example, 'demo-seed'));
    const desiredFile = createDemoDesiredState(demoRoot, example);
    const work = path.dirname(desiredFile);
    const sub: CliIo = { ...io, env, cwd: work };
    const sh = async (argv: string[]): Promise<number> => {
      io.stdout(`$ midtrust ${argv.join(' ')}\n`);
      const code = await runCli(argv, sub);
      io.stdout(`(exit ${code})\n`);
      return code;
    };
    io.stdout(`Created ${layout.midHome}\n  agent/config.xml, agent/conf/wrapper-override.conf\n  agent/jre/lib/security/cacerts (JKS, password "changeit", seeded from ${layout.seededFrom})\n`);
    io.stdout(`The store password is passed as MID_STOREPASS in the environment — never on the command line.\n`);

    step(2, 'Declare the trust every MID Server needs');
    io.stdout(`${shortPath(io.cwd, desiredFile)}:\n${indent(fs.readFileSync(desiredFile, 'utf8'))}`);

    step(3, 'Plan: what would change (exit 2 = changes pending)');
    await sh(['plan', '-f', 'desired.yaml']);

    step(4, 'Apply: one locked, verified, atomic write');
    await sh(['apply', '-f', 'desired.yaml']);

    step(5, 'Plan again: nothing to do (idempotent)');
    await sh(['plan', '-f', 'desired.yaml']);

    step(6, 'Drift: someone deletes a CA by hand');
    await simulateManualDelete(layout.cacerts, 'acme-issuing-ca', io);
    await sh(['plan', '-f', 'desired.yaml']);

    step(7, 'Repair the drift');
    await sh(['apply', '-f', 'desired.yaml']);

    step(8, 'Before the next MID upgrade: which certificates survive it?');
    const incoming = createIncomingTruststore(demoRoot, layout.cacerts);
    io.stdout(`The upgrade brings a new JRE whose cacerts is a password-less PKCS12 (${shortPath(io.cwd, incoming.path)})${incoming.removedVendorAlias ? `; its vendor dropped ${incoming.removedVendorAlias}` : ''}.\n`);
    io.stdout('With the strategy configured in agent/config.xml (migrate_delta):\n');
    const mid = path.relative(work, layout.midHome);
    const inc = path.relative(work, incoming.path);
    await sh(['upgrade-preview', '--mid-home', mid, '--incoming', inc, '--storepass-env', 'MID_STOREPASS']);
    io.stdout('\nIf someone switches to migrate_non_ca, the private CAs are lost:\n');
    await sh(['upgrade-preview', '--mid-home', mid, '--incoming', inc, '--strategy', 'migrate_non_ca', '--storepass-env', 'MID_STOREPASS']);

    // The password is read at a prompt, never typed into the command line (and the shell history).
    io.stdout(`\nDone. The demo lives in ${demoRoot}. Next (the demo store's password is changeit;\ntyped at the prompt, it stays out of your shell history):\n`);
    io.stdout(`  read -rsp 'store password: ' MID_STOREPASS; echo; export MID_STOREPASS\n`);
    io.stdout(`  npx midtrust ls ${shortPath(io.cwd, layout.cacerts)} --storepass-env MID_STOREPASS\n`);
    io.stdout(`  npx midtrust --help\n`);
    return EXIT.OK;
  },
});

/** Deletes an alias as an operator would: with keytool when present, else through midtrust's engine. */
async function simulateManualDelete(cacerts: string, alias: string, io: CliIo): Promise<void> {
  const keytool = spawnSync('keytool', ['-delete', '-alias', alias, '-keystore', cacerts, '-storepass:env', 'MID_STOREPASS'], {
    env: { ...process.env, MID_STOREPASS: DEMO_STOREPASS },
    encoding: 'utf8',
  });
  if (keytool.status === 0) {
    io.stdout(`$ keytool -delete -alias ${alias} -keystore …/cacerts -storepass:env MID_STOREPASS\n`);
    return;
  }
  const host = new LocalHost();
  const store = readKeystore(await host.readFile(cacerts), { password: DEMO_STOREPASS });
  const next = { ...store, entries: store.entries.filter((e) => e.alias !== alias) };
  await host.writeFileAtomic(cacerts, writeKeystore(next, DEMO_STOREPASS));
  io.stdout(`(keytool is not installed here: deleted ${alias} directly, as 'keytool -delete' would)\n`);
}

/** Relative to where the user is when that is shorter and stays below it, absolute otherwise. */
function shortPath(cwd: string, file: string): string {
  const rel = path.relative(cwd, file);
  return rel.startsWith('..') || path.isAbsolute(rel) ? file : rel;
}

function indent(text: string): string {
  return text
    .split('\n')
    .map((l) => (l ? `  ${l}` : l))
    .join('\n');
}

/** The midtrust checkout/package root: where examples/ lives. */
function findRepoRoot(start: string): string {
  for (let dir = __dirname; dir !== path.dirname(dir); dir = path.dirname(dir)) {
    if (fs.existsSync(path.join(dir, 'examples', 'quickstart', 'desired.yaml'))) return dir;
  }
  return start;
}
