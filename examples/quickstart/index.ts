// The midtrust quick start as a Pulumi program: the CAs every ACME MID Server must trust, one
// TrustedCertificate each. Pulumi.yaml at the repository root points here:
//
//   npm ci && pulumi stack init dev && pulumi up
//
// It runs with no config: it then targets the demo MID Server under demo/ (the one `npm start`
// makes; `pulumi up` creates it when missing, `pulumi preview` never writes), whose cacerts has the
// JDK default password "changeit". For a real MID Server:
//
//   pulumi config set keystorePath /opt/servicenow/mid/agent/jre/lib/security/cacerts
//   pulumi config set --secret storePassword        # prompts; never put it on the command line
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as pulumi from '@pulumi/pulumi';
import { demoMidServer, TrustedCertificate } from 'midtrust';

const config = new pulumi.Config();
const demo = demoMidServer(path.resolve(__dirname, '..', '..', 'demo'), path.join(__dirname, 'demo-seed'), { create: !pulumi.runtime.isDryRun() && !config.get('keystorePath') });

const keystorePath = config.get('keystorePath') ?? demo.cacerts;
// A secret either way: the resource classes also wrap a plain password with pulumi.secret.
const storePassword = config.getSecret('storePassword') ?? pulumi.secret(demo.storePassword);

const trusted = ['acme-root-ca', 'acme-issuing-ca', 'proxy-acme-example'].map(
  (alias) =>
    new TrustedCertificate(alias, {
      keystorePath,
      storePassword,
      alias,
      certificatePem: fs.readFileSync(path.join(__dirname, 'certs', `${alias}.pem`), 'utf8'),
    }),
);

export const trustedCertificates = trusted.map((t) => ({ alias: t.alias, sha256: t.sha256Fingerprint, notAfter: t.notAfter }));
export { keystorePath };
