/**
 * Pulumi at scale without the Pulumi CLI (it cannot be installed here): the program runs under
 * `pulumi.runtime.setMocks`, which records what each resource registers — its type token, name and
 * inputs, the serialized `__provider` included, exactly as the engine would receive them — and the
 * recorded resources are then driven through the SDK's real dynamic-provider host over gRPC
 * (test/helpers/dynamicProviderHost.ts): Check then Create for `up`, Read for `refresh`, Delete
 * for `destroy`. Only the public resource classes and the host are involved, so the bench follows
 * whatever the resources do inside.
 *
 * Parallelism: the engine starts a step as soon as the resources it depends on are done and, by
 * default, puts no bound on how many run at once; these resources depend on nothing, so every
 * step of a phase is sent at once.
 */
import * as fs from 'node:fs';
import { startDynamicProviderHost, type DynamicProviderHost, type Props } from '../test/helpers/dynamicProviderHost';

/** A custom resource as the program registered it. */
export interface Registration {
  readonly type: string;
  readonly name: string;
  readonly inputs: Props;
}

/** The URN the engine would give (project midtrust, stack bench). */
export function urnOf(r: Registration): string {
  return `urn:pulumi:bench::midtrust::${r.type}::${r.name}`;
}

/**
 * Runs `program` under Pulumi's mocks and returns the dynamic (midtrust) resources it registered,
 * in registration order, once every registration has happened.
 */
export async function registrationsOf(program: () => Array<{ urn: { apply: (f: (u: string) => void) => unknown } }>): Promise<Registration[]> {
  const pulumi = await import('@pulumi/pulumi');
  const registered: Registration[] = [];
  await pulumi.runtime.setMocks(
    {
      newResource(args) {
        if (args.type.startsWith('pulumi-nodejs:dynamic/')) registered.push({ type: args.type, name: args.name, inputs: args.inputs as Props });
        return { id: `${args.name}-id`, state: args.inputs };
      },
      call(args) {
        return args.inputs;
      },
    },
    'midtrust',
    'bench',
    false,
  );
  const resources = program();
  await Promise.all(resources.map((r) => new Promise<void>((resolve) => r.urn.apply(() => resolve()))));
  return registered;
}

/** A created resource: what the engine keeps in state. */
export interface Created {
  readonly registration: Registration;
  readonly id: string;
  readonly outputs: Props;
}

/** The host's trace lines since `from`: how many store writes they report (a batch of s changes logs s lines). */
export function writesInTrace(stderr: string): { writes: number; batchSizes: number[] } {
  const sizes = [...stderr.matchAll(/wrote .* \(batch of (\d+)\)/g)].map((m) => Number(m[1]));
  const writes = Math.round(sizes.reduce((acc, s) => acc + 1 / s, 0));
  const batchSizes: number[] = [];
  // Each batch contributes `size` lines; list each batch once.
  const remaining = new Map<number, number>();
  for (const s of sizes) remaining.set(s, (remaining.get(s) ?? 0) + 1);
  for (const [s, lines] of remaining) for (let k = 0; k < Math.round(lines / s); k++) batchSizes.push(s);
  return { writes, batchSizes: batchSizes.sort((a, b) => b - a) };
}

/** One phase (up, refresh, destroy) of a Pulumi run: wall time, store writes, the host's peak memory. */
export interface PhaseResult {
  readonly ms: number;
  readonly writes: number;
  readonly batchSizes: number[];
  readonly hostPeakRssMiB?: number;
}

/** Peak resident memory of a process so far (VmHWM), in MiB. */
export function peakRssMiB(pid: number): number | undefined {
  try {
    const kb = Number(/VmHWM:\s+(\d+)/.exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1]);
    return Number.isFinite(kb) ? kb / 1024 : undefined;
  } catch {
    return undefined;
  }
}

/** The SDK's dynamic-provider host with write tracing on, its cwd the repo root (the program's project); secrets handled as the engine does. */
export function startHost(projectRoot: string, env: Record<string, string> = {}): Promise<DynamicProviderHost> {
  return startDynamicProviderHost({ projectRoot, env: { MIDTRUST_TRACE: '1', ...env } });
}

/**
 * Runs a phase and reads its trace. Each change logs one `midtrust: ` line; the host's stderr can
 * arrive after the gRPC answers, so the count waits (up to 10 s) for `traceLines` of them.
 */
async function phase<T>(host: DynamicProviderHost, traceLines: number, run: () => Promise<T>): Promise<{ value: T; result: PhaseResult }> {
  const from = host.stderr().length;
  const t0 = process.hrtime.bigint();
  const value = await run();
  const ms = Number(process.hrtime.bigint() - t0) / 1e6;
  const lines = (): number => (host.stderr().slice(from).match(/^midtrust: /gm) ?? []).length;
  for (const deadline = Date.now() + 10_000; lines() < traceLines && Date.now() < deadline; ) await new Promise((r) => setTimeout(r, 20));
  if (lines() < traceLines) throw new Error(`the host traced ${lines()} changes, expected ${traceLines}: ${host.stderr().slice(from).slice(-2000)}`);
  const { writes, batchSizes } = writesInTrace(host.stderr().slice(from));
  return { value, result: { ms, writes, batchSizes, hostPeakRssMiB: peakRssMiB(host.pid) } };
}

/** `pulumi up` of new resources: Check, then Create with the checked inputs, all at once. */
export async function up(host: DynamicProviderHost, registrations: readonly Registration[]): Promise<{ created: Created[]; result: PhaseResult }> {
  const { value, result } = await phase(host, registrations.length, () =>
    Promise.all(
      registrations.map(async (r) => {
        const checked = await host.check(urnOf(r), {}, r.inputs);
        if (checked.failures.length) throw new Error(`check of ${r.name} failed: ${JSON.stringify(checked.failures)}`);
        const made = await host.create(urnOf(r), checked.inputs);
        return { registration: r, id: made.id, outputs: made.properties };
      }),
    ),
  );
  return { created: value, result };
}

/** `pulumi refresh`: Read of every resource with its recorded outputs and inputs; the ids that came back. */
export async function refresh(host: DynamicProviderHost, created: readonly Created[]): Promise<{ ids: string[]; result: PhaseResult }> {
  const { value, result } = await phase(host, 0, () => Promise.all(created.map(async (c) => (await host.read(c.id, urnOf(c.registration), c.outputs, c.registration.inputs)).id)));
  return { ids: value, result };
}

/** `pulumi destroy`: Delete of every resource with its recorded outputs. */
export async function destroy(host: DynamicProviderHost, created: readonly Created[]): Promise<PhaseResult> {
  const { result } = await phase(host, created.length, () => Promise.all(created.map((c) => host.delete(c.id, urnOf(c.registration), c.outputs))));
  return result;
}
