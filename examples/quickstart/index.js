// midtrust quick start as a Pulumi program: the trust every ACME MID Server must have, declared as
// TrustedCertificate resources. Plain JavaScript on purpose: Pulumi runs TypeScript programs through
// ts-node, which this project does not install; a .js program runs with node alone.
//
//   npm run build && pulumi up        (from the repo root; Pulumi.yaml points here)
//
// Config (all optional):
//   pulumi config set keystorePath /opt/servicenow/mid/agent/jre/lib/security/cacerts
//   pulumi config set --secret storePassword        (prompts; never put it on the command line)
// Without keystorePath the program targets the demo MID Server under demo/ (created if missing,
// the same layout `npm start` makes), whose cacerts uses the JDK default password "changeit".
'use strict';
const fs = require('node:fs');
const path = require('node:path');
const pulumi = require('@pulumi/pulumi');

const repoRoot = path.resolve(__dirname, '..', '..');

/** midtrust as a user gets it (`npm install midtrust`), else this repository's build. */
function loadMidtrust(subpath) {
  try {
    return require(`midtrust${subpath}`);
  } catch (e) {
    if (e.code !== 'MODULE_NOT_FOUND') throw e;
    return require(path.join(repoRoot, 'dist', 'provider', subpath.replace(/^\/dist\/provider/, '')));
  }
}

const midtrust = loadMidtrust('');
const config = new pulumi.Config();

/** The demo MID Server's cacerts, created on first use so `pulumi up` works on a fresh clone. */
function demoCacerts() {
  const cacerts = path.join(repoRoot, 'demo', 'mid-server', 'agent', 'jre', 'lib', 'security', 'cacerts');
  if (!fs.existsSync(cacerts)) {
    const { createDemoMidServer } = loadMidtrust('/dist/provider/demo/demoLayout');
    createDemoMidServer(path.join(repoRoot, 'demo'), path.join(__dirname, 'demo-seed'));
  }
  return cacerts;
}

const keystorePath = config.get('keystorePath') || demoCacerts();
// A secret either way: the resource classes also wrap a plain password with pulumi.secret.
const storePassword = config.getSecret('storePassword') || pulumi.secret('changeit');

const certificates = ['acme-root-ca', 'acme-issuing-ca', 'proxy-acme-example'];
const trusted = certificates.map(
  (alias) =>
    new midtrust.TrustedCertificate(alias, {
      keystorePath,
      storePassword,
      alias,
      certificatePem: fs.readFileSync(path.join(__dirname, 'certs', `${alias}.pem`), 'utf8'),
    }),
);

exports.keystorePath = keystorePath;
exports.trusted = trusted.map((t) => ({ alias: t.alias, sha256: t.sha256Fingerprint, subject: t.subject, notAfter: t.notAfter }));
