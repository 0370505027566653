/**
 * Self-test of the dynamic-provider harness: a small file-writing provider, serialized as the SDK
 * does, driven through the SDK's real dynamic-provider host over gRPC.
 *
 * Measured on the 2-core dev box (node 20, @pulumi/pulumi 3.276); details in dynamicProviderHost.ts:
 * - host start-up (spawn → port line → first Configure answered): 0.6–0.9 s quiet, 2–4 s under load,
 *   nearly all of it the host loading @pulumi/pulumi → start one host per test file, not per test;
 * - per call: 2.5–4.5 ms quiet, 7–16 ms under load (sequential Check round trips).
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import {
  isSecret,
  secret,
  serializeProvider,
  startDynamicProviderHost,
  unwrapSecrets,
  urnFor,
  type DynamicProviderHost,
} from '../helpers/dynamicProviderHost';
import { runWithMocks } from '../helpers/pulumiMocks';

const PROJECT_ROOT = path.resolve(__dirname, '..', '..');

type Inputs = Record<string, unknown>;

/**
 * Writes `content` as a YAML document to `<dir>/<file>`. Every method requires what it needs, as
 * closure serialization demands; `yaml` must resolve from the project root (the host's cwd).
 */
class FileProvider {
  async check(_olds: Inputs, news: Inputs) {
    const failures = [];
    if (typeof news.dir !== 'string' || news.dir === '') failures.push({ property: 'dir', reason: 'dir must be a non-empty string' });
    if (typeof news.file !== 'string' || /[\\/]/.test(news.file)) failures.push({ property: 'file', reason: 'file must be a bare file name' });
    return { inputs: news, failures };
  }

  async diff(_id: string, olds: Inputs, news: Inputs) {
    const replaces = ['dir', 'file'].filter((k) => olds[k] !== news[k]);
    const changes = replaces.length > 0 || olds.content !== news.content;
    return { changes, replaces, deleteBeforeReplace: replaces.length > 0 };
  }

  async create(inputs: Inputs) {
    const fsm = require('fs');
    const pathm = require('path');
    const yaml = require('yaml');
    if (inputs.content === 'boom') throw new Error(`refusing to write boom into ${inputs.file}`);
    const target = pathm.join(inputs.dir, inputs.file);
    fsm.writeFileSync(target, yaml.stringify({ content: inputs.content }));
    const outs: Inputs = { dir: inputs.dir, file: inputs.file, content: inputs.content, size: fsm.statSync(target).size };
    // Echo what really arrived for a token, plus a derived value under a new name.
    if ('token' in inputs) Object.assign(outs, { token: inputs.token, tokenType: typeof inputs.token });
    return { id: target, outs };
  }

  async read(id: string, props: Inputs) {
    const fsm = require('fs');
    const yaml = require('yaml');
    const { content } = yaml.parse(fsm.readFileSync(id, 'utf8'));
    return { id, props: { ...props, content, size: fsm.statSync(id).size }, inputs: { dir: props.dir, file: props.file, content } };
  }

  async update(id: string, _olds: Inputs, news: Inputs) {
    const fsm = require('fs');
    const yaml = require('yaml');
    fsm.writeFileSync(id, yaml.stringify({ content: news.content }));
    return { outs: { dir: news.dir, file: news.file, content: news.content, size: fsm.statSync(id).size } };
  }

  async delete(id: string) {
    require('fs').rmSync(id);
  }
}

/** Records what its `configure` saw; the host calls it once, on the first deserialization. */
class ConfigEchoProvider {
  async configure(req: { config: { get(key: string): unknown } }) {
    const seen = { qualified: req.config.get('midtrust:storeDir'), bare: req.config.get('storeDir'), secretValue: req.config.get('other:token') };
    // A serialized instance is rebuilt per deserialization; a plain property survives for later calls.
    Object.assign(this, { seen });
  }

  async create() {
    return { id: 'cfg', outs: { ...(this as unknown as { seen: Inputs }).seen } };
  }
}

const URN = urnFor('File', 'f1');
let tmp: string;
let providerText: string;
let host: DynamicProviderHost;
let rawHostStarted: Promise<DynamicProviderHost> | undefined;

beforeAll(async () => {
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'midtrust-harness-'));
  providerText = await serializeProvider(new FileProvider());
  host = await startDynamicProviderHost({ projectRoot: PROJECT_ROOT });
  await host.configure({});
});

/** A second host sending secrets raw and never configured: started on first use, closed in afterAll. */
function getRawHost(): Promise<DynamicProviderHost> {
  rawHostStarted ??= startDynamicProviderHost({ projectRoot: PROJECT_ROOT, secrets: 'raw', autoConfigure: false });
  return rawHostStarted;
}

afterAll(async () => {
  await host?.close();
  await (await rawHostStarted?.catch(() => undefined))?.close();
  fs.rmSync(tmp, { recursive: true, force: true });
});

const inputs = (extra: Inputs = {}): Inputs => ({ dir: tmp, file: 'a.yaml', content: 'hello', ...extra, __provider: providerText });

describe('dynamic provider host harness', () => {
  // Start-up and per-call times are recorded in the helper's header (measured, not asserted).
  test('Configure answers acceptSecrets=false (why the engine strips secrets)', async () => {
    expect(await host.configure({ 'midtrust:x': 'y' })).toEqual({ acceptSecrets: false });
  });

  test('check returns failures and echoes the inputs with __provider', async () => {
    const bad = await host.check(URN, {}, inputs({ file: '../escape' }));
    expect(bad.failures).toEqual([{ property: 'file', reason: 'file must be a bare file name' }]);
    const good = await host.check(URN, {}, inputs());
    expect(good.failures).toEqual([]);
    expect(good.inputs).toEqual(inputs());
  });

  test('create, read, diff, update, delete drive the real provider', async () => {
    const created = await host.create(URN, inputs());
    const target = path.join(tmp, 'a.yaml');
    expect(created.id).toBe(target);
    expect(fs.readFileSync(target, 'utf8')).toBe('content: hello\n');
    expect(created.properties).toEqual({ dir: tmp, file: 'a.yaml', content: 'hello', size: 15, __provider: providerText });

    // Drift: someone edits the file; read reports it in props and in inputs.
    fs.writeFileSync(target, 'content: changed\n');
    const read = await host.read(created.id, URN, created.properties, inputs());
    expect(read.id).toBe(target);
    expect(read.properties).toMatchObject({ content: 'changed', size: 17, __provider: providerText });
    expect(read.inputs).toEqual({ dir: tmp, file: 'a.yaml', content: 'changed', __provider: providerText });

    // After the refresh the engine diffs the refreshed outputs against the program's inputs.
    expect(await host.diff(created.id, URN, read.properties, inputs())).toEqual({
      changes: 'DIFF_SOME',
      replaces: [],
      deleteBeforeReplace: false,
      diffs: [],
    });
    expect((await host.diff(created.id, URN, created.properties, inputs({ file: 'b.yaml' }))).replaces).toEqual(['file']);
    expect((await host.diff(created.id, URN, created.properties, inputs({ file: 'b.yaml' }))).deleteBeforeReplace).toBe(true);
    expect((await host.diff(created.id, URN, inputs(), inputs())).changes).toBe('DIFF_NONE');

    const updated = await host.update(created.id, URN, created.properties, inputs({ content: 'bye' }));
    expect(updated.properties).toEqual({ dir: tmp, file: 'a.yaml', content: 'bye', size: 13, __provider: providerText });
    expect(fs.readFileSync(target, 'utf8')).toBe('content: bye\n');

    await host.delete(created.id, URN, updated.properties);
    expect(fs.existsSync(target)).toBe(false);
  });

  test('a provider error rejects with the provider message and the host keeps serving', async () => {
    await expect(host.create(URN, inputs({ content: 'boom' }))).rejects.toThrow('refusing to write boom into a.yaml');
    // delete/read/check/diff errors take another path in the host (callback(e)); same outcome.
    await expect(host.delete(path.join(tmp, 'missing'), URN, inputs())).rejects.toThrow(/ENOENT/);
    expect((await host.check(URN, {}, inputs())).failures).toEqual([]);
    expect(host.stderr()).toContain('ENOENT');
  });

  test('secret input, engine emulation: the provider sees plain text; same-name outputs come back secret', async () => {
    const created = await host.create(URN, inputs({ file: 's.yaml', token: secret('s3cr3t') }));
    expect(created.properties.tokenType).toBe('string');
    expect(isSecret(created.properties.token)).toBe(true);
    expect(unwrapSecrets(created.properties.token)).toBe('s3cr3t');
    // A new output key derived from a secret is NOT secret: that needs additionalSecretOutputs.
    expect(isSecret(created.properties.tokenType)).toBe(false);
    expect(isSecret(created.properties.content)).toBe(false);
    await host.delete(created.id, URN, created.properties);
  });

  test('secret input, raw: the host unwraps nothing, the provider gets the wire object', async () => {
    const rawHost = await getRawHost();
    const token = secret('s3cr3t');
    const created = await rawHost.create(URN, inputs({ file: 'r.yaml', token }));
    expect(created.properties.tokenType).toBe('object');
    // Only because the provider echoed the wrapper object does the output look secret.
    expect(created.properties.token).toEqual(token);
    await rawHost.delete(created.id, URN, unwrapSecrets(created.properties));
  });

  test('Configure reaches the provider: bare keys get the PULUMI_NODEJS_PROJECT prefix, secrets arrive unwrapped', async () => {
    await host.configure({ 'midtrust:storeDir': '/opt/mid', 'other:token': secret('t0k') });
    const text = await serializeProvider(new ConfigEchoProvider());
    const created = await host.create(urnFor('Cfg', 'c1'), { __provider: text });
    expect(created.properties).toEqual({ qualified: '/opt/mid', bare: '/opt/mid', secretValue: 't0k', __provider: text });
    // configure ran once, on deserialization: later Configure RPCs do not reach the cached provider.
    await host.configure({ 'midtrust:storeDir': '/elsewhere' });
    expect((await host.create(urnFor('Cfg', 'c2'), { __provider: text })).properties.qualified).toBe('/opt/mid');
  });

  test('without any Configure RPC a provider configure that reads config fails its first call', async () => {
    const rawHost = await getRawHost();
    const text = await serializeProvider(new ConfigEchoProvider());
    await expect(rawHost.create(urnFor('Cfg', 'c3'), { __provider: text })).rejects.toThrow(/Cannot read properties of undefined/);
  });

  test('50 sequential calls on one host all answer (the host serves a whole deployment)', async () => {
    const answers: unknown[] = [];
    for (let i = 0; i < 50; i++) answers.push((await host.check(URN, {}, inputs({ content: `call ${i}` }))).inputs.content);
    expect(answers).toEqual(Array.from({ length: 50 }, (_, i) => `call ${i}`));
  });

  test('a host that cannot start rejects with its stderr', async () => {
    await expect(startDynamicProviderHost({ projectRoot: tmp })).rejects.toThrow(/exited .* before printing its port: .*Cannot find module/s);
  });
});

describe('runWithMocks', () => {
  test('records type token, name, inputs incl. an SDK-identical __provider, and secret inputs', async () => {
    const pulumi = await import('@pulumi/pulumi');
    const provider = new FileProvider();
    // dynamic.Resource is abstract in the typings; real resources subclass it the same way.
    class FileResource extends pulumi.dynamic.Resource {}
    const { resources } = await runWithMocks(() => {
      new FileResource(provider, 'f1', { dir: tmp, file: 'a.yaml', token: pulumi.secret('pw') }, {}, 'midtrust', 'File');
    });
    expect(resources).toHaveLength(1);
    const [r] = resources;
    expect(r.type).toBe('pulumi-nodejs:dynamic/midtrust:File');
    expect(r.name).toBe('f1');
    expect(r.custom).toBe(true);
    expect(r.secretInputs).toEqual(['token']);
    expect(r.inputs).toMatchObject({ dir: tmp, file: 'a.yaml', token: 'pw' });
    expect(r.inputs.__provider).toBe(await serializeProvider(provider));
  });

  test('a provider that closure serialization rejects makes the run reject', async () => {
    const pulumi = await import('@pulumi/pulumi');
    class BadResource extends pulumi.dynamic.Resource {}
    class ArrowFieldProvider {
      prefix = 'f-';
      // An arrow-function class field capturing `this`: rejected by closure serialization.
      create = async (inputs: Inputs) => ({ id: `${this.prefix}${String(inputs.file)}`, outs: inputs });
    }
    await expect(
      runWithMocks(() => {
        new BadResource(new ArrowFieldProvider(), 'bad', { file: 'x' }, {}, 'midtrust', 'File');
      }),
    ).rejects.toThrow(/error serializing property "__provider"/);
  });

  test('under jest a captured native function serializes without error and only fails in the host', async () => {
    // Jest's VM realm hides native functions from closure serialization (plain node rejects this
    // provider): neither serializeProvider nor runWithMocks catches it; only a host call does.
    const hash = require('crypto').createHash;
    const bad = {
      async create(inputs: Inputs) {
        return { id: hash('sha256').update(String(inputs.file)).digest('hex'), outs: inputs };
      },
    };
    const text = await serializeProvider(bad);
    await expect(host.create(urnFor('File', 'bad'), { file: 'x', __provider: text })).rejects.toThrow(/hash is not a function/);
  });

  test('under jest a destructured fs function also serializes and only fails in the host', async () => {
    // Same realm effect as above (plain node rejects it in serializeFunction).
    const { readFileSync } = require('fs');
    const bad = {
      async create(inputs: Inputs) {
        return { id: String(readFileSync(String(inputs.file), 'utf8')), outs: inputs };
      },
    };
    const text = await serializeProvider(bad);
    await expect(host.create(urnFor('File', 'bad2'), { file: '/etc/hostname', __provider: text })).rejects.toThrow(/readFileSync is not a function/);
  });

});
