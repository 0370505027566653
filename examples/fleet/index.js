// One Truststore per MID Server of a fleet: the same ACME CAs everywhere, each store written once.
// Hosts are local paths for now (SSH comes with its own issue): a list in hosts.json, or
//   pulumi config set --path 'hosts[0].name' mid-01
//   pulumi config set --path 'hosts[0].midHome' /opt/servicenow/mid
//   pulumi config set --secret storePassword
// midHome paths may be relative to this directory; the provider gets absolute paths.
'use strict';
const fs = require('node:fs');
const path = require('node:path');
const pulumi = require('@pulumi/pulumi');

const repoRoot = path.resolve(__dirname, '..', '..');

function loadMidtrust() {
  try {
    return require('midtrust');
  } catch (e) {
    if (e.code !== 'MODULE_NOT_FOUND') throw e;
    return require(path.join(repoRoot, 'dist', 'provider'));
  }
}

const { Truststore } = loadMidtrust();
const config = new pulumi.Config();
const hosts = config.getObject('hosts') || JSON.parse(fs.readFileSync(path.join(__dirname, 'hosts.json'), 'utf8'));
const storePassword = config.getSecret('storePassword') || pulumi.secret('changeit');
const exclusive = config.getBoolean('exclusive') || false;

const certsDir = path.join(__dirname, '..', 'quickstart', 'certs');
const certificates = ['acme-root-ca', 'acme-issuing-ca', 'proxy-acme-example'].map((alias) => ({
  alias,
  certificatePem: fs.readFileSync(path.join(certsDir, `${alias}.pem`), 'utf8'),
}));

const stores = hosts.map(
  (h) =>
    new Truststore(h.name, {
      keystorePath: h.keystorePath ? path.resolve(__dirname, h.keystorePath) : path.resolve(__dirname, h.midHome, 'agent', 'jre', 'lib', 'security', 'cacerts'),
      storePassword,
      certificates,
      exclusive,
    }),
);

exports.fleet = stores.map((s, i) => ({ host: hosts[i].name, soonestNotAfter: s.soonestNotAfter, entries: s.entries }));
