// An external truststore for a MID Server: a password-less PKCS12 store outside the MID home (so an
// upgrade cannot replace it), seeded from the bundled cacerts, wired into wrapper-override.conf —
// with no password, nothing secret is written there — and the ACME CAs declared in it.
// `cd examples/external-truststore && pulumi up`. With no config it targets the demo MID Server and
// puts the store under demo/external/; otherwise set midHome and truststorePath (outside midHome).
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as pulumi from '@pulumi/pulumi';
import { demoMidServer, ExternalTruststore, Truststore } from 'midtrust';

const config = new pulumi.Config();
const demoRoot = path.resolve(__dirname, '..', '..', 'demo');
const midHome = config.get('midHome') ?? demoMidServer(demoRoot, path.join(__dirname, '..', 'quickstart', 'demo-seed'), { create: !pulumi.runtime.isDryRun() }).midHome;
const truststorePath = config.get('truststorePath') ?? path.join(demoRoot, 'external', 'mid-truststore.p12');

const external = new ExternalTruststore('external', { midHome, truststorePath, seedFromBundled: true });

// Depends on the ExternalTruststore through its output, so the store exists first and, on
// destroy, these entries are given back before the store is.
const certsDir = path.join(__dirname, '..', 'quickstart', 'certs');
new Truststore('acme-cas', {
  keystorePath: external.truststorePath,
  certificates: ['acme-root-ca', 'acme-issuing-ca'].map((alias) => ({ alias, certificatePem: fs.readFileSync(path.join(certsDir, `${alias}.pem`), 'utf8') })),
});

export const wiredTruststore = external.wiredTruststorePath;
export const restartRequired = external.restartRequired;
