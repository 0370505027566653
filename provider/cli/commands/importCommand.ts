import { applyDesiredState } from '../../apply/desiredStateRun';
import { MidtrustError } from '../../errors';
import { Certificate } from '../../certificate/certificate';
import { LocalHost } from '../../host/localHost';
import type { DesiredState, PresentCertificate } from '../../plan/desiredState';
import { EXIT } from '../cliIo';
import { defineCommand } from '../commandSpec';
import { desiredStateFromOptions } from '../desiredStateIo';
import { STORE_PASSWORD_OPTIONS, resolveStorePassword, type StorePasswordOptions } from '../storePassword';
import { reportApply } from './applyCommand';

interface ImportOptions extends StorePasswordOptions {
  keystore?: string;
  alias?: string;
  file?: string;
  'ca-only'?: boolean;
  'allow-end-entity'?: boolean;
  json?: boolean;
}

/**
 * A server's fullchain.pem (its own certificate, then the CAs) imported whole would make the
 * server's certificate a trust anchor — trusted until its next renewal, then broken. When a file
 * of several certificates holds an end-entity one, import refuses and names it, unless told
 * which to do: `--ca-only` (trust the CAs, the usual intent) or `--allow-end-entity` (all of them).
 */
function endEntitiesInChain(desired: DesiredState): { index: number; subject: string }[] {
  const present = desired.certificates.filter((c): c is PresentCertificate => c.state === 'present');
  if (present.length < 2) return [];
  const out: { index: number; subject: string }[] = [];
  present.forEach((c, index) => {
    let facts;
    try {
      facts = Certificate.fromDer(c.der).facts;
    } catch {
      return; // unreadable: the plan reports it
    }
    if (!facts.isCa) out.push({ index, subject: facts.subject });
  });
  return out;
}

/** `midtrust import`: keytool -importcert, but idempotent, atomic and locked. */
export const importCommand = defineCommand<ImportOptions>({
  name: 'import',
  usage: 'midtrust import --keystore <store> --alias <alias> --file <cert.pem> [--ca-only | --allow-end-entity] [--storepass-env VAR | --storepass-file F | --storepass-stdin] [--json]',
  options: {
    ...STORE_PASSWORD_OPTIONS,
    keystore: { type: 'string' },
    alias: { type: 'string' },
    file: { type: 'string' },
    'ca-only': { type: 'boolean' },
    'allow-end-entity': { type: 'boolean' },
    json: { type: 'boolean' },
  },
  async run(_positionals, opts, io) {
    if (!opts.keystore || !opts.alias || !opts.file) {
      throw new MidtrustError('INVALID_INPUT', 'import needs --keystore, --alias and --file');
    }
    if (opts['ca-only'] && opts['allow-end-entity']) throw new MidtrustError('INVALID_INPUT', 'give --ca-only or --allow-end-entity, not both');
    const password = await resolveStorePassword(opts, io);
    const keystore = { path: opts.keystore, ...(password === undefined ? {} : { password: { value: password } }) };
    let desired = desiredStateFromOptions({ keystore, certificates: [{ alias: opts.alias, file: opts.file }] }, io);
    const endEntities = endEntitiesInChain(desired);
    if (endEntities.length > 0 && !opts['allow-end-entity']) {
      const present = desired.certificates.filter((c): c is PresentCertificate => c.state === 'present');
      if (!opts['ca-only']) {
        const which = endEntities.map((e) => `certificate ${e.index + 1} of ${present.length} (${e.subject})`).join(', ');
        throw new MidtrustError(
          'INVALID_INPUT',
          `${opts.file}: ${which} is an end-entity certificate (not a CA), next to ${present.length - endEntities.length} CA certificate(s) — a server's fullchain.pem? Trusting it directly breaks at its next renewal. Give --ca-only to import the CA certificates only (usual), or --allow-end-entity to import all ${present.length}`,
        );
      }
      // The CAs only, under the alias and its -2, -3… in file order, as a chain file is declared.
      const cas = present.filter((_c, i) => !endEntities.some((e) => e.index === i));
      desired = { ...desired, certificates: cas.map((c, k) => ({ ...c, alias: k === 0 ? opts.alias as string : `${opts.alias}-${k + 1}` })) };
    }
    reportApply(await applyDesiredState(new LocalHost(), desired), opts, io);
    return EXIT.OK;
  },
});

interface DeleteOptions extends StorePasswordOptions {
  keystore?: string;
  alias?: string;
  json?: boolean;
}

/** `midtrust delete`: keytool -delete for trusted certificates, idempotent (an absent alias is fine). */
export const deleteCommand = defineCommand<DeleteOptions>({
  name: 'delete',
  usage: 'midtrust delete --keystore <store> --alias <alias> [--storepass-env VAR | --storepass-file F | --storepass-stdin] [--json]',
  options: { ...STORE_PASSWORD_OPTIONS, keystore: { type: 'string' }, alias: { type: 'string' }, json: { type: 'boolean' } },
  async run(_positionals, opts, io) {
    if (!opts.keystore || !opts.alias) throw new MidtrustError('INVALID_INPUT', 'delete needs --keystore and --alias');
    const password = await resolveStorePassword(opts, io);
    const desired = desiredStateFromOptions(
      {
        keystore: { path: opts.keystore, ...(password === undefined ? {} : { password: { value: password } }) },
        certificates: [{ alias: opts.alias, state: 'absent' }],
      },
      io,
    );
    const result = await applyDesiredState(new LocalHost(), desired);
    // Idempotent, but a mistyped alias must not read as success ("matches the desired state"):
    // say that nothing had that name, and only that.
    if (!opts.json && !result.plan.actions.some((a) => a.action === 'remove')) {
      io.stdout(`No entry named '${opts.alias}' in ${result.plan.keystorePath}: nothing was deleted (midtrust ls lists the aliases).\n`);
    } else {
      reportApply(result, opts, io);
    }
    return EXIT.OK;
  },
});
