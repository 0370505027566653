import { applyDesiredState } from '../../apply/desiredStateRun';
import { MidtrustError } from '../../errors';
import { LocalHost } from '../../host/localHost';
import { EXIT } from '../cliIo';
import { defineCommand } from '../commandSpec';
import { desiredStateFromOptions } from '../desiredStateIo';
import { STORE_PASSWORD_OPTIONS, resolveStorePassword, type StorePasswordOptions } from '../storePassword';
import { reportApply } from './applyCommand';

interface ImportOptions extends StorePasswordOptions {
  keystore?: string;
  alias?: string;
  file?: string;
  json?: boolean;
}

/** `midtrust import`: keytool -importcert, but idempotent, atomic and locked. */
export const importCommand = defineCommand<ImportOptions>({
  name: 'import',
  usage: 'midtrust import --keystore <store> --alias <alias> --file <cert.pem> [--storepass-env VAR | --storepass-file F | --storepass-stdin] [--json]',
  options: { ...STORE_PASSWORD_OPTIONS, keystore: { type: 'string' }, alias: { type: 'string' }, file: { type: 'string' }, json: { type: 'boolean' } },
  async run(_positionals, opts, io) {
    if (!opts.keystore || !opts.alias || !opts.file) {
      throw new MidtrustError('INVALID_INPUT', 'import needs --keystore, --alias and --file');
    }
    const password = await resolveStorePassword(opts, io);
    const desired = desiredStateFromOptions(
      {
        keystore: { path: opts.keystore, ...(password === undefined ? {} : { password: { value: password } }) },
        certificates: [{ alias: opts.alias, file: opts.file }],
      },
      io,
    );
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
    reportApply(result, opts, io);
    // Idempotent, but a mistyped alias must not read as success: say that nothing had that name.
    if (!opts.json && !result.plan.actions.some((a) => a.action === 'remove')) {
      io.stdout(`No entry named '${opts.alias}' in ${result.plan.keystorePath}: nothing was deleted (midtrust ls lists the aliases).\n`);
    }
    return EXIT.OK;
  },
});
