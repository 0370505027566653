/**
 * Runs a Pulumi program under `pulumi.runtime.setMocks` and records what it registers. This checks
 * registration (type tokens, names, inputs, the serialized `__provider`, which inputs are secret);
 * it never calls check/diff/create/read — use dynamicProviderHost.ts for those.
 */
import { isSecret, containsSecrets, unwrapSecrets } from './dynamicProviderHost';

/** One resource the program registered. */
export interface RegisteredResource {
  /** Type token, e.g. `pulumi-nodejs:dynamic/midtrust:TrustedCertificate`. */
  type: string;
  name: string;
  /** Inputs with secrets unwrapped; includes `__provider` for dynamic resources. */
  inputs: Record<string, unknown>;
  /** Inputs exactly as the mock monitor saw them (secrets still in wire encoding). */
  rawInputs: Record<string, unknown>;
  /** Top-level input names whose value is or contains a secret, sorted. */
  secretInputs: string[];
  custom: boolean;
  /** Provider reference (`urn::id`) when an explicit provider resource was given. */
  provider?: string;
  /** The URN the engine gives it (parent types chained with `$`, as the engine and the mock monitor build it). */
  urn: string;
  /** Parent URN (a component such as MidServerFleet), when it has one. */
  parent?: string;
  /** URNs it depends on: its parent, resources its inputs come from, `dependsOn`. */
  dependencies: string[];
  /** URNs it was known by before (the `aliases` option), resolved as the engine does. */
  aliases: string[];
  /** The `retainOnDelete` option. */
  retainOnDelete: boolean;
  /** The `deleteBeforeReplace` option. */
  deleteBeforeReplace: boolean;
}

/** Options of {@link runWithMocks}. */
export interface MockRunOptions {
  /** Run as `pulumi preview` would (`pulumi.runtime.isDryRun()` is true). Default false. */
  preview?: boolean;
  /** Stack config (`<project>:<key>` → value), as `pulumi config set` would store it. */
  config?: Record<string, string>;
  /** Config keys that were set with `--secret`. */
  secretConfig?: string[];
}

/** What {@link runWithMocks} returns. */
export interface MockRun<T> {
  /** Registered resources in registration order. */
  resources: RegisteredResource[];
  /** The program's return value. */
  result: T;
}

type OutputInternals = { isKnown: Promise<boolean>; isSecret: Promise<boolean>; promise(): Promise<unknown> };

/**
 * Runs `program` with mocks (project `midtrust`, stack `test`, not a preview), waits until every
 * registration RPC has finished and returns the recorded resources. Mock outputs echo the inputs and
 * the id is `<name>-id`.
 *
 * Registration failures (e.g. a provider that closure serialization rejects) reject the returned
 * promise. The SDK never hands them to the program: `pulumi up` relies on the language host's
 * process-wide unhandled-rejection handler, and under jest those rejections fail whatever test is
 * running. A failed registration leaves three kinds of dangling rejected promises, each handled here
 * by wrapping an SDK internal for the run's duration (restored afterwards):
 * 1. the registerResource chain (`debuggablePromise` labelled `resource:<name>[<type>]`) — recorded;
 * 2. isKnown/isSecret of every input Output, e.g. the `__provider` Output (`serializeResourceProperties`);
 * 3. every output of the resource itself (watched when it enters the pending-registration map,
 *    which happens synchronously in its constructor).
 * Runs must not overlap within one process.
 */
export async function runWithMocks<T>(program: () => T | Promise<T>, options: MockRunOptions = {}): Promise<MockRun<Awaited<T>>> {
  const pulumi = await import('@pulumi/pulumi');
  // Internal modules (exported at runtime, absent from the typings).
  const settings = (await import('@pulumi/pulumi/runtime/settings')) as unknown as { waitForRPCs(): Promise<void> };
  const state = (await import('@pulumi/pulumi/runtime/state')) as unknown as {
    getPendingResourceRegistrations(): Map<object, unknown>;
  };
  type Debuggable = { debuggablePromise<U>(p: Promise<U>, ctx: unknown): Promise<U> };
  const debuggable = (await import('@pulumi/pulumi/runtime/debuggable')) as unknown as Debuggable;
  type Rpc = { serializeResourceProperties(label: string, props: Record<string, unknown>, opts: unknown): Promise<unknown> };
  const rpc = (await import('@pulumi/pulumi/runtime/rpc')) as unknown as Rpc;

  const resources: RegisteredResource[] = [];
  const failures = new Set<unknown>();
  const quiet = (value: unknown): void => {
    if (!pulumi.Output.isInstance(value)) return;
    const out = value as unknown as OutputInternals;
    // isKnown and isSecret are an Output's terminal promises; the error itself is recorded by (1).
    out.isKnown.catch(() => undefined);
    out.isSecret.catch(() => undefined);
    out.promise().catch(() => undefined);
  };

  const originalDebuggable = debuggable.debuggablePromise;
  const originalSerialize = rpc.serializeResourceProperties;
  let pending: Map<object, unknown> | undefined;
  try {
    debuggable.debuggablePromise = <U>(p: Promise<U>, ctx: unknown): Promise<U> => {
      const result = originalDebuggable(p, ctx);
      if (typeof ctx === 'string' && ctx.startsWith('resource:')) result.catch((e: unknown) => failures.add(e));
      return result;
    };
    rpc.serializeResourceProperties = (label, props, opts) => {
      Object.values(props).forEach(quiet);
      return originalSerialize(label, props, opts);
    };
    pulumi.runtime.setAllConfig(options.config ?? {}, options.secretConfig ?? []);
    await pulumi.runtime.setMocks(
      {
        newResource(args) {
          return { id: `${args.name}-id`, state: args.inputs };
        },
        call(args) {
          return args.inputs;
        },
      },
      'midtrust',
      'test',
      options.preview ?? false,
    );
    // Record what the engine would get: the whole RegisterResourceRequest, options included.
    const monitor = (settings as unknown as { getMonitor(): MockMonitorInternals }).getMonitor();
    const originalRegister = monitor.registerResource.bind(monitor);
    monitor.registerResource = (req, callback) => {
      // The wire form the engine receives: secrets signature-wrapped, preview unknowns as the sentinel.
      const rawInputs = req.getObject().toJavaScript() as Record<string, unknown>;
      const urn = monitor.newUrn(req.getParent(), req.getType(), req.getName());
      resources.push({
        type: req.getType(),
        name: req.getName(),
        inputs: unwrapSecrets(rawInputs),
        rawInputs,
        secretInputs: Object.keys(rawInputs)
          .filter((k) => isSecret(rawInputs[k]) || containsSecrets(rawInputs[k]))
          .sort(),
        custom: req.getCustom(),
        ...(req.getProvider() ? { provider: req.getProvider() } : {}),
        urn,
        ...(req.getParent() ? { parent: req.getParent() } : {}),
        dependencies: [...new Set([...(req.getParent() ? [req.getParent()] : []), ...req.getDependenciesList()])],
        aliases: req.getAliasesList().map((a) => aliasUrn(monitor, a, req)),
        retainOnDelete: req.getRetainondelete?.() ?? false,
        deleteBeforeReplace: req.getDeletebeforereplace(),
      });
      return originalRegister(req, callback);
    };
    pending = state.getPendingResourceRegistrations();
    const originalSet = pending.set;
    pending.set = function (res: object, value: unknown) {
      Object.values(res).forEach(quiet);
      return originalSet.call(this, res, value);
    };
    const result = await program();
    await settings.waitForRPCs();
    if (failures.size > 0) {
      const first = [...failures][0];
      const err = new Error(`Pulumi program registration failed: ${first instanceof Error ? first.message : String(first)}`);
      (err as Error & { failures: unknown[] }).failures = [...failures];
      throw err;
    }
    return { resources, result };
  } finally {
    debuggable.debuggablePromise = originalDebuggable;
    rpc.serializeResourceProperties = originalSerialize;
    // Drop the instance override so Map.prototype.set applies again.
    if (pending) delete (pending as { set?: unknown }).set;
  }
}

/** The parts of the SDK's MockMonitor and its requests this helper uses (internal, untyped upstream). */
interface RegisterRequest {
  getType(): string;
  getName(): string;
  getParent(): string;
  getCustom(): boolean;
  getProvider(): string;
  getObject(): { toJavaScript(): unknown };
  getDependenciesList(): string[];
  getAliasesList(): AliasMessage[];
  getRetainondelete?(): boolean;
  getDeletebeforereplace(): boolean;
}

interface AliasMessage {
  getUrn(): string;
  hasSpec(): boolean;
  getSpec(): { getName(): string; getType(): string; getStack(): string; getProject(): string; getParenturn(): string; getNoparent(): boolean } | undefined;
}

interface MockMonitorInternals {
  newUrn(parent: string, type: string, name: string): string;
  registerResource(req: RegisterRequest, callback: (err: unknown, res?: unknown) => void): unknown;
}

/**
 * The URN an `aliases` entry names, resolved as the engine does (pkg/resource/deploy: an alias spec's
 * missing name/type/stack/project default to the resource's own, its parent to the resource's parent
 * unless `noParent`).
 */
function aliasUrn(monitor: MockMonitorInternals, alias: AliasMessage, req: RegisterRequest): string {
  if (!alias.hasSpec()) return alias.getUrn();
  const spec = alias.getSpec()!;
  const parent = spec.getNoparent() ? '' : spec.getParenturn() || req.getParent();
  const urn = monitor.newUrn(parent, spec.getType() || req.getType(), spec.getName() || req.getName());
  if (!spec.getStack() && !spec.getProject()) return urn;
  const parts = urn.split('::');
  if (spec.getStack()) parts[0] = `urn:pulumi:${spec.getStack()}`;
  if (spec.getProject()) parts[1] = spec.getProject();
  return parts.join('::');
}
