/**
 * Plays whole Pulumi deployments — `preview`, `up`, `refresh`, `destroy` — over the SDK's real
 * dynamic-provider host, with the stack's state kept in a JSON file between commands, so resources
 * are judged by what a sequence of deployments does to the stores, not by single calls.
 *
 * The rules it follows are the engine's (pulumi/pulumi pkg/resource/deploy/step_generator.go and
 * step_executor.go, read for this harness):
 * - The program runs first (here under `setMocks`, recording each RegisterResourceRequest with its
 *   options); resources are stepped in registration order, each as soon as its parent and the
 *   resources its inputs depend on have finished — independent resources run in parallel, as the
 *   step executor runs them.
 * - A URN found in the old state, or an old URN named by the `aliases` option, is the same resource:
 *   `check(old inputs, new inputs)`, then `diff(id, old outputs, checked inputs)`. No change → a
 *   "same" step (old outputs kept, no provider call); changes without replaces → `update`; replaces →
 *   create the replacement first and delete the old resource at the end of the run ("the delete step
 *   is generated later on, after all creates/updates finish"), unless the diff asks for
 *   deleteBeforeReplace, then delete first.
 * - A URN that is not in the old state (a renamed resource without `aliases`) → `create`.
 * - After every create and update: deletes of the replaced resources and of old resources the
 *   program no longer registers, walking the old state backwards (it is in dependency order, so
 *   dependents go before what they depend on). `retainOnDelete` resources leave the state without a
 *   delete call.
 * - `refresh` calls `read` for every resource; an empty id drops it from the state, returned inputs
 *   replace the stored ones. `destroy` deletes every resource, backwards.
 * - read and delete get the resource's *stored* outputs, whose `__provider` is the one recorded in
 *   the state (the program's new provider text only reaches check/diff/create/update), exactly as
 *   the engine sends them.
 * - Every command starts a fresh dynamic-provider host, as every `pulumi` command starts its own
 *   plugin processes: nothing held in memory survives from one command to the next.
 * - Secrets: the host helper strips them before sending and re-marks outputs as the engine does for
 *   a provider that does not accept secrets; the state file keeps them in the engine's wire form.
 */
import * as fs from 'node:fs';
import { startDynamicProviderHost, type DynamicProviderHost, type Props } from './dynamicProviderHost';
import { runWithMocks, type MockRunOptions, type RegisteredResource } from './pulumiMocks';

/** One resource in the stack's state, as the engine's snapshot keeps it. */
export interface StateResource {
  urn: string;
  type: string;
  custom: boolean;
  parent?: string;
  id?: string;
  inputs: Props;
  outputs: Props;
  dependencies: string[];
  retainOnDelete?: boolean;
}

/** The stack's state file: resources in dependency (registration) order. */
export interface StackState {
  resources: StateResource[];
}

/** One step the engine took, for assertions and failure messages. */
export interface Step {
  op: 'create' | 'update' | 'same' | 'replace' | 'delete' | 'delete-replaced' | 'read' | 'refresh-gone' | 'retain';
  urn: string;
}

/** Options of {@link Deployment}. */
export interface DeploymentOptions {
  /** The Pulumi project directory: the dynamic-provider host's working directory. */
  projectRoot: string;
  /** Where the state lives between commands (JSON). */
  statePath: string;
  /** Extra environment for the host (e.g. MIDTRUST_TRACE). */
  env?: Record<string, string>;
}

/** A program: registers resources (the body of a Pulumi program). */
export type Program = () => void | Promise<void>;

/** A stack driven command by command, as `pulumi preview|up|refresh|destroy` drive one. */
export class Deployment {
  /** Everything the hosts of this deployment wrote to stderr (trace lines, errors). */
  hostLog = '';

  constructor(readonly opts: DeploymentOptions) {}

  /** The state as the last command left it. */
  state(): StackState {
    if (!fs.existsSync(this.opts.statePath)) return { resources: [] };
    return JSON.parse(fs.readFileSync(this.opts.statePath, 'utf8')) as StackState;
  }

  private save(state: StackState): void {
    fs.writeFileSync(this.opts.statePath, `${JSON.stringify(state, null, 1)}\n`, { mode: 0o600 });
  }

  private async withHost<T>(fn: (host: DynamicProviderHost) => Promise<T>): Promise<T> {
    const host = await startDynamicProviderHost({ projectRoot: this.opts.projectRoot, ...(this.opts.env ? { env: this.opts.env } : {}) });
    try {
      return await fn(host);
    } finally {
      this.hostLog += host.stderr();
      await host.close();
    }
  }

  /** `pulumi preview`: check and diff only; returns what `up` would do. Writes nothing, not even the state. */
  async preview(program: Program, options: Omit<MockRunOptions, 'preview'> = {}): Promise<Step[]> {
    const { resources } = await runWithMocks(program, { ...options, preview: true });
    const old = this.state();
    return this.withHost(async (host) => {
      const steps: Step[] = [];
      const claimed = new Set<string>();
      for (const reg of resources) {
        const prior = findOld(old, reg, claimed);
        if (!reg.custom) continue;
        const checked = await checkOrThrow(host, reg, prior);
        if (!prior) {
          steps.push({ op: 'create', urn: reg.urn });
          continue;
        }
        const d = await host.diff(prior.id ?? '', reg.urn, prior.outputs, checked);
        steps.push({ op: d.changes === 'DIFF_NONE' ? 'same' : d.replaces.length > 0 ? 'replace' : 'update', urn: reg.urn });
      }
      for (const r of [...old.resources].reverse()) if (r.custom && !claimed.has(r.urn)) steps.push({ op: 'delete', urn: r.urn });
      return steps;
    });
  }

  /** `pulumi up`: runs the program and steps every resource in the engine's order; saves the state. */
  async up(program: Program, options: Omit<MockRunOptions, 'preview'> = {}): Promise<Step[]> {
    const { resources } = await runWithMocks(program, options);
    const old = this.state();
    return this.withHost(async (host) => {
      const steps: Step[] = [];
      const claimed = new Set<string>();
      const replaced: StateResource[] = [];
      const next = new Map<string, StateResource>();
      const done = new Map<string, Promise<void>>();
      const stepOne = async (reg: RegisteredResource, prior: StateResource | undefined): Promise<void> => {
        await Promise.all(reg.dependencies.map((d) => done.get(d)).filter(Boolean));
        const base = { urn: reg.urn, type: reg.type, custom: reg.custom, ...(reg.parent ? { parent: reg.parent } : {}), dependencies: reg.dependencies, ...(reg.retainOnDelete ? { retainOnDelete: true } : {}) };
        if (!reg.custom) {
          next.set(reg.urn, { ...base, inputs: reg.rawInputs, outputs: reg.rawInputs });
          return;
        }
        const checked = await checkOrThrow(host, reg, prior);
        if (!prior) {
          const created = await host.create(reg.urn, checked);
          next.set(reg.urn, { ...base, id: created.id, inputs: checked, outputs: created.properties });
          steps.push({ op: 'create', urn: reg.urn });
          return;
        }
        const d = await host.diff(prior.id ?? '', reg.urn, prior.outputs, checked);
        if (d.changes === 'DIFF_NONE') {
          next.set(reg.urn, { ...base, id: prior.id, inputs: checked, outputs: prior.outputs });
          steps.push({ op: 'same', urn: reg.urn });
        } else if (d.replaces.length > 0) {
          if (d.deleteBeforeReplace) await host.delete(prior.id ?? '', prior.urn, prior.outputs);
          else replaced.push(prior);
          const created = await host.create(reg.urn, checked);
          next.set(reg.urn, { ...base, id: created.id, inputs: checked, outputs: created.properties });
          steps.push({ op: 'replace', urn: reg.urn });
        } else {
          const updated = await host.update(prior.id ?? '', reg.urn, prior.outputs, checked);
          next.set(reg.urn, { ...base, id: prior.id, inputs: checked, outputs: updated.properties });
          steps.push({ op: 'update', urn: reg.urn });
        }
      };
      const priorOf = new Map<string, StateResource>();
      for (const reg of resources) {
        const prior = findOld(old, reg, claimed);
        if (prior) priorOf.set(reg.urn, prior);
        done.set(reg.urn, stepOne(reg, prior));
      }
      const outcomes = await Promise.allSettled(done.values());
      const failed = outcomes.find((o): o is PromiseRejectedResult => o.status === 'rejected');
      if (failed) {
        // As the engine leaves it after a failed step: finished steps recorded, everything else as it was.
        const saved = old.resources.map((r) => {
          const reg = resources.find((x) => priorOf.get(x.urn) === r && next.has(x.urn));
          return reg ? next.get(reg.urn)! : r;
        });
        for (const reg of resources) if (!priorOf.has(reg.urn) && next.has(reg.urn)) saved.push(next.get(reg.urn)!);
        this.save({ resources: saved });
        throw failed.reason;
      }
      // Deletes after every create and update: replaced resources and those no longer registered, backwards.
      const gone = [...old.resources].reverse().filter((r) => !claimed.has(r.urn) || replaced.includes(r));
      for (const r of gone) {
        if (r.custom && !r.retainOnDelete) await host.delete(r.id ?? '', r.urn, r.outputs);
        steps.push({ op: r.retainOnDelete ? 'retain' : replaced.includes(r) ? 'delete-replaced' : 'delete', urn: r.urn });
      }
      this.save({ resources: resources.map((r) => next.get(r.urn)!) });
      return steps;
    });
  }

  /** `pulumi refresh`: `read` with the stored outputs (and their recorded provider); saves the state. */
  async refresh(): Promise<Step[]> {
    const old = this.state();
    return this.withHost(async (host) => {
      const steps: Step[] = [];
      const kept: StateResource[] = [];
      for (const r of old.resources) {
        if (!r.custom) {
          kept.push(r);
          continue;
        }
        const res = await host.read(r.id ?? '', r.urn, r.outputs, r.inputs);
        if (res.id === '') {
          steps.push({ op: 'refresh-gone', urn: r.urn });
          continue;
        }
        kept.push({ ...r, id: res.id, outputs: res.properties, inputs: res.inputs ?? r.inputs });
        steps.push({ op: 'read', urn: r.urn });
      }
      this.save({ resources: kept });
      return steps;
    });
  }

  /** `pulumi destroy`: deletes every resource backwards (retainOnDelete ones leave the state only). */
  async destroy(): Promise<Step[]> {
    const old = this.state();
    return this.withHost(async (host) => {
      const steps: Step[] = [];
      const left = [...old.resources];
      for (const r of [...old.resources].reverse()) {
        if (r.custom && !r.retainOnDelete) await host.delete(r.id ?? '', r.urn, r.outputs);
        steps.push({ op: r.retainOnDelete ? 'retain' : 'delete', urn: r.urn });
        left.splice(left.indexOf(r), 1);
        this.save({ resources: left });
      }
      return steps;
    });
  }
}

/** The old resource a registration continues: same URN, or one of its aliases (first match wins). */
function findOld(old: StackState, reg: RegisteredResource, claimed: Set<string>): StateResource | undefined {
  for (const urn of [reg.urn, ...reg.aliases]) {
    const prior = old.resources.find((r) => r.urn === urn && !claimed.has(r.urn));
    if (prior) {
      claimed.add(prior.urn);
      return prior;
    }
  }
  return undefined;
}

/** `check`; failures fail the deployment, as the engine reports them before any step. */
async function checkOrThrow(host: DynamicProviderHost, reg: RegisteredResource, prior: StateResource | undefined): Promise<Props> {
  const res = await host.check(reg.urn, prior?.inputs ?? {}, reg.rawInputs);
  if (res.failures.length > 0) throw new Error(`${reg.urn}: ${res.failures.map((f) => `${f.property}: ${f.reason}`).join('; ')}`);
  return res.inputs;
}
