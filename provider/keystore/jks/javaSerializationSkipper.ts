import { MidtrustError } from '../../errors';
import { ByteReader } from '../byteReader';

// java.io.ObjectStreamConstants
const STREAM_MAGIC = 0xaced;
const STREAM_VERSION = 5;
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
const BASE_WIRE_HANDLE = 0x7e0000;
const SC_WRITE_METHOD = 0x01;
const SC_SERIALIZABLE = 0x02;
const SC_EXTERNALIZABLE = 0x04;
const SC_BLOCK_DATA = 0x08;
/** Far deeper than a SealedObject (3 levels); bounds recursion on hostile input. */
const MAX_DEPTH = 64;
/** Field type codes of primitives and their sizes on the wire. */
const PRIMITIVE_SIZE: Readonly<Record<string, number>> = { B: 1, C: 2, D: 8, F: 4, I: 4, J: 8, S: 2, Z: 1 };

interface ClassDesc {
  readonly name: string;
  readonly flags: number;
  /** Field type codes in stream order ('B', 'I', 'L', '[', ...). */
  readonly fieldTypes: readonly string[];
  readonly superDesc: ClassDesc | null;
}

/**
 * Finds where one Java-serialized object stream ends: the stream header AC ED 00 05 and one
 * top-level object (or string, array, enum, class). JCEKS stores a secret key as a fresh
 * `ObjectOutputStream` holding a `javax.crypto.SealedObject` (in practice its subclass
 * `com.sun.crypto.provider.SealedObjectForKeyProtector`, fields `encodedParams` byte[],
 * `encryptedContent` byte[], `paramsAlg` String, `sealAlg` String) with no length prefix, so the
 * only way to reach the next entry is to walk the serialization grammar (Java Object
 * Serialization Specification, chapter 6). Nothing is instantiated or executed: the bytes are only
 * measured, and carried verbatim by the caller.
 *
 * Every step consumes at least one byte or is bounded by MAX_DEPTH, so any input ends quickly with
 * an offset or a MidtrustError (TRUNCATED when the bytes run out, CORRUPT when they break the
 * grammar).
 *
 * @returns the offset one past the object (in a JCEKS file: the start of the next entry).
 * @example
 * const end = skipSerializedObject(fileBytes, entryKeyStart, fileBytes.length - 20);
 * const sealedKey = fileBytes.subarray(entryKeyStart, end);
 */
export function skipSerializedObject(bytes: Uint8Array, start = 0, end = bytes.length): number {
  return new SerializationWalker(new ByteReader(bytes, start, end)).skipStream();
}

class SerializationWalker {
  /** Wire handles in assignment order; class descriptors are kept, every other object is a placeholder. */
  private readonly handles: Array<ClassDesc | null> = [];

  constructor(private readonly r: ByteReader) {}

  skipStream(): number {
    const at = this.r.offset;
    const magic = this.r.u16('serialization stream magic');
    const version = this.r.u16('serialization stream version');
    if (magic !== STREAM_MAGIC || version !== STREAM_VERSION) {
      this.fail(`expected a Java serialization stream header AC ED 00 05, found ${hex(magic, 4)} ${hex(version, 4)}`, at);
    }
    const tc = this.peek();
    // A keystore entry holds one object; block data or a reset here would leave the next entry's
    // bytes to guess at.
    if (tc === TC_BLOCKDATA || tc === TC_BLOCKDATALONG || tc === TC_RESET || tc === TC_ENDBLOCKDATA) {
      this.fail(`expected a serialized object after the stream header, found type code ${hex(tc, 2)}`);
    }
    this.content(0);
    return this.r.offset;
  }

  private fail(msg: string, at = this.r.offset): never {
    throw new MidtrustError('CORRUPT', `serialized object: ${msg} at byte ${at}`, { offset: at });
  }

  private truncated(msg: string, at = this.r.offset): never {
    throw new MidtrustError('TRUNCATED', `serialized object: ${msg} at byte ${at}, but the data ends at byte ${at + this.r.remaining}`, { offset: at });
  }

  private peek(): number {
    this.r.need(1, 'serialization type code');
    return this.r.bytes[this.r.offset];
  }

  private depthCheck(depth: number): void {
    if (depth > MAX_DEPTH) this.fail(`objects nested more than ${MAX_DEPTH} deep`);
  }

  /** One `content` element of the grammar: an object-like value, block data or a reset. */
  private content(depth: number): void {
    this.depthCheck(depth);
    const at = this.r.offset;
    const tc = this.r.u8('serialization type code');
    switch (tc) {
      case TC_NULL:
        return;
      case TC_REFERENCE:
        this.reference();
        return;
      case TC_CLASSDESC:
        this.newClassDesc(depth);
        return;
      case TC_PROXYCLASSDESC:
        this.proxyClassDesc(depth);
        return;
      case TC_OBJECT:
        this.object(depth);
        return;
      case TC_STRING:
      case TC_LONGSTRING:
        this.stringBody(tc);
        return;
      case TC_ARRAY:
        this.array(depth);
        return;
      case TC_CLASS:
        this.classDesc(depth + 1);
        this.handles.push(null);
        return;
      case TC_ENUM:
        this.classDesc(depth + 1);
        this.handles.push(null);
        this.stringObject('enum constant name');
        return;
      case TC_BLOCKDATA:
        this.r.skip(this.r.u8('block data length'), 'block data');
        return;
      case TC_BLOCKDATALONG:
        this.r.skip(this.r.u32('block data length'), 'block data');
        return;
      case TC_RESET:
        this.handles.length = 0;
        return;
      default:
        this.fail(`unexpected type code ${hex(tc, 2)}`, at);
    }
  }

  private reference(): ClassDesc | null {
    const at = this.r.offset;
    const handle = this.r.u32('object handle') - BASE_WIRE_HANDLE;
    if (handle < 0 || handle >= this.handles.length) this.fail(`reference to handle ${hex(handle + BASE_WIRE_HANDLE, 8)}, which was never assigned`, at);
    return this.handles[handle];
  }

  /** After TC_STRING / TC_LONGSTRING: the handle, then the modified UTF-8 bytes. */
  private stringBody(tc: number): void {
    this.handles.push(null);
    if (tc === TC_STRING) {
      this.r.skip(this.r.u16('string length'), 'string');
      return;
    }
    const at = this.r.offset;
    const hi = this.r.u32('long string length');
    const lo = this.r.u32('long string length');
    if (hi !== 0) this.truncated(`a string of more than 4 GB is announced`, at);
    this.r.skip(lo, 'long string');
  }

  /** A field's class name or an enum constant name: a string, or a reference to one. */
  private stringObject(what: string): void {
    const at = this.r.offset;
    const tc = this.r.u8(what);
    if (tc === TC_STRING || tc === TC_LONGSTRING) this.stringBody(tc);
    else if (tc === TC_REFERENCE) this.reference();
    else this.fail(`expected ${what} (a string), found type code ${hex(tc, 2)}`, at);
  }

  /** `classDesc`: a new one, a proxy, null or a reference. */
  private classDesc(depth: number): ClassDesc | null {
    this.depthCheck(depth);
    const at = this.r.offset;
    const tc = this.r.u8('class descriptor');
    if (tc === TC_NULL) return null;
    if (tc === TC_REFERENCE) return this.reference();
    if (tc === TC_CLASSDESC) return this.newClassDesc(depth);
    if (tc === TC_PROXYCLASSDESC) return this.proxyClassDesc(depth);
    return this.fail(`expected a class descriptor, found type code ${hex(tc, 2)}`, at);
  }

  private newClassDesc(depth: number): ClassDesc {
    const name = this.utf('class name');
    this.r.skip(8, 'serialVersionUID');
    // Java assigns the descriptor's handle before writing its fields (whose class-name strings
    // take the next handles); the descriptor is stored there once complete.
    const handle = this.handles.length;
    this.handles.push(null);
    const flags = this.r.u8('class flags');
    const count = this.r.u16('field count');
    const fieldTypes: string[] = [];
    for (let i = 0; i < count; i++) {
      const at = this.r.offset;
      const type = String.fromCharCode(this.r.u8('field type code'));
      this.r.skip(this.r.u16('field name length'), 'field name');
      if (type === 'L' || type === '[') this.stringObject('field class name');
      else if (PRIMITIVE_SIZE[type] === undefined) this.fail(`unknown field type code '${type}'`, at);
      fieldTypes.push(type);
    }
    this.annotation(depth);
    const superDesc = this.classDesc(depth + 1);
    const desc: ClassDesc = { name, flags, fieldTypes, superDesc };
    this.handles[handle] = desc;
    return desc;
  }

  private proxyClassDesc(depth: number): ClassDesc {
    const handle = this.handles.length;
    this.handles.push(null);
    const at = this.r.offset;
    const n = this.r.u32('proxy interface count');
    if (n > this.r.remaining / 2) this.truncated(`${n} proxy interface names are announced`, at);
    for (let i = 0; i < n; i++) this.utf('proxy interface name');
    this.annotation(depth);
    const superDesc = this.classDesc(depth + 1);
    const desc: ClassDesc = { name: 'Proxy', flags: SC_SERIALIZABLE, fieldTypes: [], superDesc };
    this.handles[handle] = desc;
    return desc;
  }

  /** `classAnnotation` / `objectAnnotation`: contents up to TC_ENDBLOCKDATA. */
  private annotation(depth: number): void {
    while (this.peek() !== TC_ENDBLOCKDATA) this.content(depth + 1);
    this.r.skip(1, 'end of block data');
  }

  private object(depth: number): void {
    const at = this.r.offset;
    const desc = this.classDesc(depth + 1);
    if (!desc) this.fail('an object without a class descriptor', at);
    this.handles.push(null);
    // Class data is written from the topmost serializable superclass down to the class itself.
    const chain: ClassDesc[] = [];
    for (let d: ClassDesc | null = desc; d; d = d.superDesc) {
      if (chain.length === MAX_DEPTH) this.fail(`a class hierarchy more than ${MAX_DEPTH} deep`, at);
      chain.push(d);
    }
    for (let i = chain.length - 1; i >= 0; i--) {
      const d = chain[i];
      if (d.flags & SC_EXTERNALIZABLE) {
        // Protocol version 1 externalizable data has no framing: nothing but the class could read it.
        if (!(d.flags & SC_BLOCK_DATA)) this.fail(`class ${d.name} is externalizable in the old protocol and cannot be skipped`, at);
        this.annotation(depth);
      } else if (d.flags & SC_SERIALIZABLE) {
        for (const t of d.fieldTypes) this.value(t, depth);
        // A writeObject method adds block data and objects after the default fields.
        if (d.flags & SC_WRITE_METHOD) this.annotation(depth);
      }
    }
  }

  private array(depth: number): void {
    const at = this.r.offset;
    const desc = this.classDesc(depth + 1);
    if (!desc) this.fail('an array without a class descriptor', at);
    this.handles.push(null);
    const sizeAt = this.r.offset;
    const size = this.r.u32('array length');
    // An array class is named "[B", "[I", "[Ljava.lang.String;", ...
    const elementSize = desc.name.length === 2 && desc.name[0] === '[' ? PRIMITIVE_SIZE[desc.name[1]] : undefined;
    if (elementSize !== undefined) {
      this.r.skip(size * elementSize, `array of ${size} elements`);
      return;
    }
    // Each element takes at least one byte: refuse a count the data cannot hold before looping.
    if (size > this.r.remaining) this.truncated(`an array of ${size} objects is announced`, sizeAt);
    for (let i = 0; i < size; i++) this.content(depth + 1);
  }

  private value(type: string, depth: number): void {
    const size = PRIMITIVE_SIZE[type];
    if (size !== undefined) this.r.skip(size, `field of type ${type}`);
    else this.content(depth + 1);
  }

  private utf(what: string): string {
    const n = this.r.u16(`${what} length`);
    // Only array class names are looked at, and they are ASCII: no need for modified UTF-8 here.
    return Buffer.from(this.r.bytesView(n, what)).toString('latin1');
  }
}

function hex(v: number, digits: number): string {
  return `0x${(v >>> 0).toString(16).padStart(digits, '0')}`;
}
