import type { dynamic } from '@pulumi/pulumi';
import { assertWellFormed, getMidParameter, removeMidParameter, setMidParameter } from '../mid/configXml';
import { midLayout } from '../mid/midLayout';
import { MIGRATION_STRATEGY_PARAMETER, parseMigrationStrategy } from '../mid/migrationStrategy';
import { MidtrustError } from '../errors';
import { connectionChanged, connectionProblems, machineOf } from './connectionInput';
import { reconcileClaims, textValue, type HeldValue } from '../ownership/ownershipLedger';
import { editTextFile, readTextFile } from './lockedTextEdit';
import { asPersonError, isUnknown, keystorePathProblem, newOwnerId, ownerIdOf, samePathSpelling, schemaFailures, type InputFailure, type Props } from './resourceInputs';
import { RESTART_NOTE, runRestartCommand } from './restartCommand';

/*
 * The logic shared by MidServerParameter and TruststoreMigrationStrategy: one parameter of
 * <midHome>/agent/config.xml, owned by one resource. Only the spec differs (which property holds
 * the name and the value, and the schema).
 */

/** How a resource kind maps its inputs onto one config.xml parameter. */
export interface ParameterSpec {
  /** Schema file in schema/ for check. */
  readonly schema: string;
  /** The input (and output) property holding the value: `value` or `strategy`. */
  readonly valueKey: string;
  /** The parameter name from the inputs (a fixed name, or the `name` input). */
  parameterName(props: Props): string;
}

/** The provider functions of one parameter resource kind (what an ops module exports). */
export interface ParameterOps {
  check(olds: Props, news: Props): dynamic.CheckResult;
  diff(id: string, olds: Props, news: Props): dynamic.DiffResult;
  create(props: Props): Promise<dynamic.CreateResult>;
  read(id: string, props: Props): Promise<dynamic.ReadResult>;
  update(id: string, olds: Props, news: Props): Promise<dynamic.UpdateResult>;
  remove(id: string, props: Props): Promise<void>;
}

/**
 * Builds the ops of a resource that owns one config.xml parameter:
 * - check: schema, absolute midHome, and for `mid.truststore.migration.strategy` one of the three strategies;
 * - create/update: set the value (a locked, atomic, text-preserving edit; no write when it already holds it);
 * - read: the value config.xml really holds (null when the parameter is gone), so the next diff plans an update;
 * - delete: give back what the parameter held before the first claim (removed when it was absent,
 *   so the product default applies again; its earlier value otherwise) once its last owner lets go;
 * - restartCommand runs only when the file was changed.
 *
 * @example
 * const ops = parameterOps({ schema: 'mid-server-parameter.schema.json', valueKey: 'value', parameterName: (p) => String(p.name) });
 */
export function parameterOps(spec: ParameterSpec): ParameterOps {
  const valueOf = (props: Props): string => String(props[spec.valueKey]);

  function check(_olds: Props, news: Props): dynamic.CheckResult {
    const failures: InputFailure[] = schemaFailures(spec.schema, news);
    const failed = new Set(failures.map((f) => f.property));
    if (!failed.has('midHome') && typeof news.midHome === 'string' && !isUnknown(news.midHome)) {
      const reason = keystorePathProblem(news.midHome);
      if (reason) failures.push({ property: 'midHome', reason });
    }
    const name = spec.parameterName(news);
    const value = news[spec.valueKey];
    if (name === MIGRATION_STRATEGY_PARAMETER && !failed.has(spec.valueKey) && typeof value === 'string' && !isUnknown(value)) {
      try {
        parseMigrationStrategy(value);
      } catch (e) {
        if (!(e instanceof MidtrustError)) throw e;
        failures.push({ property: spec.valueKey, reason: e.message });
      }
    }
    if (!failures.some((f) => f.property === 'connection') && news.connection !== undefined && !isUnknown(news.connection)) failures.push(...connectionProblems(news.connection));
    return { inputs: news, failures };
  }

  /**
   * Another MID home spelling, machine or parameter name → replace (create before delete: the
   * ownership record beside config.xml keeps the old delete from removing what the new one set);
   * another value (or drift seen by refresh), restartCommand or connection detail → update.
   */
  function diff(_id: string, olds: Props, news: Props): dynamic.DiffResult {
    const replaces: string[] = [];
    if (isUnknown(news.midHome) || !samePathSpelling(midLayout(String(news.midHome)).configXml, midLayout(String(olds.midHome)).configXml)) replaces.push('midHome');
    if (isUnknown(news.connection) || machineOf(olds.connection) !== machineOf(news.connection)) replaces.push('connection');
    if (isUnknown(news.name) || spec.parameterName(news) !== spec.parameterName(olds)) replaces.push('name');
    let changes = replaces.length > 0;
    if (isUnknown(news[spec.valueKey]) || news[spec.valueKey] !== olds[spec.valueKey]) changes = true;
    if (isUnknown(news.restartCommand) || (news.restartCommand ?? null) !== (olds.restartCommand ?? null)) changes = true;
    if (connectionChanged(olds.connection, news.connection)) changes = true;
    return { changes, replaces, deleteBeforeReplace: false };
  }

  /**
   * Claims the parameter for `ownerId` and sets the value (undefined value: let go of it and give
   * back what was found — the earlier value, or no parameter at all). One locked, atomic,
   * text-preserving edit of config.xml and its ownership record; no write when nothing differs.
   */
  async function reconcile(props: Props, ownerId: string, value: string | undefined): Promise<boolean> {
    const configXml = midLayout(String(props.midHome)).configXml;
    const name = spec.parameterName(props);
    const { changed } = await editTextFile(configXml, (now) => {
      if (now.text === undefined) {
        if (value !== undefined) throw missingConfig();
        return { text: undefined, ledger: now.ledger }; // no config.xml: nothing to give back, nothing created
      }
      assertWellFormed(now.text, configXml);
      const existing = getMidParameter(now.text, name);
      // An encrypted value is set by the instance; it is never rewritten (setMidParameter refuses) nor given back over.
      const currentOf = (): HeldValue => (existing?.secure ? { digest: 'encrypted', data: '' } : textValue(existing?.value));
      const wanted = new Map(value === undefined ? [] : [[name, textValue(value)]]);
      const { ledger, restores } = reconcileClaims(now.ledger, ownerId, wanted, currentOf);
      let text = value === undefined ? now.text : setMidParameter(now.text, name, value, configXml);
      const restore = restores.get(name);
      if (restore !== undefined) text = restore === null ? removeMidParameter(text, name, configXml) : setMidParameter(text, name, restore.data, configXml);
      return { text, ledger };
    }, { connection: props.connection });
    return changed;
  }

  async function put(props: Props, ownerId: string): Promise<Props> {
    const configXml = midLayout(String(props.midHome)).configXml;
    const name = spec.parameterName(props);
    try {
      const changed = await reconcile(props, ownerId, valueOf(props));
      const restarted = await runRestartCommand(props.restartCommand as string | undefined, changed, configXml, props.connection);
      return outputsFor(props, ownerId, configXml, valueOf(props), restarted);
    } catch (e) {
      throw asPersonError(e, `${name} in ${configXml}`);
    }
  }

  async function create(props: Props): Promise<dynamic.CreateResult> {
    const outs = await put(props, newOwnerId());
    return { id: `${outs.configXmlPath}#${spec.parameterName(props)}`, outs };
  }

  async function update(_id: string, olds: Props, news: Props): Promise<dynamic.UpdateResult> {
    return { outs: await put(news, ownerIdOf(olds)) };
  }

  /** config.xml gone (the MID Server was removed) → empty id; otherwise the value really there. */
  async function read(id: string, props: Props): Promise<dynamic.ReadResult> {
    const configXml = midLayout(String(props.midHome)).configXml;
    const name = spec.parameterName(props);
    try {
      const text = await readTextFile(configXml, props.connection);
      if (text === undefined) return { id: '', props: {} };
      assertWellFormed(text, configXml);
      const p = getMidParameter(text, name);
      // An encrypted value is not ours to show or compare; null makes the next diff plan an update (which then refuses it).
      const actual = p && !p.secure ? p.value : null;
      return { id, props: { ...outputsFor(props, ownerIdOf(props), configXml, actual, Boolean(props.restarted)) } };
    } catch (e) {
      throw asPersonError(e, `${name} in ${configXml}`);
    }
  }

  /**
   * Lets go of the parameter. When no other resource owns it (a renamed successor set the same
   * value in this deployment), what was found is given back: the earlier value, or no parameter.
   * A value changed by hand since, an encrypted one, or a missing config.xml is left as it is.
   */
  async function remove(_id: string, props: Props): Promise<void> {
    const configXml = midLayout(String(props.midHome)).configXml;
    const name = spec.parameterName(props);
    if (typeof props.ownerId !== 'string') return; // no claim was ever recorded for it
    try {
      const changed = await reconcile(props, props.ownerId, undefined);
      await runRestartCommand(props.restartCommand as string | undefined, changed, configXml, props.connection);
    } catch (e) {
      throw asPersonError(e, `giving back ${name} in ${configXml}`);
    }
  }

  function outputsFor(props: Props, ownerId: string, configXml: string, actual: string | null, restarted: boolean): Props {
    const outs: Props = {
      midHome: props.midHome,
      ...(props.connection ? { connection: props.connection } : {}),
      [spec.valueKey]: actual,
      configXmlPath: configXml,
      restartRequired: true,
      note: RESTART_NOTE,
      restarted,
      ownerId,
    };
    if (spec.valueKey === 'value') outs.name = spec.parameterName(props);
    else outs.parameterName = spec.parameterName(props);
    if (typeof props.restartCommand === 'string') outs.restartCommand = props.restartCommand;
    return outs;
  }

  return { check, diff, create, read, update, remove };
}

function missingConfig(): MidtrustError {
  return new MidtrustError('NOT_FOUND', 'config.xml does not exist; midHome must be a MID Server home (the directory holding agent/config.xml)');
}
