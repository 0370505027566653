/**
 * Drives a Pulumi dynamic provider through the Node SDK's own dynamic-provider host, over gRPC, the
 * way the Pulumi engine does — without the Pulumi CLI (it cannot be installed here).
 *
 * What the host really does (read from @pulumi/pulumi 3.276 `cmd/dynamic-provider/index.js`, and
 * confirmed by test/pulumi/harness.test.ts):
 * - argv[2] (the engine address) is only checked for presence; the host never dials the engine and
 *   logs with console.error to its stderr. So no fake Engine server is needed: a dummy address does.
 * - It binds 127.0.0.1:0 and prints the port as the first stdout line.
 * - The provider is `require-from-string(__provider).handler()`, cached per `__provider` text for the
 *   life of the process, and `configure` of the provider runs on that first deserialization with the
 *   config of the last Configure RPC. Without any Configure RPC, `config.get()` throws (rawConfig is
 *   undefined) — the engine always sends Configure first, so this harness does too unless told not to.
 * - The project name given to `config.get()` comes from PULUMI_NODEJS_PROJECT (default "project").
 * - Configure answers acceptSecrets=false. The engine therefore strips every secret before sending
 *   properties and re-marks outputs secret where the same-named input was secret (annotateSecrets in
 *   pkg/resource/plugin/provider_plugin.go). The host itself unwraps nothing: a secret sent raw reaches
 *   the provider as the `{4dabf…: 1b47…, value}` object. `secrets: 'engine'` (default) emulates the
 *   engine; `secrets: 'raw'` sends exactly what the caller gives.
 * - Errors: create/update failures come back as gRPC UNKNOWN with the provider's message; check,
 *   diff, read and delete pass the Error to grpc-js (same code, message in details) and also log the
 *   stack on the host's stderr. Either way the promise here rejects with the provider's text.
 * - Closure serialization under jest: jest's VM realm hides native functions, so a provider capturing
 *   `crypto.createHash` or a destructured `fs` function serializes here without error (plain node
 *   rejects it) and fails only when the host calls it ("… is not a function"). Arrow-function class
 *   fields using `this` are rejected in both.
 *
 * Timing (2-core box shared with other jobs, node 20): host start to first Configure answered
 * 0.6–0.9 s when quiet, 2–4 s at load average 7–13 — almost all of it the host loading
 * @pulumi/pulumi, so start one host per test file. A sequential call costs 2.5–4.5 ms quiet,
 * 7–16 ms loaded; 100 parallel calls 1.3–7 ms each. close() takes 15–100 ms.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import * as path from 'node:path';
import * as readline from 'node:readline';
import * as grpc from '@grpc/grpc-js';
import { Struct, type JavaScriptValue } from 'google-protobuf/google/protobuf/struct_pb';
import { ResourceProviderClient } from '@pulumi/pulumi/proto/provider_grpc_pb';
import * as provproto from '@pulumi/pulumi/proto/provider_pb';

/** Pulumi's signature key for special values in a property map (sdk/go/common/resource/properties.go). */
export const SIG_KEY = '4dabf18193072939515e22adb298388d';
/** Signature value marking a secret. */
export const SECRET_SIG = '1b47061264138c4ac30d75fd1eb44270';
/** The string the engine sends for unknown values during preview. */
export const UNKNOWN = '04da6b54-80e4-46f7-96ec-b56ff0331ba9';

/** A property bag as it travels in a google.protobuf.Struct. */
export type Props = Record<string, unknown>;

/** A secret in Pulumi's wire encoding. */
export interface SecretValue {
  [SIG_KEY]: typeof SECRET_SIG;
  value: unknown;
}

/** Wraps a value in Pulumi's wire encoding of a secret. */
export function secret(value: unknown): SecretValue {
  return { [SIG_KEY]: SECRET_SIG, value: value === undefined ? null : value };
}

/** True when `v` is a secret in Pulumi's wire encoding. */
export function isSecret(v: unknown): v is SecretValue {
  return typeof v === 'object' && v !== null && !Array.isArray(v) && (v as Record<string, unknown>)[SIG_KEY] === SECRET_SIG;
}

/** True when `v` is or contains a secret at any depth. */
export function containsSecrets(v: unknown): boolean {
  if (isSecret(v)) return true;
  if (Array.isArray(v)) return v.some(containsSecrets);
  if (typeof v === 'object' && v !== null) return Object.values(v).some(containsSecrets);
  return false;
}

/** Deep copy of `obj` with every secret replaced by its plain value. */
export function unwrapSecrets<T = unknown>(obj: unknown): T {
  if (isSecret(obj)) return unwrapSecrets(obj.value);
  if (Array.isArray(obj)) return obj.map((e) => unwrapSecrets(e)) as T;
  if (typeof obj === 'object' && obj !== null) {
    return Object.fromEntries(Object.entries(obj).map(([k, e]) => [k, unwrapSecrets(e)])) as T;
  }
  return obj as T;
}

/**
 * The engine's annotateSecrets: an output becomes secret when the input of the same name contained a
 * secret; objects on both sides recurse, anything else (arrays included) is marked whole.
 */
function annotateSecrets(outs: Props, ins: Props): Props {
  const result: Props = { ...outs };
  for (const [key, inValue] of Object.entries(ins)) {
    if (!(key in result)) continue;
    const outValue = result[key];
    if (isPlainObject(outValue) && isPlainObject(inValue)) {
      result[key] = annotateSecrets(outValue, inValue);
    } else if (!isSecret(outValue) && containsSecrets(inValue)) {
      result[key] = secret(outValue);
    }
  }
  return result;
}

function isPlainObject(v: unknown): v is Props {
  return typeof v === 'object' && v !== null && !Array.isArray(v) && !isSecret(v);
}

/** URN of a midtrust dynamic resource in the harness's fake stack `test` of project `midtrust`. */
export function urnFor(type: string, name: string): string {
  return `urn:pulumi:test::midtrust::pulumi-nodejs:dynamic/midtrust:${type}::${name}`;
}

/**
 * Serializes a provider into the `__provider` text exactly as `dynamic.Resource` does
 * (`serializeFunction(() => provider, {allowSecrets: true})`, same captured variable name, so the
 * text is byte-identical — the self-test checks that against a real `dynamic.Resource`).
 */
export async function serializeProvider(provider: object): Promise<string> {
  // Loaded on demand: @pulumi/pulumi costs about a second to load.
  const pulumi = await import('@pulumi/pulumi');
  const sf = await pulumi.runtime.serializeFunction(() => provider, { allowSecrets: true });
  return sf.text;
}

/** One CheckFailure of a Check response. */
export interface CheckFailure {
  property: string;
  reason: string;
}

/** Result of {@link DynamicProviderHost.check}. */
export interface CheckResult {
  inputs: Props;
  failures: CheckFailure[];
}

/** Result of {@link DynamicProviderHost.diff}. */
export interface DiffResult {
  changes: 'DIFF_UNKNOWN' | 'DIFF_NONE' | 'DIFF_SOME';
  replaces: string[];
  deleteBeforeReplace: boolean;
  /** Always empty from the dynamic host: it never sets `diffs` or `detailedDiff`. */
  diffs: string[];
}

/** Options of {@link startDynamicProviderHost}. */
export interface DynamicProviderHostOptions {
  /** Pulumi project root: the host's cwd, so `require()` in the provider code resolves from it. */
  projectRoot: string;
  /** Extra environment for the host process (on top of process.env and the PULUMI_NODEJS_* below). */
  env?: Record<string, string>;
  /**
   * 'engine' (default): strip secrets from what is sent and re-mark outputs secret as the engine does
   * for a provider that answers acceptSecrets=false. 'raw': send and return values untouched.
   */
  secrets?: 'engine' | 'raw';
  /** Send an empty Configure before the first resource call, as the engine always does. Default true. */
  autoConfigure?: boolean;
  /** Milliseconds to wait for the port line. Default 30000. */
  startTimeoutMs?: number;
  /**
   * Starts the host another way (the Windows node.exe under Wine: test/helpers/windowsNode.ts).
   * Given the host script and environment, returns the process, its port and its stderr so far.
   */
  launch?: (hostScript: string, env: NodeJS.ProcessEnv) => { child: ChildProcess; port: Promise<number>; stderr: () => string };
}

/** A running SDK dynamic-provider host and a gRPC client to it. Methods take and return plain JS objects. */
export interface DynamicProviderHost {
  /** The host's port on 127.0.0.1. */
  readonly port: number;
  /** The host's pid. */
  readonly pid: number;
  /** Everything the host wrote to stderr so far (provider errors are logged there). */
  stderr(): string;
  /** Configure RPC; `config` keys like `midtrust:foo`. Returns acceptSecrets of the response. */
  configure(config?: Props): Promise<{ acceptSecrets: boolean }>;
  check(urn: string, olds: Props, news: Props): Promise<CheckResult>;
  diff(id: string, urn: string, olds: Props, news: Props): Promise<DiffResult>;
  create(urn: string, props: Props): Promise<{ id: string; properties: Props }>;
  /** `inputs` is only returned when the provider's read returned inputs. */
  read(id: string, urn: string, props: Props, inputs?: Props): Promise<{ id: string; properties: Props; inputs?: Props }>;
  update(id: string, urn: string, olds: Props, news: Props): Promise<{ properties: Props }>;
  delete(id: string, urn: string, props: Props): Promise<void>;
  /** Closes the channel and kills the host; resolves once the process has exited. */
  close(): Promise<void>;
}

const DIFF_NAMES: Record<number, DiffResult['changes']> = {
  [provproto.DiffResponse.DiffChanges.DIFF_UNKNOWN]: 'DIFF_UNKNOWN',
  [provproto.DiffResponse.DiffChanges.DIFF_NONE]: 'DIFF_NONE',
  [provproto.DiffResponse.DiffChanges.DIFF_SOME]: 'DIFF_SOME',
};

function toStruct(props: Props): Struct {
  return Struct.fromJavaScript(props as Record<string, JavaScriptValue>);
}

function fromStruct(s: Struct | undefined): Props {
  return (s?.toJavaScript() ?? {}) as Props;
}

/** Reads the first stdout line (the port); rejects with the host's stderr if it exits or times out first. */
function waitForPort(child: ChildProcess, stderrText: () => string, timeoutMs: number): Promise<number> {
  return new Promise((resolve, reject) => {
    const rl = readline.createInterface({ input: child.stdout! });
    const done = (err: Error | undefined, port?: number): void => {
      clearTimeout(timer);
      child.off('exit', onExit);
      rl.close();
      if (err) reject(err);
      else resolve(port!);
    };
    const onExit = (code: number | null, signal: string | null): void =>
      done(new Error(`dynamic provider host exited (${code ?? signal}) before printing its port: ${stderrText()}`));
    const timer = setTimeout(() => done(new Error(`dynamic provider host printed no port in ${timeoutMs} ms: ${stderrText()}`)), timeoutMs);
    child.once('exit', onExit);
    rl.once('line', (line) => {
      const port = Number(line.trim());
      if (Number.isInteger(port) && port > 0) done(undefined, port);
      else done(new Error(`unexpected first line from dynamic provider host: ${JSON.stringify(line)}`));
    });
  });
}

/**
 * Spawns `node <@pulumi/pulumi found from root>/cmd/dynamic-provider/index.js <engine>` with
 * cwd = project root and connects a ResourceProviderClient to it.
 */
export async function startDynamicProviderHost(opts: DynamicProviderHostOptions): Promise<DynamicProviderHost> {
  const root = path.resolve(opts.projectRoot);
  // Found from the project directory upwards, as Node (and so the engine's plugin launcher) finds it.
  let hostScript: string;
  try {
    hostScript = require.resolve('@pulumi/pulumi/cmd/dynamic-provider/index.js', { paths: [root] });
  } catch {
    // Not installed for that project: let the host fail to start, as the engine's launch would.
    hostScript = path.join(root, 'node_modules', '@pulumi', 'pulumi', 'cmd', 'dynamic-provider', 'index.js');
  }
  const engineMode = (opts.secrets ?? 'engine') === 'engine';
  const hostEnv = { ...process.env, PULUMI_NODEJS_PROJECT: 'midtrust', PULUMI_NODEJS_STACK: 'test', PULUMI_NODEJS_ROOT_DIRECTORY: root, ...opts.env };
  const launched = opts.launch?.(hostScript, hostEnv);
  const child = launched?.child ?? spawn(process.execPath, [hostScript, '127.0.0.1:1' /* never dialled, see header */], { cwd: root, env: hostEnv, stdio: ['ignore', 'pipe', 'pipe'] });
  let stderrBuf = '';
  child.stderr?.setEncoding('utf8');
  child.stderr?.on('data', (d: string) => {
    stderrBuf += d;
  });
  const stderrNow = launched?.stderr ?? ((): string => stderrBuf);
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));

  let port: number;
  try {
    port = await (launched?.port ?? waitForPort(child, () => stderrBuf, opts.startTimeoutMs ?? 30000));
  } catch (e) {
    child.kill('SIGKILL');
    await exited;
    throw e;
  }
  // Drain stdout after the port line so the host never blocks on a full pipe.
  child.stdout?.resume();

  const client = new ResourceProviderClient(`127.0.0.1:${port}`, grpc.credentials.createInsecure());

  /** Promisifies one unary call; a gRPC error keeps the provider's message (details) in its message. */
  const call = <Res>(start: (cb: (err: grpc.ServiceError | null, res: Res) => void) => unknown): Promise<Res> =>
    new Promise((resolve, reject) => {
      start((err, res) => {
        if (err) reject(new Error(`${err.details || err.message} (gRPC ${grpc.status[err.code] ?? err.code})`));
        else resolve(res);
      });
    });

  const send = (p: Props): Struct => toStruct(engineMode ? unwrapSecrets<Props>(p) : p);
  const receive = (s: Struct | undefined, ins: Props): Props => (engineMode ? annotateSecrets(fromStruct(s), ins) : fromStruct(s));

  let configured = false;
  const configure = async (config: Props = {}): Promise<{ acceptSecrets: boolean }> => {
    const req = new provproto.ConfigureRequest();
    req.setArgs(toStruct(config));
    configured = true;
    const res = await call<provproto.ConfigureResponse>((cb) => client.configure(req, cb));
    return { acceptSecrets: res.getAcceptsecrets() };
  };
  const ensureConfigured = async (): Promise<void> => {
    if (!configured && opts.autoConfigure !== false) await configure();
  };

  let closed = false;
  return {
    port,
    pid: child.pid!,
    stderr: stderrNow,
    configure,
    async check(urn, olds, news) {
      await ensureConfigured();
      const req = new provproto.CheckRequest();
      req.setUrn(urn);
      req.setOlds(send(olds));
      req.setNews(send(news));
      const res = await call<provproto.CheckResponse>((cb) => client.check(req, cb));
      return {
        inputs: receive(res.getInputs(), news),
        failures: res.getFailuresList().map((f) => ({ property: f.getProperty(), reason: f.getReason() })),
      };
    },
    async diff(id, urn, olds, news) {
      await ensureConfigured();
      const req = new provproto.DiffRequest();
      req.setId(id);
      req.setUrn(urn);
      req.setOlds(send(olds));
      req.setNews(send(news));
      const res = await call<provproto.DiffResponse>((cb) => client.diff(req, cb));
      return {
        changes: DIFF_NAMES[res.getChanges()] ?? 'DIFF_UNKNOWN',
        replaces: res.getReplacesList(),
        deleteBeforeReplace: res.getDeletebeforereplace(),
        diffs: res.getDiffsList(),
      };
    },
    async create(urn, props) {
      await ensureConfigured();
      const req = new provproto.CreateRequest();
      req.setUrn(urn);
      req.setProperties(send(props));
      const res = await call<provproto.CreateResponse>((cb) => client.create(req, cb));
      return { id: res.getId(), properties: receive(res.getProperties(), props) };
    },
    async read(id, urn, props, inputs) {
      await ensureConfigured();
      const req = new provproto.ReadRequest();
      req.setId(id);
      req.setUrn(urn);
      req.setProperties(send(props));
      if (inputs) req.setInputs(send(inputs));
      const res = await call<provproto.ReadResponse>((cb) => client.read(req, cb));
      const secretSource = { ...(inputs ?? {}), ...props };
      const out: { id: string; properties: Props; inputs?: Props } = {
        id: res.getId(),
        properties: receive(res.getProperties(), secretSource),
      };
      if (res.hasInputs()) out.inputs = receive(res.getInputs(), secretSource);
      return out;
    },
    async update(id, urn, olds, news) {
      await ensureConfigured();
      const req = new provproto.UpdateRequest();
      req.setId(id);
      req.setUrn(urn);
      req.setOlds(send(olds));
      req.setNews(send(news));
      const res = await call<provproto.UpdateResponse>((cb) => client.update(req, cb));
      return { properties: receive(res.getProperties(), news) };
    },
    async delete(id, urn, props) {
      await ensureConfigured();
      const req = new provproto.DeleteRequest();
      req.setId(id);
      req.setUrn(urn);
      req.setProperties(send(props));
      await call<unknown>((cb) => client.delete(req, cb));
    },
    async close() {
      if (closed) return exited;
      closed = true;
      client.close();
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
      await exited;
    },
  };
}
