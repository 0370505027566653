/**
 * TruststoreMigrationStrategy and MidServerParameter through the SDK's real dynamic-provider host
 * over gRPC, on a MID home made in a temp dir. Needs `npm run build` (the host runs dist/).
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { tempDir } from '../helpers/keytool';
import { startDynamicProviderHost, UNKNOWN, unwrapSecrets, urnFor, type DynamicProviderHost, type Props } from '../helpers/dynamicProviderHost';
import { providerText, PROJECT_ROOT } from './providerFixtures';
import { CONFIG_XML, configXmlOf, MidHomes } from './providerMidFixtures';

const STRATEGY_URN = urnFor('TruststoreMigrationStrategy', 'strategy');
const PARAM_URN = urnFor('MidServerParameter', 'param');
const STRATEGY_LINE = '    <parameter name="mid.truststore.migration.strategy" value="migrate_non_ca"/>\n';

let host: DynamicProviderHost;
let strategyProvider: string;
let paramProvider: string;
let tmp: string;
let homes: MidHomes;

function strategy(midHome: string, extra: Props = {}): Props {
  return { midHome, strategy: 'migrate_non_ca', __provider: strategyProvider, ...extra };
}

function param(midHome: string, extra: Props = {}): Props {
  return { midHome, name: 'mid.ssl.bootstrap.default.check_cert_chain', value: 'true', __provider: paramProvider, ...extra };
}

/** config.xml with the strategy line inserted where setMidParameter puts a new one: before </parameters>. */
function withLine(line: string): string {
  return CONFIG_XML.replace('</parameters>', `${line}</parameters>`);
}

beforeAll(async () => {
  tmp = tempDir('midtrust-provider-mid-');
  homes = new MidHomes(tmp);
  strategyProvider = await providerText('truststoreMigrationStrategyOps');
  paramProvider = await providerText('midServerParameterOps');
  host = await startDynamicProviderHost({ projectRoot: PROJECT_ROOT });
});

afterAll(async () => {
  await host?.close();
  fs.rmSync(tmp, { recursive: true, force: true });
});

describe('check', () => {
  test('a strategy that is not one of the three → one failure listing them', async () => {
    const { failures } = await host.check(STRATEGY_URN, {}, strategy('/opt/mid', { strategy: 'migrate_all' }));
    expect(failures).toEqual([{ property: 'strategy', reason: expect.stringMatching(/'migrate_all' is not a migration strategy; use one of migrate_delta, migrate_non_ca, do_not_migrate/) }]);
  });

  test('relative midHome, missing strategy, unknown property → one failure each', async () => {
    expect((await host.check(STRATEGY_URN, {}, strategy('opt/mid'))).failures).toEqual([{ property: 'midHome', reason: expect.stringMatching(/relative path; give an absolute path/) }]);
    const { failures } = await host.check(STRATEGY_URN, {}, { midHome: '/opt/mid', stratgy: 'x', __provider: strategyProvider });
    expect(failures.map((f) => f.property).sort()).toEqual(['inputs', 'stratgy']);
  });

  test('MidServerParameter: the strategy parameter is checked too; empty name and control characters refused', async () => {
    const bad = await host.check(PARAM_URN, {}, param('/opt/mid', { name: 'mid.truststore.migration.strategy', value: 'yes' }));
    expect(bad.failures).toEqual([{ property: 'value', reason: expect.stringMatching(/use one of migrate_delta, migrate_non_ca, do_not_migrate/) }]);
    expect((await host.check(PARAM_URN, {}, param('/opt/mid', { name: '' }))).failures.map((f) => f.property)).toEqual(['name']);
    expect((await host.check(PARAM_URN, {}, param('/opt/mid', { value: 'a\nb' }))).failures).toEqual([{ property: 'value', reason: expect.stringMatching(/control characters/) }]);
  });

  test('valid inputs pass; unknown values during preview are not validated', async () => {
    expect((await host.check(STRATEGY_URN, {}, strategy('/opt/mid'))).failures).toEqual([]);
    expect((await host.check(STRATEGY_URN, {}, strategy(UNKNOWN, { strategy: UNKNOWN }))).failures).toEqual([]);
    expect((await host.check(PARAM_URN, {}, param(UNKNOWN, { name: UNKNOWN, value: UNKNOWN }))).failures).toEqual([]);
  });
});

describe('TruststoreMigrationStrategy', () => {
  test('create adds one line and nothing else; outputs say a restart is needed', async () => {
    const home = homes.make();
    const created = await host.create(STRATEGY_URN, strategy(home));
    expect(configXmlOf(home)).toBe(withLine(STRATEGY_LINE));
    expect(created.id).toBe(`${path.join(home, 'agent', 'config.xml')}#mid.truststore.migration.strategy`);
    expect(created.properties).toMatchObject({
      midHome: home,
      strategy: 'migrate_non_ca',
      configXmlPath: path.join(home, 'agent', 'config.xml'),
      restartRequired: true,
      note: expect.stringMatching(/restart/),
      restarted: false,
    });
  });

  test('read reports drift (changed, then removed by hand); the next diff plans an update that restores it', async () => {
    const home = homes.make();
    const created = await host.create(STRATEGY_URN, strategy(home));
    const file = path.join(home, 'agent', 'config.xml');

    expect(unwrapSecrets(await host.read(created.id, STRATEGY_URN, created.properties))).toMatchObject({ id: created.id, properties: created.properties });

    fs.writeFileSync(file, configXmlOf(home).replace('value="migrate_non_ca"', 'value="do_not_migrate"'));
    const changed = await host.read(created.id, STRATEGY_URN, created.properties);
    expect(changed.properties.strategy).toBe('do_not_migrate');
    expect((await host.diff(created.id, STRATEGY_URN, changed.properties, strategy(home))).changes).toBe('DIFF_SOME');

    fs.writeFileSync(file, CONFIG_XML);
    const removed = await host.read(created.id, STRATEGY_URN, created.properties);
    expect(removed.id).toBe(created.id);
    expect(removed.properties.strategy).toBeNull();
    expect(await host.diff(created.id, STRATEGY_URN, removed.properties, strategy(home))).toMatchObject({ changes: 'DIFF_SOME', replaces: [] });
    const updated = await host.update(created.id, STRATEGY_URN, removed.properties, strategy(home));
    expect(updated.properties.strategy).toBe('migrate_non_ca');
    expect(configXmlOf(home)).toBe(withLine(STRATEGY_LINE));
  });

  test('diff: same inputs → none; another strategy → update; another home → replace', async () => {
    const home = homes.make();
    const olds = (await host.create(STRATEGY_URN, strategy(home))).properties;
    expect((await host.diff('x', STRATEGY_URN, olds, strategy(home))).changes).toBe('DIFF_NONE');
    expect(await host.diff('x', STRATEGY_URN, olds, strategy(home, { strategy: 'migrate_delta' }))).toMatchObject({ changes: 'DIFF_SOME', replaces: [] });
    expect(await host.diff('x', STRATEGY_URN, olds, strategy(homes.make()))).toMatchObject({ changes: 'DIFF_SOME', replaces: ['midHome'], deleteBeforeReplace: false });
    const updated = await host.update('x', STRATEGY_URN, olds, strategy(home, { strategy: 'do_not_migrate' }));
    expect(updated.properties.strategy).toBe('do_not_migrate');
    expect(configXmlOf(home)).toBe(withLine(STRATEGY_LINE.replace('migrate_non_ca', 'do_not_migrate')));
  });

  test('delete removes the parameter: config.xml is byte-identical to the original; deleting again or with the MID gone is fine', async () => {
    const home = homes.make();
    const created = await host.create(STRATEGY_URN, strategy(home));
    await host.delete(created.id, STRATEGY_URN, created.properties);
    expect(configXmlOf(home)).toBe(CONFIG_XML);
    await host.delete(created.id, STRATEGY_URN, created.properties);
    await host.delete(created.id, STRATEGY_URN, { ...created.properties, midHome: path.join(tmp, 'gone') });
    expect(configXmlOf(home)).toBe(CONFIG_XML);
  });

  test('invalid XML → error with the line, file untouched; a missing config.xml says so', async () => {
    const home = homes.make();
    const broken = CONFIG_XML.replace('</parameters>', '</parameter>');
    fs.writeFileSync(path.join(home, 'agent', 'config.xml'), broken);
    await expect(host.create(STRATEGY_URN, strategy(home))).rejects.toThrow(/config\.xml:\d+: not valid XML/);
    expect(configXmlOf(home)).toBe(broken);
    await expect(host.create(STRATEGY_URN, strategy(path.join(tmp, 'no-mid')))).rejects.toThrow(/config\.xml does not exist/);
  });

  test('restartCommand runs only when the file changed', async () => {
    const home = homes.make();
    const marker = path.join(tmp, `restarted-${path.basename(home)}`);
    const inputs = strategy(home, { restartCommand: `touch '${marker}'` });
    const created = await host.create(STRATEGY_URN, inputs);
    expect(created.properties.restarted).toBe(true);
    expect(fs.existsSync(marker)).toBe(true);
    fs.rmSync(marker);
    const again = await host.update(created.id, STRATEGY_URN, created.properties, inputs);
    expect(again.properties.restarted).toBe(false);
    expect(fs.existsSync(marker)).toBe(false);
    const changed = await host.update(created.id, STRATEGY_URN, again.properties, { ...inputs, strategy: 'migrate_delta' });
    expect(changed.properties.restarted).toBe(true);
    expect(fs.existsSync(marker)).toBe(true);
    fs.rmSync(marker);
    await host.delete(created.id, STRATEGY_URN, changed.properties);
    expect(fs.existsSync(marker)).toBe(true);
  });

  test('a failing restartCommand is an error saying the file was changed', async () => {
    const home = homes.make();
    await expect(host.create(STRATEGY_URN, strategy(home, { restartCommand: 'echo boom >&2; exit 3' }))).rejects.toThrow(/config\.xml was changed, but restartCommand failed \(exit 3\): boom; restart the MID Server by hand/);
  });
});

describe('MidServerParameter', () => {
  test('create/update/read/delete of a new parameter; the rest of config.xml, encrypted value included, is untouched', async () => {
    const home = homes.make();
    const created = await host.create(PARAM_URN, param(home));
    const line = '    <parameter name="mid.ssl.bootstrap.default.check_cert_chain" value="true"/>\n';
    expect(configXmlOf(home)).toBe(withLine(line));
    expect(created.properties).toMatchObject({ name: 'mid.ssl.bootstrap.default.check_cert_chain', value: 'true', restartRequired: true });

    const updated = await host.update(created.id, PARAM_URN, created.properties, param(home, { value: 'false' }));
    expect(updated.properties.value).toBe('false');
    expect(configXmlOf(home)).toBe(withLine(line.replace('"true"', '"false"')));

    fs.writeFileSync(path.join(home, 'agent', 'config.xml'), configXmlOf(home).replace('value="false"', 'value="maybe"'));
    const read = await host.read(created.id, PARAM_URN, updated.properties);
    expect(read.properties.value).toBe('maybe');
    expect((await host.diff(created.id, PARAM_URN, read.properties, param(home, { value: 'false' }))).changes).toBe('DIFF_SOME');
    expect(await host.diff(created.id, PARAM_URN, read.properties, param(home, { name: 'other' }))).toMatchObject({ replaces: ['name'] });

    // The next up puts the declared value back; destroy then gives back what was found: no parameter.
    const repaired = await host.update(created.id, PARAM_URN, read.properties, param(home, { value: 'false' }));
    await host.delete(created.id, PARAM_URN, repaired.properties);
    expect(configXmlOf(home)).toBe(CONFIG_XML);
  });

  test('a value someone changed by hand since is theirs: delete leaves it', async () => {
    const home = homes.make();
    const created = await host.create(PARAM_URN, param(home));
    fs.writeFileSync(path.join(home, 'agent', 'config.xml'), configXmlOf(home).replace('value="true"', 'value="maybe"'));
    await host.delete(created.id, PARAM_URN, created.properties);
    expect(configXmlOf(home)).toContain('name="mid.ssl.bootstrap.default.check_cert_chain" value="maybe"');
  });

  test('an existing parameter: only its value attribute changes', async () => {
    const home = homes.make();
    await host.create(PARAM_URN, param(home, { name: 'name', value: 'mid2' }));
    expect(configXmlOf(home)).toBe(CONFIG_XML.replace('value="mid1"', 'value="mid2"'));
  });

  test('an encrypted (secure="true") parameter is refused with the library message; the file is untouched', async () => {
    const home = homes.make();
    await expect(host.create(PARAM_URN, param(home, { name: 'mid.instance.password', value: 'plain' }))).rejects.toThrow(
      /mid\.instance\.password is an encrypted \(secure="true"\) parameter; midtrust never rewrites encrypted values/,
    );
    expect(configXmlOf(home)).toBe(CONFIG_XML);
  });
});
