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
 * The provider a resource class constructs: the library found through the installed package, or
 * through its path *relative to the Pulumi project* (the program's working directory, which is also
 * the dynamic-provider host's) — never an absolute path of the machine that ran `pulumi up`, so
 * state written from one checkout refreshes and destroys from another.
 *
 * @example
 * new pulumi.dynamic.Resource(providerFor('trustedCertificateOps'), name, props, opts, 'midtrust', 'TrustedCertificate');
 */
export function providerFor(opsModule: OpsModule): MidtrustProvider {
  const relative = path.relative(process.cwd(), compiledResourcesDir()).split(path.sep).join('/');
  return new MidtrustProvider(opsModule, relative === '' ? '.' : relative);
}

/**
 * The dynamic provider of every midtrust resource. Pulumi serializes this object into the state as
 * code and runs it in its dynamic-provider host, so it is deliberately thin and serializable
 * (FACTS.md §3): a plain class with methods, two string fields, and `require` inside the methods —
 * no captured modules, native functions or arrow-function fields.
 *
 * How the host finds the library (`require` in deserialized code resolves from the Pulumi
 * project's directory, the host's working directory): first the installed package
 * `midtrust/dist/provider/resources/<ops>` — a project that installed midtrust finds it there, on
 * any machine; then `libraryDir` resolved against the project directory (this repository's own
 * Pulumi.yaml, where midtrust *is* the project: `dist/provider/resources`). State from before
 * relative paths holds an absolute `libraryDir`, which resolves to itself.
 *
 * @example
 * providerFor('trustedCertificateOps').ops().check({}, inputs);
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

  /** Loads the ops module: the installed package first, then `libraryDir` from the project directory (see the class comment). */
  ops(): ResourceOps {
    const packaged = `midtrust/dist/provider/resources/${this.opsModule}`;
    try {
      return require(packaged) as ResourceOps;
    } catch (e) {
      // Only "midtrust itself is not installed" falls through; a broken install must say so.
      const err = e as { code?: string; message?: string };
      if (err.code !== 'MODULE_NOT_FOUND' || !String(err.message).includes(packaged)) throw e;
    }
    const nodePath = require('node:path') as typeof import('node:path');
    const local = nodePath.resolve(process.cwd(), this.libraryDir, this.opsModule);
    try {
      return require(local) as ResourceOps;
    } catch (e) {
      const err = e as { code?: string; message?: string };
      if (err.code !== 'MODULE_NOT_FOUND' || !String(err.message).includes(local)) throw e;
      throw new Error(
        `midtrust: the provider code was found neither as the package 'midtrust' nor at ${local} (${this.libraryDir} from the Pulumi project ${process.cwd()}); ` +
          'install midtrust in the Pulumi project (npm install midtrust), or run npm run build in this checkout',
      );
    }
  }
}
