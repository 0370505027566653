/**
 * Shared set-up of the deployment tests: stacks with their own state file, keystores made by
 * keytool, and the oracle's view of a store (keytool -list, dates included) to compare before and
 * after whole deployments.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { runKeytool, tempDir } from '../helpers/keytool';
import { Deployment } from '../helpers/deploymentEngine';
import { bundlePems, keytoolStore, PROJECT_ROOT } from './providerFixtures';

export const PASSWORD = 'Dep-pw-4e1b-not-changeit';

/** A temp area with a keytool-made "JDK" store (three vendor roots) to copy per scenario. */
export class Workspace {
  readonly dir = tempDir('midtrust-deploy-');
  private n = 0;
  private base: string | undefined;

  /** A fresh copy of the vendor store: what a MID's cacerts looks like before midtrust. */
  store(name = 'cacerts'): string {
    this.base ??= keytoolStore(path.join(this.dir, 'vendor-base.jks'), PASSWORD, { 'vendor-a': bundlePems()[0], 'vendor-b': bundlePems()[1], 'vendor-c': bundlePems()[2] });
    const dir = path.join(this.dir, `s${++this.n}`);
    fs.mkdirSync(dir);
    const file = path.join(dir, name);
    fs.copyFileSync(this.base, file);
    return file;
  }

  /** A stack with its own state file; every command runs a fresh dynamic-provider host in `projectRoot`. */
  stack(projectRoot = PROJECT_ROOT): Deployment {
    return new Deployment({ projectRoot, statePath: path.join(this.dir, `state-${++this.n}.json`), env: { MIDTRUST_TRACE: '1' } });
  }

  remove(): void {
    fs.rmSync(this.dir, { recursive: true, force: true });
  }
}

/**
 * keytool's own listing of a store — alias, creation date, kind and SHA-256 of every entry, sorted
 * as keytool prints them — the oracle's view that "as the resources found it" is judged by.
 */
export function keytoolView(store: string, password: string | undefined = PASSWORD): string {
  // A password-less store is listed as keytool lists it: an empty answer to its prompt.
  const out =
    password === undefined
      ? runKeytool(['-list', '-keystore', store], { input: '\n' })
      : runKeytool(['-list', '-keystore', store, '-storepass:env', 'MT_VIEW_PW'], { env: { MT_VIEW_PW: password } });
  // Drop the header (type, provider, count): the entries are what matter.
  return out.slice(out.indexOf('\n\n') + 2);
}

/** Alias → SHA-256 as keytool lists them. */
export function keytoolAliases(store: string, password: string | undefined = PASSWORD): Record<string, string> {
  return aliasesInView(keytoolView(store, password));
}

/** Alias → SHA-256 from a {@link keytoolView} listing (one keytool run serves both views). */
export function aliasesInView(view: string): Record<string, string> {
  const out: Record<string, string> = {};
  const lines = view.split('\n');
  lines.forEach((line, i) => {
    const m = /^(.*), [^,]+, [^,]+, trustedCertEntry,\s*$/.exec(line);
    const fp = /^Certificate fingerprint \(SHA-256\): ([0-9A-F:]+)/.exec(lines[i + 1] ?? '');
    if (m && fp) out[m[1]] = fp[1].replace(/:/g, '').toLowerCase();
  });
  return out;
}

/** The ownership record beside a store, or undefined. */
export function ownershipRecordOf(file: string): { records: Record<string, { owners: string[] }> } | undefined {
  const p = `${fs.realpathSync(file)}.midtrust-owners.json`;
  return fs.existsSync(p) ? JSON.parse(fs.readFileSync(p, 'utf8')) : undefined;
}

export { PROJECT_ROOT };
