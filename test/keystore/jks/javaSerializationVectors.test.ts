import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { MidtrustError } from '../../../provider/errors';
import { skipSerializedObject } from '../../../provider/keystore/jks/javaSerializationSkipper';
import { allKeytools, tempDir } from '../../helpers/keytool';
import { needs } from '../../helpers/requireTools';

/**
 * Real Java serialization streams, one per grammar feature the skipper must walk, written by the
 * JDK's own ObjectOutputStream (one `java File.java` run, no compile step).
 */
const GENERATOR = String.raw`
import java.io.*;
import java.lang.reflect.*;
import java.math.BigInteger;
import java.nio.file.*;
import java.util.*;
import java.util.concurrent.TimeUnit;
import javax.crypto.*;
import javax.crypto.spec.*;

public class SerializationVectors {
  static class Handler implements InvocationHandler, Serializable {
    String note = "proxied";
    public Object invoke(Object p, Method m, Object[] a) { return null; }
  }
  static class Base implements Serializable { int baseInt = 1; String baseName = "base"; }
  static class AllFields extends Base {
    byte b = 1; char c = 'x'; double d = 2.5; float f = 1.5f; int i = 3; long j = 4L; short s = 5; boolean z = true;
    Object nothing = null; long[] longs = {1, 2}; Object self; String[] strings = {"a", "b"};
  }
  static class WithWriteObject implements Serializable {
    int kept = 9;
    private void writeObject(ObjectOutputStream out) throws IOException {
      out.defaultWriteObject();
      out.writeInt(42);
      out.writeUTF("extra");
      out.writeObject(new int[] {7});
      out.write(new byte[300]);
    }
  }
  static class Ext implements Externalizable {
    public Ext() {}
    public void writeExternal(ObjectOutput out) throws IOException { out.writeInt(1); out.writeObject("inside"); out.write(new byte[1000]); }
    public void readExternal(ObjectInput in) {}
  }
  static class Node implements Serializable { Node next; int v; Node(Node n, int v) { next = n; this.v = v; } }
  static class AnnotatingStream extends ObjectOutputStream {
    AnnotatingStream(OutputStream o) throws IOException { super(o); }
    @Override protected void annotateClass(Class<?> c) throws IOException { writeUTF("codebase:" + c.getName()); writeObject("annotation"); }
    @Override protected void annotateProxyClass(Class<?> c) throws IOException { writeInt(5); }
  }

  static void write(Path dir, String name, Object o, boolean annotated) throws IOException {
    ByteArrayOutputStream bos = new ByteArrayOutputStream();
    try (ObjectOutputStream oos = annotated ? new AnnotatingStream(bos) : new ObjectOutputStream(bos)) { oos.writeObject(o); }
    Files.write(dir.resolve(name + ".ser"), bos.toByteArray());
  }

  public static void main(String[] args) throws Exception {
    Path dir = Paths.get(args[0]);
    HashMap<String, Object> map = new HashMap<>();
    map.put("k", new byte[] {9});
    map.put("n", Long.valueOf(3));
    List<Object> list = new ArrayList<>();
    Date shared = new Date(0);
    list.add(shared);
    list.add(shared);
    list.add(null);
    AllFields all = new AllFields();
    all.self = all;
    Node n = null;
    for (int k = 0; k < 20; k++) n = new Node(n, k);
    Cipher cipher = Cipher.getInstance("AES/CBC/PKCS5Padding");
    cipher.init(Cipher.ENCRYPT_MODE, new SecretKeySpec(new byte[16], "AES"), new IvParameterSpec(new byte[16]));
    ClassLoader cl = SerializationVectors.class.getClassLoader();
    write(dir, "string", "hello", false);
    write(dir, "longString", "x".repeat(70000), false);
    write(dir, "byteArray", new byte[] {1, 2, 3}, false);
    write(dir, "intArray", new int[] {1, 2, 3}, false);
    write(dir, "stringArrayWithReference", new String[] {"a", "b", "a"}, false);
    write(dir, "integerWithSuperclass", Integer.valueOf(7), false);
    write(dir, "hashMapWriteObject", map, false);
    write(dir, "arrayListObjectReference", list, false);
    write(dir, "enum", TimeUnit.SECONDS, false);
    write(dir, "class", String.class, false);
    write(dir, "externalizable", new Ext(), false);
    write(dir, "proxy", Proxy.newProxyInstance(cl, new Class<?>[] {Runnable.class, Serializable.class}, new Handler()), false);
    write(dir, "allPrimitiveFieldsAndSuperclass", all, false);
    write(dir, "writeObjectBlockData", new WithWriteObject(), false);
    write(dir, "bigInteger", new BigInteger("123456789012345678901234567890"), false);
    write(dir, "linkedNodes", n, false);
    write(dir, "sealedObject", new SealedObject("secret", cipher), false);
    write(dir, "null", null, false);
    write(dir, "annotatedList", list, true);
    write(dir, "annotatedAllFields", all, true);
    write(dir, "annotatedProxy", Proxy.newProxyInstance(cl, new Class<?>[] {Runnable.class}, new Handler()), true);
  }
}
`;

function makeVectors(): { dir: string; vectors: Array<[string, Buffer]> } {
  const java = path.join(path.dirname(allKeytools()[0].bin), 'java');
  const dir = tempDir('mt-ser-');
  fs.writeFileSync(path.join(dir, 'SerializationVectors.java'), GENERATOR);
  const out = path.join(dir, 'out');
  fs.mkdirSync(out);
  const r = spawnSync(java, [path.join(dir, 'SerializationVectors.java'), out], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`java failed (${r.status}): ${r.stdout}${r.stderr}`);
  const vectors = fs.readdirSync(out).sort().map((f): [string, Buffer] => [f.replace(/\.ser$/, ''), fs.readFileSync(path.join(out, f))]);
  return { dir, vectors };
}

const codeOf = (f: () => unknown): string => {
  try {
    f();
    return 'ok';
  } catch (e) {
    if (e instanceof MidtrustError) return e.code;
    throw e;
  }
};

needs('java').describe('Java serialization skipper against streams written by the JDK', () => {
  let made: { dir: string; vectors: Array<[string, Buffer]> };
  beforeAll(() => {
    made = makeVectors();
  });

  it('has the 21 vectors', () => {
    expect(made.vectors).toHaveLength(21);
  });

  it('every vector: ends exactly where the object does, before what follows', () => {
    const tail = Buffer.from('000000020004', 'hex'); // what a next JCEKS entry would start with
    for (const [name, bytes] of made.vectors) {
      expect({ name, end: skipSerializedObject(Buffer.concat([bytes, tail]), 0) }).toEqual({ name, end: bytes.length });
      expect({ name, end: skipSerializedObject(Buffer.concat([Buffer.alloc(5, 0xee), bytes]), 5) }).toEqual({ name, end: 5 + bytes.length });
    }
  });

  it('every vector: every truncation is TRUNCATED', () => {
    for (const [name, bytes] of made.vectors) {
      const step = Math.max(1, Math.floor(bytes.length / 400));
      for (let cut = 0; cut < bytes.length; cut += step) {
        expect({ name, cut, code: codeOf(() => skipSerializedObject(bytes.subarray(0, cut), 0)) }).toEqual({ name, cut, code: 'TRUNCATED' });
      }
    }
  });

  it('every single-byte change of the small vectors ends in an offset or a MidtrustError, quickly', () => {
    const values = [0x00, 0x01, 0x70, 0x71, 0x72, 0x73, 0x75, 0x78, 0x7e, 0x80, 0xff];
    const outcomes = new Set<string>();
    let runs = 0;
    const started = Date.now();
    for (const [, bytes] of made.vectors.filter(([, b]) => b.length < 2000)) {
      for (let i = 0; i < bytes.length; i++) {
        for (const v of values) {
          const b = Buffer.from(bytes);
          b[i] = v;
          // No expect() per run: collect outcomes, assert once (jest matchers cost more than the walk).
          outcomes.add(
            codeOf(() => {
              const end = skipSerializedObject(b, 0);
              if (end < 5 || end > b.length) throw new Error(`end ${end} outside the input`);
            }),
          );
          runs++;
        }
      }
    }
    console.log(`${runs} mutated streams walked in ${Date.now() - started} ms: ${[...outcomes].sort().join(', ')}`);
    expect([...outcomes].sort()).toEqual(['CORRUPT', 'TRUNCATED', 'ok']);
    expect(runs).toBeGreaterThan(10_000);
  });
});

describe('Java serialization skipper on hostile streams', () => {
  const hex = (h: string): Buffer => Buffer.from(h.replace(/\s/g, ''), 'hex');
  const objectArrayDesc = `72 0013 ${Buffer.from('[Ljava.lang.Object;').toString('hex')} 0000000000000000 02 0000 78 70`;

  it('refuses nesting deeper than it walks, without exhausting the stack', () => {
    // Object[] { Object[] { ... } } 10 000 deep, every level after the first reusing handle 0.
    const levels = 10_000;
    const stream = hex(`aced0005 75 ${objectArrayDesc} 00000001 ${'75 71 007e0000 00000001 '.repeat(levels)} 70`);
    expect(codeOf(() => skipSerializedObject(stream, 0))).toBe('CORRUPT');
  });

  it.each([
    { name: 'an object array announcing 4 billion elements', stream: `aced0005 75 ${objectArrayDesc} ffffffff 70`, code: 'TRUNCATED' },
    { name: 'a byte array announcing 4 GB', stream: `aced0005 75 72 0002 5b42 0000000000000000 02 0000 78 70 ffffffff 00`, code: 'TRUNCATED' },
    { name: 'a long string announcing more than 4 GB', stream: 'aced0005 7c 0000000100000000 41', code: 'TRUNCATED' },
    { name: 'block data first instead of an object', stream: 'aced0005 77 01 00', code: 'CORRUPT' },
    { name: 'a reset first instead of an object', stream: 'aced0005 79 70', code: 'CORRUPT' },
    { name: 'an object whose class descriptor is a string', stream: 'aced0005 73 74 0001 41', code: 'CORRUPT' },
    { name: 'a field with an unknown type code', stream: `aced0005 73 72 0001 41 0000000000000000 02 0001 51 0001 78 78 70`, code: 'CORRUPT' },
    { name: 'an old-protocol externalizable class', stream: `aced0005 73 72 0001 41 0000000000000000 04 0000 78 70`, code: 'CORRUPT' },
  ])('$name → $code', ({ stream, code }) => {
    expect(codeOf(() => skipSerializedObject(hex(stream), 0))).toBe(code);
  });
});
