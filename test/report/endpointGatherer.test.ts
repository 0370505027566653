/**
 * The report's endpoint gatherer when no verdict can be made: every declared endpoint of the
 * host says why (trusted: null), and the rest of the host's posture is untouched.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { gatherHostEndpoints } from '../../provider/fleet/endpointGatherer';
import { LocalHost } from '../../provider/host/localHost';
import { writeKeystore } from '../../provider/keystore/keystoreCodec';
import { tempDir } from '../helpers/keytool';
import { cert, store } from './reportFixtures';

describe('gatherHostEndpoints: no verdict is never a pass', () => {
  const dir = tempDir('mt-endpoint-gatherer-');
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('a MID whose JVM store cannot be read: every endpoint not checked, with the reason, before any connection', async () => {
    const home = path.join(dir, 'mid');
    fs.mkdirSync(path.join(home, 'agent', 'jre', 'lib', 'security'), { recursive: true });
    fs.mkdirSync(path.join(home, 'agent', 'conf'));
    fs.writeFileSync(path.join(home, 'agent', 'config.xml'), '<parameters/>\n');
    const cacerts = path.join(home, 'agent', 'jre', 'lib', 'security', 'cacerts');
    fs.writeFileSync(cacerts, writeKeystore(store([['acme-root', cert('ACME Root CA', 900)]]), 'changeit'));
    const missing = path.join(dir, 'gone', 'truststore.jks');
    fs.writeFileSync(path.join(home, 'agent', 'conf', 'wrapper-override.conf'), `wrapper.java.additional.1=-Djavax.net.ssl.trustStore=${missing}\n`);
    // Nothing listens on port 1: were a connection attempted, the error would say "refused" instead.
    const got = await gatherHostEndpoints(new LocalHost(), { midHome: home, keystore: cacerts, local: true }, 'changeit', { targets: ['ldaps://ad.acme.example', '127.0.0.1:1'], timeoutMs: 1000, now: new Date() });
    expect(got).toEqual(
      ['ldaps://ad.acme.example', '127.0.0.1:1'].map((target) => ({
        target,
        trusted: null,
        anchor: null,
        problems: [],
        suggest: [],
        error: expect.stringMatching(new RegExp(`^its truststore could not be judged: ${missing.replace(/[.]/g, '\\.')}: .*(not exist|no such)`, 'i')),
        store: null,
        afterUpgrade: null,
      })),
    );
  });
});
