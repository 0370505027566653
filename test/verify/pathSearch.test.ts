/**
 * Issue 19 item 3: the path search is bounded. A hostile server sends levels of same-named,
 * same-key cross-signed CAs (k^levels paths); the judge must answer — or say the chain is too
 * large to judge — instead of searching them all. Time is measured in bench:verify, not here:
 * these tests check what the bounds do.
 */
import { hostileChain } from '../../bench/hostileChain';
import { Certificate } from '../../provider/certificate/certificate';
import { MidtrustError } from '../../provider/errors';
import { defaultJdkTrustPolicy } from '../../provider/verify/jdkTrustPolicy';
import { judgeChain, type JudgeOptions } from '../../provider/verify/judgeChain';

function options(root: Uint8Array, extra: Partial<JudgeOptions> = {}): JudgeOptions {
  // The JVM's 10-certificate limit would refuse these chains before any search: raise it, as a
  // -Djdk.tls.maxCertificateChainLength on the MID's JVM would, to reach the builder.
  return { anchors: [{ alias: 'root', certificate: Certificate.fromDer(root), fromKeyEntry: false }], policy: { ...defaultJdkTrustPolicy(), maxChainLength: 1000 }, now: new Date(), authType: 'UNKNOWN', ...extra };
}

describe('verify path search is bounded (issue 19.3)', () => {
  it('every path failing through distinct copies: the attempt budget ends it with an error, not a verdict', () => {
    const { presented, root } = hostileChain({ levels: 5, k: 6, expiredLeaf: true, distinctCopies: true });
    let error: unknown;
    try {
      judgeChain(presented, options(root, { limits: { maxAttempts: 16, maxSteps: 100_000 } }));
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(MidtrustError);
    expect((error as MidtrustError).code).toBe('UNSUPPORTED');
    expect((error as MidtrustError).message).toMatch(/too large to judge \(31 certificates; 16 candidate paths validated/);
  });

  it('the step budget and the deadline end it too', () => {
    const { presented, root } = hostileChain({ levels: 5, k: 6, expiredLeaf: true, distinctCopies: true });
    expect(() => judgeChain(presented, options(root, { limits: { maxAttempts: 1000, maxSteps: 10 } }))).toThrow(/10 search steps/);
    expect(() => judgeChain(presented, options(root, { deadline: Date.now() - 1 }))).toThrow(/time allowed ran out/);
  });

  it('copies that differ only by serial number are tried once: the verdict is the JVM\'s (expired server certificate)', () => {
    const { presented, root } = hostileChain({ levels: 5, k: 6, expiredLeaf: true });
    const j = judgeChain(presented, options(root, { limits: { maxAttempts: 4, maxSteps: 100_000 } }));
    expect(j.trusted).toBe(false);
    expect(j.route).toBe('built');
    expect(j.problems.map((p) => p.code)).toEqual(['EXPIRED']);
  });

  it('a valid path among k^levels candidates is found', () => {
    const { presented, root } = hostileChain({ levels: 5, k: 6, distinctCopies: true });
    const j = judgeChain(presented, options(root));
    expect(j.trusted).toBe(true);
    expect(j.path).toHaveLength(6);
  });

  it('more levels than CertPathBuilder allows: PATH_TOO_LONG without a search', () => {
    const { presented, root } = hostileChain({ levels: 7, k: 4 });
    const j = judgeChain(presented, options(root, { limits: { maxAttempts: 1, maxSteps: 1000 } }));
    expect(j.trusted).toBe(false);
    expect(j.problems.map((p) => p.code)).toEqual(['PATH_TOO_LONG']);
  });

  it('with the JDK default limit, the hostile chain is refused by its length (as the JVM refuses the handshake)', () => {
    const { presented, root } = hostileChain({ levels: 7, k: 14 });
    const j = judgeChain(presented, { ...options(root), policy: defaultJdkTrustPolicy() });
    expect(j.problems.map((p) => p.code)).toEqual(['CHAIN_TOO_LONG']);
    expect(j.problems[0].message).toContain('99 certificates');
  });
});
