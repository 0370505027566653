import * as path from 'node:path';
import { MidtrustError } from '../../errors';
import { READ_LIMITS } from '../../host/readLimits';
import { LocalHost } from '../../host/localHost';
import { parseEndpointTarget, type EndpointTarget } from '../../verify/endpointTarget';
import { renderVerdict, verdictJson } from '../../verify/formatVerdict';
import { judgedAfterApply, judgedAfterUpgrade, judgedKeystore, judgedMidStore, type JudgedStore } from '../../verify/judgedStore';
import { trustPolicyFor, verifyEndpoint, type EndpointVerdict } from '../../verify/verifyEndpoint';
import { KNOWN_JAVA_VERSIONS } from '../../verify/jdkTrustPolicy';
import { printable } from '../../terminalText';
import { EXIT, type CliIo } from '../cliIo';
import { defineCommand } from '../commandSpec';
import { parseSeconds } from '../secondsOption';
import { STORE_PASSWORD_OPTIONS, passwordFromEnv, resolveStorePassword, type StorePasswordOptions } from '../storePassword';

interface VerifyOptions extends StorePasswordOptions {
  target?: string;
  keystore?: string;
  file?: string;
  'mid-home'?: string;
  'after-upgrade'?: boolean;
  incoming?: string;
  'incoming-storepass-env'?: string;
  prefix?: string;
  inventory?: string;
  parallel?: string;
  'java-security'?: string;
  'java-version'?: string;
  timeout?: string;
  json?: boolean;
  'write-desired'?: string;
  alias?: string;
  sha256?: string;
  yes?: boolean;
  'ca-file'?: string;
}

/** Exit codes of verify: the verdict is the result. */
export const VERIFY_EXIT = { TRUSTED: EXIT.OK, ERROR: EXIT.ERROR, NOT_TRUSTED: 2 } as const;

const USAGE = `midtrust verify --target <target> <store> [options]
  <target>  host:port | https://host[:port] | ldaps://host[:port]
            | ldap://host[:port] (StartTLS)
  <store>   --keystore <store> [--storepass-env VAR | --storepass-file F
                                | --storepass-stdin]
            | -f <desired.yaml>          the store as it will be after apply
            | --mid-home <dir>           the truststore the MID's JVM uses
            | --mid-home <dir> --after-upgrade --incoming <new JRE cacerts>
                [--incoming-storepass-env VAR] [--prefix snc_]
            | --inventory <hosts.yaml> [--parallel N]   from every MID host
  options   [--java-security <file>] [--java-version 17|21|25]
            [--timeout <seconds>] [--json]
            [--write-desired <desired.yaml> --alias <name> [--ca-file <ca.pem>]
             (--sha256 <expected> | --yes)]
Exit: 0 trusted, 2 not trusted, 1 error (unreachable target, unreadable store).`;

/** `midtrust verify`: will this JVM trust that endpoint — now, after apply, after the next upgrade? */
export const verifyCommand = defineCommand<VerifyOptions>({
  name: 'verify',
  usage: USAGE,
  options: {
    ...STORE_PASSWORD_OPTIONS,
    target: { type: 'string' },
    keystore: { type: 'string' },
    file: { type: 'string', short: 'f' },
    'mid-home': { type: 'string' },
    'after-upgrade': { type: 'boolean' },
    incoming: { type: 'string' },
    'incoming-storepass-env': { type: 'string' },
    prefix: { type: 'string' },
    inventory: { type: 'string' },
    parallel: { type: 'string' },
    'java-security': { type: 'string' },
    'java-version': { type: 'string' },
    timeout: { type: 'string' },
    json: { type: 'boolean' },
    'write-desired': { type: 'string' },
    alias: { type: 'string' },
    sha256: { type: 'string' },
    yes: { type: 'boolean' },
    'ca-file': { type: 'string' },
  },
  async run(positionals, opts, io) {
    const targetText = opts.target ?? positionals[0];
    if (!targetText) throw new MidtrustError('INVALID_INPUT', `give the endpoint with --target <host:port | https://… | ldaps://… | ldap://…>\nusage: ${USAGE}`);
    const target = parseEndpointTarget(targetText);
    const modes = [opts.keystore, opts.file, opts['mid-home'], opts.inventory].filter((m) => m !== undefined).length;
    if (modes !== 1) {
      throw new MidtrustError('INVALID_INPUT', 'give exactly one of --keystore <store>, -f <desired.yaml>, --mid-home <dir> or --inventory <hosts.yaml>');
    }
    if (opts['after-upgrade'] && (!opts['mid-home'] || !opts.incoming)) {
      throw new MidtrustError('INVALID_INPUT', '--after-upgrade needs --mid-home <dir> and --incoming <the new JRE\'s cacerts>');
    }
    if (opts.incoming && !opts['after-upgrade']) throw new MidtrustError('INVALID_INPUT', '--incoming is only used with --after-upgrade');
    if (opts['write-desired'] && !opts.alias) throw new MidtrustError('INVALID_INPUT', '--write-desired needs --alias <name> for the certificate it adds');
    const timeoutMs = parseSeconds(opts.timeout, '--timeout', 10_000);
    const javaVersion = parseJavaVersion(opts['java-version']);
    if (opts.inventory) {
      if (opts['write-desired']) throw new MidtrustError('INVALID_INPUT', '--write-desired works on one verdict; run it without --inventory');
      const { verifyInventory } = require('./verifyInventory') as typeof import('./verifyInventory');
      return verifyInventory(target, opts, timeoutMs, io);
    }

    const host = new LocalHost();
    const judged = await judgedStoreFor(host, opts, io);
    const policy = await trustPolicyFor(host, judged, { env: io.env, local: !opts['mid-home'], overrideFile: opts['java-security'] ? path.resolve(io.cwd, opts['java-security']) : undefined, javaVersion });
    const judgedVerdict = await verifyEndpoint(target, { store: judged, policy, timeoutMs });
    // The Fix made actionable: the missing CA looked for on this machine, the server-side fix,
    // and after an upgrade the CA the strategy drops (MIDTRUST_CA_SEARCH replaces where to look).
    const { adviseFix } = require('../../verify/fixAdvice') as typeof import('../../verify/fixAdvice');
    const upgrade = 'upgrade' in judged ? (judged as { upgrade?: import('../../mid/upgrade/upgradeModel').UpgradeResult }).upgrade : undefined;
    const before = beforeUpgrade.get(judged);
    const verdict = adviseFix(judgedVerdict, {
      ...(io.env.MIDTRUST_CA_SEARCH ? { searchPlaces: io.env.MIDTRUST_CA_SEARCH.split(path.delimiter) } : {}),
      ...(upgrade && before ? { upgrade: { before: before.store, lostSha256: new Set(upgrade.lost.map((l) => l.sha256)), strategy: upgrade.why } } : {}),
    });
    io.stdout(opts.json ? `${JSON.stringify(verdictJson(verdict), null, 2)}\n` : renderVerdict(verdict));
    if (opts['write-desired']) await writeDesired(verdict, target, opts, io);
    return verdict.trusted ? VERIFY_EXIT.TRUSTED : VERIFY_EXIT.NOT_TRUSTED;
  },
});

/** `--java-version`: the JDK to judge for when the store is not in a JRE (overrides its `release`). */
function parseJavaVersion(text: string | undefined): number | undefined {
  if (text === undefined) return undefined;
  const v = Number(text);
  if (!(KNOWN_JAVA_VERSIONS as readonly number[]).includes(v)) {
    throw new MidtrustError('INVALID_INPUT', `--java-version ${text}: give one of ${KNOWN_JAVA_VERSIONS.join(', ')} (the Java feature version of the MID's JRE)`);
  }
  return v;
}

/** The store each mode judges against. */
async function judgedStoreFor(host: LocalHost, opts: VerifyOptions, io: CliIo): Promise<JudgedStore> {
  if (opts.file) {
    const { loadDesiredStateFile } = require('../desiredStateIo') as typeof import('../desiredStateIo');
    return judgedAfterApply(host, loadDesiredStateFile(opts.file, io));
  }
  const password = await resolveStorePassword(opts, io);
  if (opts.keystore) return judgedKeystore(host, path.resolve(io.cwd, opts.keystore), password);
  const midHome = path.resolve(io.cwd, opts['mid-home'] as string);
  if (!opts['after-upgrade']) return judgedMidStore(host, midHome, password);
  const incomingPassword = opts['incoming-storepass-env'] !== undefined ? passwordFromEnv(opts['incoming-storepass-env'], '--incoming-storepass-env', io) : password;
  const current = await judgedMidStore(host, midHome, password);
  const after = await judgedAfterUpgrade(host, midHome, { path: path.resolve(io.cwd, opts.incoming as string), password: incomingPassword }, password, { prefix: opts.prefix, current });
  beforeUpgrade.set(after, current);
  return after;
}

/** The store now, for the verdict after an upgrade: the fix names a CA the strategy drops. */
const beforeUpgrade = new WeakMap<JudgedStore, JudgedStore>();

/**
 * `--ca-file`: a CA certificate the user brings (the root the server does not send), accepted only
 * when it issued the chain the server presented — same name, key identifier and a signature that
 * verifies — so a wrong or look-alike file is refused before anything is written.
 */
async function caFileFor(verdict: EndpointVerdict, file: string): Promise<{ subject: string; der: Uint8Array; sha256: string }> {
  const { X509Certificate } = require('node:crypto') as typeof import('node:crypto');
  const { parseCertificateInput } = require('../../certificate/certificateInput') as typeof import('../../certificate/certificateInput');
  const { Certificate } = require('../../certificate/certificate') as typeof import('../../certificate/certificate');
  const bytes = await new LocalHost().readFile(file, { maxBytes: READ_LIMITS.certificate, what: 'the CA file (--ca-file)' });
  const ders = parseCertificateInput(bytes, `--ca-file ${file}`);
  if (ders.length !== 1) throw new MidtrustError('INVALID_INPUT', `--ca-file ${file}: holds ${ders.length} certificates; give the one CA certificate to add`);
  const ca = new X509Certificate(ders[0]);
  const presented = verdict.presented.certificates.map((d) => new X509Certificate(d));
  const issues = presented.some((c) => c.issuer === ca.subject && c.checkIssued(ca) && c.verify(ca.publicKey));
  const cert = Certificate.fromDer(ders[0]);
  if (!issues) {
    const top = presented[presented.length - 1];
    throw new MidtrustError('INVALID_INPUT', `--ca-file ${file}: ${cert.facts.subject} did not issue any certificate the server presented (the chain ends at ${top?.subject.replace(/\n/g, ', ')}, issued by ${top?.issuer.replace(/\n/g, ', ')}); nothing was written`);
  }
  return { subject: cert.facts.subject, der: ders[0], sha256: cert.sha256 };
}

/**
 * `--write-desired`: declares the CA the verdict suggests — a certificate the server presented or
 * found on this machine, or the `--ca-file` checked against the chain — and only once its fingerprint is confirmed (`--sha256`) or explicitly accepted
 * (`--yes`): never trust on first use without a person seeing the fingerprint.
 */
async function writeDesired(verdict: EndpointVerdict, target: EndpointTarget, opts: VerifyOptions, io: CliIo): Promise<void> {
  const file = path.resolve(io.cwd, opts['write-desired'] as string);
  const say = (text: string): void => (opts.json ? io.stderr(text) : io.stdout(text));
  if (verdict.trusted) {
    say(`\n${target.text} is already trusted; nothing added to ${file}.\n`);
    return;
  }
  const pick = opts['ca-file'] ? await caFileFor(verdict, path.resolve(io.cwd, opts['ca-file'])) : verdict.judgement.suggestions.find((s) => s.der && s.sha256);
  if (!pick?.der || !pick.sha256) {
    throw new MidtrustError('INVALID_INPUT', `nothing to add to ${file}: no certificate the server presented would make ${target.text} trusted (${verdict.judgement.problems.map((p) => p.code).join(', ')}); see the problems above`);
  }
  if (opts.sha256 !== undefined) {
    const expected = opts.sha256.replace(/:/g, '').toLowerCase();
    if (!/^[0-9a-f]{64}$/.test(expected)) throw new MidtrustError('INVALID_INPUT', `--sha256 ${opts.sha256}: give the 64 hex digits of the expected SHA-256 fingerprint`);
    if (expected !== pick.sha256) {
      throw new MidtrustError('INVALID_INPUT', `the server presented ${printable(pick.subject)} with sha256 ${pick.sha256}, not the expected ${expected}; nothing was written (a different CA, or someone in between?)`);
    }
  } else if (!opts.yes) {
    throw new MidtrustError(
      'INVALID_INPUT',
      `not written: confirm the certificate first. The server presented ${printable(pick.subject)}\n  sha256 ${pick.sha256}\nCompare it with the fingerprint your CA publishes, then run again with --sha256 ${pick.sha256} (or --yes to accept it as presented)`,
    );
  }
  const { appendDesiredCertificate } = require('../../plan/desiredStateEdit') as typeof import('../../plan/desiredStateEdit');
  const { validateAgainstSchema } = require('../../plan/schemaValidation') as typeof import('../../plan/schemaValidation');
  const host = new LocalHost();
  // The desired-state file is edited in place: never through a link (only a keystore path is followed).
  const edited = { what: 'the desired-state file (--write-desired)', noFollow: true } as const;
  const text = Buffer.from(await host.readFile(file, { ...edited, maxBytes: READ_LIMITS.desiredState })).toString('utf8');
  const comment = `added by midtrust verify: ${pick.subject}, ${opts['ca-file'] ? `from ${opts['ca-file']}, checked to issue the chain of` : 'presented by'} ${target.text} on ${new Date().toISOString().slice(0, 10)}${opts.sha256 ? ' (fingerprint confirmed)' : ' (accepted with --yes)'}`;
  const next = appendDesiredCertificate(text, { alias: opts.alias as string, der: pick.der, sha256: pick.sha256, comment }, file);
  await host.writeFileAtomic(file, Buffer.from(next, 'utf8'), {
    ...edited,
    verify: (bytes) => {
      const yaml = require('yaml') as typeof import('yaml');
      const problems = validateAgainstSchema('desired-state.schema.json', yaml.parse(Buffer.from(bytes).toString('utf8')));
      if (problems.length > 0) throw new MidtrustError('INVALID_INPUT', `the edited file would not be valid (${problems[0].message}); ${file} was left unchanged`);
    },
  });
  say(`\nAdded ${opts.alias} (${printable(pick.subject)}) to ${file},\npinned to sha256 ${pick.sha256}.\nNext: midtrust apply -f ${opts['write-desired']}, restart the MID Server, and verify again.\n`);
}
