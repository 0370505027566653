/**
 * Shared set-up of the provider tests: real CA certificates from the system bundle, keystores made
 * by keytool (the oracle), the serialized providers and a search for leaked passwords.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { runKeytool } from '../helpers/keytool';
import { serializeProvider, unwrapSecrets, type Props } from '../helpers/dynamicProviderHost';
import { compiledResourcesDir, MidtrustProvider, type OpsModule } from '../../provider/resources/midtrustProvider';

export const PROJECT_ROOT = path.resolve(__dirname, '..', '..');

const BUNDLE = '/etc/ssl/certs/ca-certificates.crt';

let pems: string[] | undefined;

/** Distinct CA certificates as PEM (144 on Debian); enough for the 100-resource test. */
export function bundlePems(): string[] {
  if (!pems) {
    const text = fs.readFileSync(BUNDLE, 'utf8');
    pems = [...new Set(text.match(/-----BEGIN CERTIFICATE-----[\s\S]*?-----END CERTIFICATE-----/g) ?? [])].map((p) => `${p}\n`);
  }
  return pems;
}

/** The quick start's ACME test certificates (PEM). */
export function acmePem(name: 'acme-root-ca' | 'acme-issuing-ca' | 'proxy-acme-example'): string {
  return fs.readFileSync(path.join(PROJECT_ROOT, 'examples', 'quickstart', 'certs', `${name}.pem`), 'utf8');
}

/** Lowercase hex SHA-256 of a PEM certificate, computed independently of midtrust (node's X509Certificate). */
export function sha256OfPem(pem: string): string {
  const { X509Certificate } = require('node:crypto') as typeof import('node:crypto');
  return new X509Certificate(pem).fingerprint256.replace(/:/g, '').toLowerCase();
}

/**
 * A keystore made by keytool holding `entries` (alias → PEM). One JVM per entry, so tests make one
 * base store and copy it.
 */
export function keytoolStore(file: string, password: string, entries: Record<string, string>, storetype: 'JKS' | 'PKCS12' = 'JKS'): string {
  const dir = path.dirname(file);
  for (const [alias, pem] of Object.entries(entries)) {
    const pemFile = path.join(dir, `${alias}.import.pem`);
    fs.writeFileSync(pemFile, pem);
    runKeytool(['-importcert', '-noprompt', '-alias', alias, '-file', pemFile, '-keystore', file, '-storetype', storetype, '-storepass:env', 'MT_PW'], {
      env: { MT_PW: password },
    });
    fs.rmSync(pemFile);
  }
  return file;
}

/** `__provider` text of the provider a resource class would construct, serialized as the SDK does. */
export async function providerText(ops: OpsModule, libraryDir = compiledResourcesDir()): Promise<string> {
  return serializeProvider(new MidtrustProvider(ops, libraryDir));
}

/**
 * Property paths (other than the top-level storePassword) whose value contains `needle`, secrets
 * unwrapped first so a secret copy elsewhere would be found too.
 */
export function leaks(props: Props, needle: string): string[] {
  const found: string[] = [];
  const walk = (v: unknown, at: string): void => {
    if (typeof v === 'string') {
      if (v.includes(needle)) found.push(at);
    } else if (Array.isArray(v)) v.forEach((e, i) => walk(e, `${at}[${i}]`));
    else if (typeof v === 'object' && v !== null) for (const [k, e] of Object.entries(v)) walk(e, at ? `${at}.${k}` : k);
  };
  for (const [k, v] of Object.entries(unwrapSecrets<Props>(props))) if (k !== 'storePassword') walk(v, k);
  return found;
}
