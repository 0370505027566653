import * as fs from 'node:fs';
import { MidtrustError } from '../../../provider/errors';
import { skipSerializedObject } from '../../../provider/keystore/jks/javaSerializationSkipper';
import { makeSecretOnlyJceks } from './jksFixtures';

/** A JCEKS holding one secret key: header (12) + tag (4) + alias + timestamp (8) + object + digest (20). */
function sealedObjectOf(file: string): Buffer {
  const bytes = fs.readFileSync(file);
  const aliasLength = bytes.readUInt16BE(16);
  return bytes.subarray(12 + 4 + 2 + aliasLength + 8, bytes.length - 20);
}

describe('Java serialization skipper', () => {
  let fx: { dir: string; file: string } | undefined;
  let sealed: Buffer;
  beforeAll(() => {
    fx = makeSecretOnlyJceks();
    sealed = sealedObjectOf(fx.file);
  });
  afterAll(() => {
    if (fx) fs.rmSync(fx.dir, { recursive: true, force: true });
  });

  it('measures a real JCEKS SealedObjectForKeyProtector exactly', () => {
    expect(sealed.subarray(0, 4).toString('hex')).toBe('aced0005');
    expect(sealed.includes(Buffer.from('com.sun.crypto.provider.SealedObjectForKeyProtector'))).toBe(true);
    expect(sealed.includes(Buffer.from('javax.crypto.SealedObject'))).toBe(true);
    expect(skipSerializedObject(sealed, 0)).toBe(sealed.length);
  });

  it.each([
    ['followed by another entry', (s: Buffer) => Buffer.concat([s, Buffer.from('000000020004', 'hex')]), (s: Buffer) => s.length],
    ['at an offset inside a larger buffer', (s: Buffer) => Buffer.concat([Buffer.alloc(7, 0xaa), s, Buffer.alloc(3)]), (s: Buffer) => 7 + s.length],
  ])('finds the end when %s', (_name, wrap, end) => {
    const input = wrap(sealed);
    const start = input.indexOf(Buffer.from('aced0005', 'hex'));
    expect(skipSerializedObject(input, start)).toBe(end(sealed));
  });

  it('reports every truncation as TRUNCATED and never reads past the end', () => {
    for (let cut = 0; cut < sealed.length; cut++) {
      let err: unknown;
      try {
        skipSerializedObject(sealed.subarray(0, cut), 0);
      } catch (e) {
        err = e;
      }
      expect(err).toBeInstanceOf(MidtrustError);
      expect((err as MidtrustError).code).toBe('TRUNCATED');
    }
  });

  it.each([
    ['a wrong stream magic', (s: Buffer) => Buffer.concat([Buffer.from('acee0005', 'hex'), s.subarray(4)])],
    ['an unknown type code', (s: Buffer) => Buffer.concat([s.subarray(0, 4), Buffer.from([0x42]), s.subarray(5)])],
    ['a reference to an unknown handle', () => Buffer.from('aced00057371007e0009', 'hex')],
  ])('reports %s as CORRUPT', (_name, make) => {
    expect(() => skipSerializedObject(make(sealed), 0)).toThrow(expect.objectContaining({ code: 'CORRUPT' }));
  });

  it('skips hand-built streams of the other grammar elements', () => {
    // TC_STRING "hi"; TC_ARRAY of int[2] with a new class descriptor "[I"; TC_NULL; TC_BLOCKDATA.
    const cases = [
      'aced0005 74 0002 6869',
      'aced0005 75 72 0002 5b49 0000000000000000 02 0000 78 70 00000002 0000000100000002',
      'aced0005 70',
      'aced0005 7c 0000000000000001 41',
    ].map((h) => Buffer.from(h.replace(/ /g, ''), 'hex'));
    for (const c of cases) expect(skipSerializedObject(Buffer.concat([c, Buffer.from([0xff])]), 0)).toBe(c.length);
  });
});
