import * as path from 'node:path';
import type { dynamic } from '@pulumi/pulumi';

/** The functions an ops module (trustedCertificateOps, truststoreOps) exports, one per provider method. */
interface ResourceOps {
  check(olds: Record<string, unknown>, news: Record<string, unknown>): dynamic.CheckResult;
  diff(id: string, olds: Record<string, unknown>, news: Record<string, unknown>): dynamic.DiffResult;
  create(props: Record<string, unknown>): Promise<dynamic.CreateResult>;
  read(id: string, props: Record<string, unknown>): Promise<dynamic.ReadResult>;
  update(id: string, olds: Record<string, unknown>, news: Record<string, unknown>): Promise<dynamic.UpdateResult>;
  delete(id: string, props: Record<string, unknown>): Promise<void>;
}

/** The ops modules a provider can forward to. */
export type OpsModule = 'trustedCertificateOps' | 'truststoreOps' | 'truststoreMigrationStrategyOps' | 'midServerParameterOps' | 'externalTruststoreOps';

/**
 * The directory holding the compiled resources modules (dist/provider/resources). From sources
 * (ts-jest, ts-node) that is the sibling dist/ tree, since the dynamic-provider host is plain node
 * and cannot load .ts files — run `npm run build` first.
 */
export function compiledResourcesDir(): string {
  return __filename.endsWith('.ts') ? path.resolve(__dirname, '..', '..', 'dist', 'provider', 'resources') : __dirname;
}

/**
 * The dynamic provider of both midtrust resources. Pulumi serializes this object into the state as
 * code and runs it in its dynamic-provider host, so it is deliberately thin and serializable
 * (FACTS.md §3): a plain class with methods, two string fields, and `require` inside the methods —
 * no captured modules, native functions or arrow-function fields.
 *
 * How the host finds the library: `require` in deserialized code resolves from the Pulumi project's
 * directory. First `midtrust/dist/provider/resources/<ops>` — a project that installed midtrust as a
 * package finds it there, on any machine, so the state stays portable. When that package is not
 * installed (this repository's own Pulumi.yaml, where midtrust *is* the project, or a program that
 * loaded midtrust by path), the absolute directory captured as a string when the resource was
 * constructed (`libraryDir`) is used instead.
 *
 * @example
 * new pulumi.dynamic.Resource(new MidtrustProvider('trustedCertificateOps', compiledResourcesDir()), name, props, opts, 'midtrust', 'TrustedCertificate');
 */
export class MidtrustProvider {
  constructor(
    readonly opsModule: OpsModule,
    readonly libraryDir: string,
  ) {}

  async check(olds: Record<string, unknown>, news: Record<string, unknown>): Promise<dynamic.CheckResult> {
    return this.ops().check(olds, news);
  }

  async diff(id: string, olds: Record<string, unknown>, news: Record<string, unknown>): Promise<dynamic.DiffResult> {
    return this.ops().diff(id, olds, news);
  }

  async create(props: Record<string, unknown>): Promise<dynamic.CreateResult> {
    return this.ops().create(props);
  }

  async read(id: string, props: Record<string, unknown>): Promise<dynamic.ReadResult> {
    return this.ops().read(id, props);
  }

  async update(id: string, olds: Record<string, unknown>, news: Record<string, unknown>): Promise<dynamic.UpdateResult> {
    return this.ops().update(id, olds, news);
  }

  async delete(id: string, props: Record<string, unknown>): Promise<void> {
    return this.ops().delete(id, props);
  }

  /** Loads the ops module: the installed package first, then the captured directory (see the class comment). */
  ops(): ResourceOps {
    const packaged = `midtrust/dist/provider/resources/${this.opsModule}`;
    try {
      return require(packaged) as ResourceOps;
    } catch (e) {
      // Only "midtrust itself is not installed" falls through; a broken install must say so.
      const err = e as { code?: string; message?: string };
      if (err.code !== 'MODULE_NOT_FOUND' || !String(err.message).includes(packaged)) throw e;
    }
    return require(`${this.libraryDir}/${this.opsModule}`) as ResourceOps;
  }
}
