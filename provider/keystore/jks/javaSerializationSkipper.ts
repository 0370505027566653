import { MidtrustError } from '../../errors';
import { ByteReader } from '../byteReader';

// java.io.ObjectStreamConstants
const STREAM_MAGIC = 0xaced;
const TC_NULL = 0x70;
const TC_REFERENCE = 0x71;
const TC_CLASSDESC = 0x72;
const TC_OBJECT = 0x73;
const TC_STRING = 0x74;
const TC_ARRAY = 0x75;
const TC_CLASS = 0x76;
const TC_BLOCKDATA = 0x77;
const TC_ENDBLOCKDATA = 0x78;
const TC_RESET = 0x79;
const TC_BLOCKDATALONG = 0x7a;
const TC_LONGSTRING = 0x7c;
const TC_PROXYCLASSDESC = 0x7d;
const TC_ENUM = 0x7e;
const SC_WRITE_METHOD = 0x01;
const SC_SERIALIZABLE = 0x02;
const SC_EXTERNALIZABLE = 0x04;
const SC_BLOCK_DATA = 0x08;
const MAX_DEPTH = 64;
const PRIMITIVE_SIZE: Record<string, number> = { B: 1, C: 2, D: 8, F: 4, I: 4, J: 8, S: 2, Z: 1 };

interface ClassDesc {
  readonly name: string;
  readonly flags: number;
  readonly fields: ReadonlyArray<{ readonly type: string }>;
  readonly superDesc: ClassDesc | null;
}

/**
 * Finds where one Java-serialized object ends. JCEKS stores a secret key as an
 * ObjectOutputStream holding a `javax.crypto.SealedObject` with no length prefix, so the only way
 * to reach the next entry is to walk the serialization grammar. Nothing is deserialized or
 * executed: the bytes are only measured, and carried verbatim.
 *
 * @returns the offset one past the object (the start of the next keystore entry).
 */
export function skipSerializedObject(bytes: Uint8Array, start: number, end = bytes.length): number {
  const walker = new SerializationWalker(new ByteReader(bytes, start, end));
  return walker.skipStream();
}

class SerializationWalker {
  private readonly handles: Array<ClassDesc | null> = [];

  constructor(private readonly r: ByteReader) {}

  skipStream(): number {
    const magic = this.r.u16('serialization stream magic');
    const version = this.r.u16('serialization stream version');
    if (magic !== STREAM_MAGIC || version !== 5) {
      this.fail(`expected a Java serialization stream (AC ED 00 05), found ${magic.toString(16)} ${version.toString(16)}`, this.r.offset - 4);
    }
    this.content(0);
    return this.r.offset;
  }

  private fail(msg: string, at = this.r.offset): never {
    throw new MidtrustError('CORRUPT', `secret key entry: ${msg} at byte ${at}`, { offset: at });
  }

  private depthCheck(depth: number): void {
    if (depth > MAX_DEPTH) this.fail('serialized object nested too deeply');
  }

  /** One content element: an object-ish value or block data. Returns the class desc when it read one. */
  private content(depth: number): ClassDesc | null {
    this.depthCheck(depth);
    const at = this.r.offset;
    const tc = this.r.u8('serialization type code');
    switch (tc) {
      case TC_NULL:
        return null;
      case TC_REFERENCE:
        return this.reference();
      case TC_CLASSDESC:
        return this.newClassDesc(depth);
      case TC_PROXYCLASSDESC:
        return this.proxyClassDesc(depth);
      case TC_OBJECT:
        this.object(depth);
        return null;
      case TC_STRING:
        this.r.skip(this.r.u16('string length'), 'string');
        this.handles.push(null);
        return null;
      case TC_LONGSTRING: {
        const hi = this.r.u32('long string length');
        const lo = this.r.u32('long string length');
        if (hi !== 0) this.fail('string longer than the keystore');
        this.r.skip(lo, 'long string');
        this.handles.push(null);
        return null;
      }
      case TC_ARRAY:
        this.array(depth);
        return null;
      case TC_CLASS:
        this.classDesc(depth);
        this.handles.push(null);
        return null;
      case TC_ENUM:
        this.classDesc(depth);
        this.handles.push(null);
        this.content(depth + 1);
        return null;
      case TC_BLOCKDATA:
        this.r.skip(this.r.u8('block data length'), 'block data');
        return null;
      case TC_BLOCKDATALONG:
        this.r.skip(this.r.u32('block data length'), 'block data');
        return null;
      case TC_RESET:
        this.handles.length = 0;
        return null;
      default:
        return this.fail(`unexpected serialization type code 0x${tc.toString(16)}`, at);
    }
  }

  private reference(): ClassDesc | null {
    const handle = this.r.u32('object handle') - 0x7e0000;
    if (handle < 0 || handle >= this.handles.length) this.fail(`reference to unknown handle ${handle}`);
    return this.handles[handle];
  }

  /** classDesc: a new one, a proxy, null or a reference. */
  private classDesc(depth: number): ClassDesc | null {
    this.depthCheck(depth);
    const tc = this.r.u8('class descriptor');
    if (tc === TC_NULL) return null;
    if (tc === TC_REFERENCE) return this.reference();
    if (tc === TC_CLASSDESC) return this.newClassDesc(depth);
    if (tc === TC_PROXYCLASSDESC) return this.proxyClassDesc(depth);
    return this.fail(`expected a class descriptor, found type code 0x${tc.toString(16)}`, this.r.offset - 1);
  }

  private newClassDesc(depth: number): ClassDesc {
    const name = this.utf('class name');
    this.r.skip(8, 'serialVersionUID');
    const handle = this.handles.length;
    this.handles.push(null);
    const flags = this.r.u8('class flags');
    const count = this.r.u16('field count');
    const fields: Array<{ type: string }> = [];
    for (let i = 0; i < count; i++) {
      const type = String.fromCharCode(this.r.u8('field type code'));
      this.r.skip(this.r.u16('field name length'), 'field name');
      if (type === 'L' || type === '[') this.content(depth + 1); // the field's class name, a string
      else if (!(type in PRIMITIVE_SIZE)) this.fail(`unknown field type '${type}'`);
      fields.push({ type });
    }
    this.annotation(depth);
    const superDesc = this.classDesc(depth + 1);
    const desc: ClassDesc = { name, flags, fields, superDesc };
    this.handles[handle] = desc;
    return desc;
  }

  private proxyClassDesc(depth: number): ClassDesc {
    const handle = this.handles.length;
    this.handles.push(null);
    const n = this.r.u32('proxy interface count');
    if (n > this.r.remaining) this.fail('proxy interface count larger than the data');
    for (let i = 0; i < n; i++) this.utf('proxy interface name');
    this.annotation(depth);
    const superDesc = this.classDesc(depth + 1);
    const desc: ClassDesc = { name: '<proxy>', flags: SC_SERIALIZABLE, fields: [], superDesc };
    this.handles[handle] = desc;
    return desc;
  }

  /** classAnnotation / objectAnnotation: contents up to TC_ENDBLOCKDATA. */
  private annotation(depth: number): void {
    for (;;) {
      if (this.r.remaining > 0 && this.r.bytes[this.r.offset] === TC_ENDBLOCKDATA) {
        this.r.skip(1, 'end of block data');
        return;
      }
      this.content(depth + 1);
    }
  }

  private object(depth: number): void {
    const desc = this.classDesc(depth + 1);
    if (!desc) this.fail('object without a class descriptor');
    this.handles.push(null);
    const chain: ClassDesc[] = [];
    for (let d: ClassDesc | null = desc; d; d = d.superDesc) {
      chain.unshift(d);
      if (chain.length > MAX_DEPTH) this.fail('class hierarchy too deep');
    }
    for (const d of chain) {
      if (d.flags & SC_EXTERNALIZABLE) {
        if (!(d.flags & SC_BLOCK_DATA)) this.fail(`externalizable class ${d.name} in the old protocol cannot be skipped`);
        this.annotation(depth);
        continue;
      }
      if (d.flags & SC_SERIALIZABLE) {
        for (const f of d.fields) this.value(f.type, depth);
        if (d.flags & SC_WRITE_METHOD) this.annotation(depth);
      }
    }
  }

  private array(depth: number): void {
    const desc = this.classDesc(depth + 1);
    this.handles.push(null);
    const size = this.r.u32('array length');
    const component = desc?.name.charAt(1) ?? 'L';
    const primitive = PRIMITIVE_SIZE[component];
    if (primitive !== undefined) {
      this.r.skip(size * primitive, 'array data');
      return;
    }
    if (size > this.r.remaining) this.fail('array length larger than the data');
    for (let i = 0; i < size; i++) this.content(depth + 1);
  }

  private value(type: string, depth: number): void {
    const size = PRIMITIVE_SIZE[type];
    if (size !== undefined) this.r.skip(size, `field of type ${type}`);
    else this.content(depth + 1);
  }

  private utf(what: string): string {
    const n = this.r.u16(`${what} length`);
    return Buffer.from(this.r.bytesView(n, what)).toString('latin1');
  }
}
