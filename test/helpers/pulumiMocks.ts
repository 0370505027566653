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

/**
 * Runs `program` with mocks (project `midtrust`, stack `test`, not a preview), waits until every
 * registration RPC has finished and returns the recorded resources. Mock outputs echo the inputs and
 * the id is `<name>-id`.
 *
 * Registration failures (e.g. a provider that closure serialization rejects) reject the returned
 * promise: the SDK does not hand them to the program, it leaves them as unhandled rejections of the
 * resource's outputs, so they are caught here with a process-wide listener for the run's duration.
 * Runs must therefore not overlap within one process.
 */
export async function runWithMocks<T>(program: () => T | Promise<T>): Promise<MockRun<Awaited<T>>> {
  const pulumi = await import('@pulumi/pulumi');
  // waitForRPCs is internal (not in the typings) but exported; it is how `pulumi up` itself waits.
  const settings = (await import('@pulumi/pulumi/runtime/settings')) as unknown as { waitForRPCs(): Promise<void> };
  const resources: RegisteredResource[] = [];
  const failures: unknown[] = [];
  const onUnhandled = (reason: unknown): void => {
    failures.push(reason);
  };
  process.on('unhandledRejection', onUnhandled);
  try {
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
    const result = await program();
    await settings.waitForRPCs();
    // Rejections are reported as unhandled only after the microtask queue drains: give them a turn.
    await new Promise((resolve) => setImmediate(resolve));
    if (failures.length > 0) {
      const first = failures[0];
      const err = new Error(`Pulumi program registration failed: ${first instanceof Error ? first.message : String(first)}`);
      (err as Error & { failures: unknown[] }).failures = failures;
      throw err;
    }
    return { resources, result };
  } finally {
    process.off('unhandledRejection', onUnhandled);
  }
}
