/**
 * A MID Server home for the MID settings resource tests: config.xml with comments and an encrypted
 * parameter, wrapper-override.conf with lines of its own, and a bundled cacerts made by keytool
 * (JKS, password changeit, as Java ≤ 17 ships it). The cacerts is made once and copied.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { bundlePems, keytoolStore } from './providerFixtures';

export const CONFIG_XML = `<?xml version="1.0" encoding="UTF-8"?>
<parameters>
    <!-- Instance connection (set by the installer) -->
    <parameter name="url" value="https://acme.service-now.com/"/>
    <parameter name="mid.instance.username" value="mid_user"/>
    <parameter name="mid.instance.password" secure="true" value="encrypted:QUJDREVGMDEyMw=="/>

    <!-- <parameter name="mid.truststore.migration.strategy" value="do_not_migrate"/> -->
    <parameter name="name"   value="mid1" />
</parameters>
`;

export const WRAPPER_OVERRIDE = `# Customizations for the MID Server wrapper; survives upgrades.
wrapper.java.maxmemory=1024
wrapper.java.additional.1=-Dfoo=bar
# wrapper.java.additional.7=-Dcommented=out
wrapper.java.additional.3=-Xss2m
`;

export const BUNDLED_PASSWORD = 'changeit';

/** Makes MID homes under `dir`, sharing one keytool-made cacerts. */
export class MidHomes {
  private n = 0;
  private readonly cacerts: string;

  constructor(private readonly dir: string) {
    this.cacerts = keytoolStore(path.join(dir, 'bundled-cacerts'), BUNDLED_PASSWORD, { 'seed-a': bundlePems()[0], 'seed-b': bundlePems()[1], 'seed-c': bundlePems()[2] });
  }

  /** A fresh MID home; returns its path. */
  make(): string {
    const home = path.join(this.dir, `mid-${++this.n}`);
    fs.mkdirSync(path.join(home, 'agent', 'conf'), { recursive: true });
    fs.mkdirSync(path.join(home, 'agent', 'jre', 'lib', 'security'), { recursive: true });
    fs.writeFileSync(path.join(home, 'agent', 'config.xml'), CONFIG_XML);
    fs.writeFileSync(path.join(home, 'agent', 'conf', 'wrapper-override.conf'), WRAPPER_OVERRIDE);
    fs.copyFileSync(this.cacerts, path.join(home, 'agent', 'jre', 'lib', 'security', 'cacerts'));
    return home;
  }

  /** Writes a fresh copy of the bundled cacerts to `file` (what an upgrade's new JRE brings). */
  bundledCopy(file: string): void {
    fs.copyFileSync(this.cacerts, file);
  }
}

export function configXmlOf(home: string): string {
  return fs.readFileSync(path.join(home, 'agent', 'config.xml'), 'utf8');
}

export function wrapperOf(home: string): string {
  return fs.readFileSync(path.join(home, 'agent', 'conf', 'wrapper-override.conf'), 'utf8');
}
