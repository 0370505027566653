/**
 * The disabled-algorithm rules, table-driven against what sun.security.util.
 * DisabledAlgorithmConstraints does with the same property text (JDK 17/25 sources). The JVM
 * oracle (jvmOracle.test.ts) checks the defaults end to end; the jdkCA condition cannot be put
 * before a real JVM without replacing its own lib/security/cacerts, so it is pinned down here.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { AlgorithmConstraints, algorithmParts, type KeyFacts } from '../../provider/verify/algorithmConstraints';
import { parseJavaProperties } from '../../provider/verify/javaSecurityProperties';
import { JDK17_DEFAULT_PROPERTIES } from '../../provider/verify/jdkTrustPolicy';
import { allKeytools } from '../helpers/keytool';
import { needs } from '../helpers/requireTools';

const JDK17 = JDK17_DEFAULT_PROPERTIES['jdk.certpath.disabledAlgorithms'];
const now = new Date('2026-06-01T00:00:00Z');
const ctx = (anchorIsJdkCA = false, at = now) => ({ anchorIsJdkCA, now: at, usage: 'TLSServer' as const });
const rsa = (size: number): KeyFacts => ({ algorithm: 'RSA', size });

describe('jdk.certpath.disabledAlgorithms as the JDK applies it', () => {
  const certpath = AlgorithmConstraints.parse('jdk.certpath.disabledAlgorithms', JDK17);
  const cases: Array<{ name: string; sig?: string; keys: KeyFacts[]; jdkCA?: boolean; refused: RegExp | null }> = [
    { name: 'SHA-256/RSA-2048 is fine', sig: 'SHA256withRSA', keys: [rsa(2048)], refused: null },
    { name: 'SHA-1 under a private root is allowed (jdkCA does not hold)', sig: 'SHA1withRSA', keys: [rsa(2048)], refused: null },
    { name: 'SHA-1 in a chain to a JDK-shipped root is refused', sig: 'SHA1withRSA', keys: [rsa(2048)], jdkCA: true, refused: /SHA1withRSA is disabled .*"SHA1 jdkCA & usage TLSServer"/ },
    { name: 'SHA-1 ECDSA to a JDK root, too', sig: 'SHA1withECDSA', keys: [{ algorithm: 'EC', size: 256, curve: 'secp256r1' }], jdkCA: true, refused: /SHA1 jdkCA/ },
    { name: 'MD5 is always refused', sig: 'MD5withRSA', keys: [rsa(2048)], refused: /"MD5"/ },
    { name: 'MD2 is always refused', sig: 'MD2withRSA', keys: [rsa(2048)], refused: /"MD2"/ },
    { name: 'RSA 1023 is below the limit', sig: 'SHA256withRSA', keys: [rsa(1023)], refused: /1023-bit RSA key .*"RSA keySize < 1024"/ },
    { name: 'RSA 1024 is not below it', sig: 'SHA256withRSA', keys: [rsa(1024)], refused: null },
    { name: 'EC 192 is below 224', sig: 'SHA256withECDSA', keys: [{ algorithm: 'EC', size: 192, curve: 'secp192r1' }], refused: /EC keySize < 224/ },
    { name: 'an anchor key alone (no signature): RSA 512', keys: [rsa(512)], refused: /RSA keySize < 1024/ },
    { name: 'an unknown key size is let through, as in Java', sig: 'SHA256withRSA', keys: [{ algorithm: 'RSA' }], refused: null },
    { name: 'DSA 1024 passes, DSA keySize < 1024', sig: 'SHA256withDSA', keys: [{ algorithm: 'DSA', size: 1024 }], refused: null },
  ];
  it.each(cases)('$name', ({ sig, keys, jdkCA, refused }) => {
    const r = certpath.refusal({ signatureAlgorithm: sig, keys }, ctx(jdkCA));
    if (refused) expect(r).toMatch(refused);
    else expect(r).toBeUndefined();
  });

  it('conditions chain: refused only when all hold (usage, denyAfter, keySize operators)', () => {
    const c = AlgorithmConstraints.parse('p', 'SHA-1 usage TLSServer & denyAfter 2030-01-01, SHA1 usage SignedJAR & denyAfter 2019-01-01, RSA keySize <= 1024, EC keySize == 384, DSA keySize != 2048');
    expect(c.refusal({ signatureAlgorithm: 'SHA1withRSA', keys: [rsa(2048)] }, ctx(false, new Date('2029-12-31T00:00:00Z')))).toBeUndefined();
    expect(c.refusal({ signatureAlgorithm: 'SHA1withRSA', keys: [rsa(2048)] }, ctx(false, new Date('2030-01-01T00:00:00Z')))).toMatch(/denyAfter 2030-01-01/);
    expect(c.refusal({ signatureAlgorithm: 'SHA256withRSA', keys: [rsa(1024)] }, ctx())).toMatch(/keySize <= 1024/);
    expect(c.refusal({ signatureAlgorithm: 'SHA256withRSA', keys: [rsa(1025)] }, ctx())).toBeUndefined();
    expect(c.refusal({ signatureAlgorithm: 'SHA384withECDSA', keys: [{ algorithm: 'EC', size: 384 }] }, ctx())).toMatch(/== 384/);
    expect(c.refusal({ signatureAlgorithm: 'SHA256withDSA', keys: [{ algorithm: 'DSA', size: 3072 }] }, ctx())).toMatch(/!= 2048/);
  });

  it('include jdk.disabled.namedCurves disables those curves', () => {
    const c = AlgorithmConstraints.parse('p', 'MD5, include jdk.disabled.namedCurves', 'secp256k1, brainpoolP256r1');
    expect(c.refusal({ signatureAlgorithm: 'SHA256withECDSA', keys: [{ algorithm: 'EC', size: 256, curve: 'secp256k1' }] }, ctx())).toMatch(/secp256k1/);
    expect(c.refusal({ signatureAlgorithm: 'SHA256withECDSA', keys: [{ algorithm: 'EC', size: 256, curve: 'secp256r1' }] }, ctx())).toBeUndefined();
  });

  it('signature algorithms are checked by their parts, digest names with and without the dash', () => {
    expect(algorithmParts('SHA1withRSA').sort()).toEqual(['RSA', 'SHA-1', 'SHA1', 'SHA1WITHRSA']);
    expect(algorithmParts('SHA256withECDSA')).toEqual(expect.arrayContaining(['SHA256', 'SHA-256', 'ECDSA']));
  });
});

describe('jdk.tls.disabledAlgorithms applied to certificates (SunJSSE)', () => {
  const tls = AlgorithmConstraints.parse('jdk.tls.disabledAlgorithms', JDK17_DEFAULT_PROPERTIES['jdk.tls.disabledAlgorithms']);
  it('refuses MD5withRSA by name and small EC keys; SHA-1 signatures pass here', () => {
    expect(tls.tlsRefusal({ signatureAlgorithm: 'MD5withRSA', keys: [rsa(2048)] }, now)).toMatch(/MD5withRSA/);
    expect(tls.tlsRefusal({ signatureAlgorithm: 'SHA256withECDSA', keys: [{ algorithm: 'EC', size: 192 }] }, now)).toMatch(/EC keySize < 224/);
    expect(tls.tlsRefusal({ signatureAlgorithm: 'SHA1withRSA', keys: [rsa(2048)] }, now)).toBeUndefined();
  });
});

describe('java.security files', () => {
  it('reads continuation lines, comments and the separators Properties accepts', () => {
    const p = parseJavaProperties('# comment\n! also\njdk.a=MD2, MD5, \\\n    SHA1 jdkCA & usage TLSServer\n  key.b : value b\nkey\\ c  spaced value\nempty=\n');
    expect(p.get('jdk.a')).toBe('MD2, MD5, SHA1 jdkCA & usage TLSServer');
    expect(p.get('key.b')).toBe('value b');
    expect(p.get('key c')).toBe('spaced value');
    expect(p.get('empty')).toBe('');
  });

  needs('keytool').it('the installed Java 17 (and a JDK 25, when there) say what midtrust writes down as the JDK 17 defaults', () => {
    // The JDK home of each keytool (bin/keytool → home), as .ci/run installs them.
    const files = allKeytools()
      .filter((k) => k.version === 17 || k.version === 25)
      .map((k) => path.join(path.dirname(path.dirname(k.bin)), 'conf', 'security', 'java.security'));
    expect(files.length).toBeGreaterThan(0);
    for (const f of files) {
      const p = parseJavaProperties(fs.readFileSync(f, 'utf8'));
      expect(p.get('jdk.certpath.disabledAlgorithms')).toBe(JDK17);
    }
  });
});
