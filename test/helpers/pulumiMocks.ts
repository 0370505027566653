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
export async function runWithMocks<T>(program: () => T | Promise<T>): Promise<MockRun<Awaited<T>>> {
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
    await pulumi.runtime.setMocks(
      {
        newResource(args) {
          const rawInputs = args.inputs as Record<string, unknown>;
          resources.push({
            type: args.type,
            name: args.name,
            inputs: unwrapSecrets(rawInputs),
            rawInputs,
            secretInputs: Object.keys(rawInputs)
              .filter((k) => isSecret(rawInputs[k]) || containsSecrets(rawInputs[k]))
              .sort(),
            custom: args.custom ?? false,
            ...(args.provider ? { provider: args.provider } : {}),
          });
          return { id: `${args.name}-id`, state: args.inputs };
        },
        call(args) {
          return args.inputs;
        },
      },
      'midtrust',
      'test',
      false,
    );
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
