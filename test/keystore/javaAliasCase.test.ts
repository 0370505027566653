/**
 * Issue #19 item 5: aliases fold exactly as the JDK that owns the store folds them. keytool 17
 * keeps `Ⱟx` (U+2C2F) and `ⱟx` (U+2C5F) as two aliases (Unicode 13 has no lower case for
 * U+2C2F); JavaScript and JDK 25 fold them together. The real JVMs are the oracle: every code
 * point's lower case from Java 17 and Temurin 25, keytool 17 and 25 on real stores.
 */
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { javaLowerCase, javaVersionOfRelease } from '../../provider/keystore/javaAliasCase';
import { readKeystore } from '../../provider/keystore/keystoreCodec';
import { LocalHost } from '../../provider/host/localHost';
import { storeJavaVersion } from '../../provider/mid/storeJavaVersion';
import { allKeytools, keytoolList, modernKeytool, openssl, runKeytool, tempDir, type Keytool } from '../helpers/keytool';
import { midtrust } from '../helpers/midtrustCli';
import { needs } from '../helpers/requireTools';

const UPPER = '\u2c2fx'; // Ⱟx
const LOWER = '\u2c5fx'; // ⱟx
const env = { SP: 'changeit' };
const dir = tempDir('mt-aliascase-');
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

/** `toLowerCase(Locale.ENGLISH)` of every code point whose lower case differs, as the JVM of `keytool` computes it. */
function javaLowerCases(keytool: Keytool): Map<number, string> {
  const src = path.join(dir, 'Lower.java');
  fs.writeFileSync(
    src,
    `import java.util.Locale;
public class Lower { public static void main(String[] a) { StringBuilder sb = new StringBuilder();
  for (int cp = 0; cp <= 0x10FFFF; cp++) { if (cp >= 0xD800 && cp <= 0xDFFF) continue;
    String s = new String(Character.toChars(cp)); String l = s.toLowerCase(Locale.ENGLISH);
    if (!l.equals(s)) { sb.append(Integer.toHexString(cp)); l.codePoints().forEach(c -> sb.append(' ').append(Integer.toHexString(c))); sb.append('\\n'); } }
  System.out.print(sb); } }\n`,
  );
  const out = execFileSync(path.join(path.dirname(keytool.bin), 'java'), [src], { encoding: 'utf8', maxBuffer: 16 * 1024 * 1024 });
  return new Map(
    out
      .trim()
      .split('\n')
      .map((line) => {
        const [cp, ...lower] = line.split(' ').map((h) => parseInt(h, 16));
        return [cp, String.fromCodePoint(...lower)] as const;
      }),
  );
}

describe('javaLowerCase: the JDK\'s own case tables', () => {
  it.each([
    [17, 'Ⱟx'],
    [21, 'ⱟx'],
    [25, 'ⱟx'],
  ])('Java %i folds Ⱟx to %s; ASCII, accents and final sigma as JavaScript does', (java, want) => {
    expect(javaLowerCase(UPPER, java as number)).toBe(want === 'Ⱟx' ? UPPER : LOWER);
    expect(javaLowerCase('ACME-Root Ünïcødé ΟΔΟΣ', java as number)).toBe('acme-root ünïcødé οδος');
  });

  it('the table is exactly where Java 17 and JavaScript disagree (JavaScript\'s toLowerCase for everything else)', () => {
    let differ = 0;
    for (let cp = 0; cp <= 0x10ffff; cp++) {
      if (cp >= 0xd800 && cp <= 0xdfff) continue;
      const s = String.fromCodePoint(cp);
      if (javaLowerCase(s, 17) !== s.toLowerCase()) differ++;
    }
    // Unicode 14, 16 and 17 added these lower cases; node's ICU may know fewer of them elsewhere.
    expect(differ).toBeGreaterThan(0);
    expect(differ).toBeLessThanOrEqual(97);
  });

  it('reads the feature version of a release file', () => {
    expect(javaVersionOfRelease('IMPLEMENTOR="Eclipse Adoptium"\nJAVA_VERSION="25.0.3"\n')).toBe(25);
    expect(javaVersionOfRelease('JAVA_VERSION="1.8.0_392"\n')).toBe(8);
    expect(javaVersionOfRelease('nothing')).toBeUndefined();
  });

  needs('java', 'jdk18').it('matches the JVMs for every code point: keytool 17\'s Java and a JDK ≥ 18 (Temurin 25)', () => {
    for (const keytool of [allKeytools()[0], modernKeytool() as Keytool]) {
      const java = javaLowerCases(keytool);
      const wrong: string[] = [];
      for (let cp = 0; cp <= 0x10ffff; cp++) {
        if (cp >= 0xd800 && cp <= 0xdfff) continue;
        const s = String.fromCodePoint(cp);
        if (javaLowerCase(s, keytool.version) !== (java.get(cp) ?? s)) wrong.push(cp.toString(16));
      }
      expect([keytool.version, wrong]).toEqual([keytool.version, []]);
    }
  }, 120_000);
});

needs('keytool', 'jdk18', 'openssl').describe('real stores: untouched aliases kept, duplicates judged by the store\'s JDK', () => {
  const pem = (n: string): string => {
    const f = path.join(dir, `${n}.pem`);
    if (!fs.existsSync(f)) openssl(['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-keyout', `${n}.key`, '-out', `${n}.pem`, '-days', '30', '-subj', `/CN=${n}`], { cwd: dir });
    return f;
  };
  /** A JKS keytool 17 made with both aliases: two entries to Java 17. */
  const twoAliasStore = (name: string): string => {
    const store = path.join(dir, name);
    runKeytool(['-importcert', '-noprompt', '-alias', UPPER, '-file', pem('a'), '-keystore', store, '-storetype', 'JKS', '-storepass:env', 'SP'], { env });
    runKeytool(['-importcert', '-noprompt', '-alias', LOWER, '-file', pem('b'), '-keystore', store, '-storetype', 'JKS', '-storepass:env', 'SP'], { env });
    expect(keytoolList(store, env.SP).map((e) => e.alias).sort()).toEqual([UPPER, LOWER].sort());
    return store;
  };
  /** The bytes of the entry stored under `alias` exactly, from its tag to the next entry. */
  const entryBytes = (file: string, alias: string): Buffer => {
    const bytes = fs.readFileSync(file);
    const store = readKeystore(bytes, { password: env.SP });
    expect(store.entries.map((e) => e.alias)).toContain(alias);
    const name = Buffer.from(alias, 'utf8');
    const at = bytes.indexOf(Buffer.concat([Buffer.from([name.length >> 8, name.length & 0xff]), name]));
    expect(at).toBeGreaterThan(0);
    const der = store.entries.find((e) => e.alias === alias)!.certificates[0];
    return bytes.subarray(at - 4, bytes.indexOf(Buffer.from(der), at) + der.length);
  };

  it('delete --alias ⱟx removes ⱟx and leaves the Ⱟx entry byte-identical (it was renamed before)', async () => {
    const store = twoAliasStore('delete.jks');
    const kept = entryBytes(store, UPPER);
    const r = await midtrust(['delete', '--keystore', store, '--alias', LOWER, '--storepass-env', 'SP'], { env });
    expect(r.code).toBe(0);
    expect(keytoolList(store, env.SP).map((e) => e.alias)).toEqual([UPPER]);
    expect(entryBytes(store, UPPER).equals(kept)).toBe(true);
  });

  it('import of ⱟx beside Ⱟx is accepted, as keytool 17 accepts it (it was refused as a duplicate before)', async () => {
    const store = path.join(dir, 'import.jks');
    runKeytool(['-importcert', '-noprompt', '-alias', UPPER, '-file', pem('a'), '-keystore', store, '-storetype', 'JKS', '-storepass:env', 'SP'], { env });
    const kept = entryBytes(store, UPPER);
    const r = await midtrust(['import', '--keystore', store, '--alias', LOWER, '--file', pem('b'), '--storepass-env', 'SP'], { env });
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(keytoolList(store, env.SP).map((e) => e.alias).sort()).toEqual([UPPER, LOWER].sort());
    expect(entryBytes(store, UPPER).equals(kept)).toBe(true);
  });

  it('a store in a JRE folds as that JRE: a new alias Ⱟy is stored ⱟy for Java 25 (keytool 25 finds it), Ⱟy for Java 17 (keytool 17 finds it)', async () => {
    for (const [java, stored, keytool] of [
      [25, '\u2c5fy', modernKeytool() as Keytool],
      [17, '\u2c2fy', allKeytools()[0]],
    ] as const) {
      const jre = path.join(dir, `jre${java}`);
      fs.mkdirSync(path.join(jre, 'lib', 'security'), { recursive: true });
      fs.writeFileSync(path.join(jre, 'release'), `JAVA_VERSION="${java}.0.1"\n`);
      const store = path.join(jre, 'lib', 'security', 'cacerts');
      runKeytool(['-importcert', '-noprompt', '-alias', 'seed', '-file', pem('a'), '-keystore', store, '-storetype', 'JKS', '-storepass:env', 'SP'], { env, keytool });
      expect(await storeJavaVersion(new LocalHost(), { path: store })).toBe(java);
      const r = await midtrust(['import', '--keystore', store, '--alias', '\u2c2fy', '--file', pem('b'), '--storepass-env', 'SP'], { env });
      expect(r.code).toBe(0);
      expect(readKeystore(fs.readFileSync(store), { password: env.SP }).entries.map((e) => e.alias).sort()).toEqual(['seed', stored].sort());
      expect(runKeytool(['-list', '-alias', '\u2c2fy', '-keystore', store, '-storepass:env', 'SP'], { env, keytool })).toMatch(/trustedCertEntry/);
    }
  });

  it('keystore.javaVersion in a desired-state file overrides the default', async () => {
    const store = path.join(dir, 'override.jks');
    runKeytool(['-importcert', '-noprompt', '-alias', 'seed', '-file', pem('a'), '-keystore', store, '-storetype', 'JKS', '-storepass:env', 'SP'], { env });
    const f = path.join(dir, 'override.yaml');
    fs.writeFileSync(f, `keystore:\n  path: ${store}\n  password: { env: SP }\n  javaVersion: 25\ncertificates:\n  - alias: "\u2c2fz"\n    file: ${pem('b')}\n`);
    expect((await midtrust(['apply', '-f', f], { env })).code).toBe(0);
    expect(readKeystore(fs.readFileSync(store), { password: env.SP }).entries.map((e) => e.alias).sort()).toEqual(['seed', '\u2c5fz']);
  });
});
