/**
 * Which JDK a verdict is judged for (issue 23): the JRE's `release` file, `--java-version`, and the
 * handshake limits read from the JDK's properties like the algorithm constraints. What each
 * version does differently is checked against the real JVMs in differential.test.ts.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { LocalHost } from '../../provider/host/localHost';
import { defaultJdkTrustPolicy, javaVersionOfRelease, loadJdkTrustPolicy } from '../../provider/verify/jdkTrustPolicy';
import { removeTempDirs, tempDir } from '../helpers/keytool';
import { midtrust } from '../helpers/midtrustCli';

afterAll(() => removeTempDirs());

describe('the JDK a verdict is for', () => {
  it.each([
    ['JAVA_VERSION="17.0.12"\n', 17],
    ['IMPLEMENTOR="Eclipse Adoptium"\nJAVA_VERSION="25.0.3"\n', 25],
    ['JAVA_VERSION="21"\n', 21],
    ['JAVA_VERSION="1.8.0_402"\n', 8],
    ['nothing here\n', undefined],
  ])('release %j → %p', (text, version) => {
    expect(javaVersionOfRelease(text)).toBe(version);
  });

  it('reads the version from the JRE and the handshake limits from its java.security; --java-version wins', async () => {
    const home = tempDir('mt-jdk-version-');
    fs.mkdirSync(path.join(home, 'conf', 'security'), { recursive: true });
    fs.writeFileSync(path.join(home, 'release'), 'JAVA_VERSION="21.0.5"\n');
    fs.writeFileSync(path.join(home, 'conf', 'security', 'java.security'), 'jdk.tls.maxCertificateChainLength=20\njdk.tls.maxHandshakeMessageSize=65536\n');
    const policy = await loadJdkTrustPolicy(new LocalHost(), { javaHome: home });
    expect(policy).toMatchObject({ javaVersion: 21, maxChainLength: 20, maxHandshakeMessageSize: 65536 });
    expect(policy.javaVersionSource).toBe(`Java 21 (${path.join(home, 'release')})`);
    const overridden = await loadJdkTrustPolicy(new LocalHost(), { javaHome: home, javaVersion: 25 });
    expect(overridden).toMatchObject({ javaVersion: 25, javaVersionSource: 'Java 25 (--java-version)' });
    // The client's own limit wins over the shared one, as in SSLConfiguration.
    fs.writeFileSync(path.join(home, 'conf', 'security', 'java.security'), 'jdk.tls.maxCertificateChainLength=20\njdk.tls.client.maxInboundCertificateChainLength=4\n');
    expect((await loadJdkTrustPolicy(new LocalHost(), { javaHome: home })).maxChainLength).toBe(4);
    expect(defaultJdkTrustPolicy()).toMatchObject({ javaVersion: 17, maxChainLength: 10, maxHandshakeMessageSize: 32768 });
  });

  it('--java-version accepts only the versions midtrust knows', async () => {
    const r = await midtrust(['verify', '--target', 'localhost:1', '--keystore', 'none.jks', '--java-version', '18', '--json']);
    expect(r.code).toBe(1);
    expect(JSON.parse(r.stdout || r.stderr)).toEqual({ error: { code: 'INVALID_INPUT', message: expect.stringMatching(/--java-version 18: give one of 11, 17, 21, 25/) } });
  });
});
