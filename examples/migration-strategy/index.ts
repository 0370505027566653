// MID Server settings as code: the truststore migration strategy the next upgrade will apply, and
// the chain check that makes the MID validate certificate chains. `cd examples/migration-strategy
// && pulumi up`. With no config it targets the demo MID Server (created by `pulumi up` when missing);
// otherwise `pulumi config set midHome /opt/servicenow/mid`. Both settings apply when the MID
// restarts: give restartCommand (e.g. 'systemctl restart mid') to have midtrust restart it when it
// changed something.
import * as path from 'node:path';
import * as pulumi from '@pulumi/pulumi';
import { demoMidServer, MidServerParameter, TruststoreMigrationStrategy } from 'midtrust';

const config = new pulumi.Config();
const midHome =
  config.get('midHome') ??
  demoMidServer(path.resolve(__dirname, '..', '..', 'demo'), path.join(__dirname, '..', 'quickstart', 'demo-seed'), { create: !pulumi.runtime.isDryRun() }).midHome;
const restartCommand = config.get('restartCommand');

// migrate_non_ca keeps leaf certificates only: pair it with the CAs declared as code (see the quick start).
const strategy = new TruststoreMigrationStrategy('strategy', { midHome, strategy: 'migrate_non_ca', ...(restartCommand ? { restartCommand } : {}) });
const chainCheck = new MidServerParameter('check-cert-chain', { midHome, name: 'mid.ssl.bootstrap.default.check_cert_chain', value: 'true', ...(restartCommand ? { restartCommand } : {}) });

export const configXml = strategy.configXmlPath;
export const restartRequired = pulumi.all([strategy.restartRequired, chainCheck.restartRequired]).apply(([a, b]) => a || b);
