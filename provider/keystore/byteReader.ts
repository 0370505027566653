import { MidtrustError } from '../errors';

/**
 * A cursor over bytes that checks every length against what is left *before* allocating or
 * slicing, so a corrupt length field gives a TRUNCATED error with the offset instead of a huge
 * allocation or a RangeError.
 *
 * @example
 * const r = new ByteReader(bytes);
 * const magic = r.u32('magic number');
 */
export class ByteReader {
  private pos = 0;
  private readonly view: DataView;

  constructor(readonly bytes: Uint8Array, start = 0, private readonly end = bytes.length) {
    this.pos = start;
    this.view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  }

  get offset(): number {
    return this.pos;
  }

  get remaining(): number {
    return this.end - this.pos;
  }

  /** Throws TRUNCATED unless `n` more bytes are available. */
  need(n: number, what: string): void {
    if (n < 0 || n > this.end - this.pos) {
      throw new MidtrustError(
        'TRUNCATED',
        `expected ${what} (${n} bytes) at byte ${this.pos}, but only ${Math.max(0, this.end - this.pos)} bytes remain`,
        { offset: this.pos },
      );
    }
  }

  u8(what: string): number {
    this.need(1, what);
    return this.view.getUint8(this.pos++);
  }

  u16(what: string): number {
    this.need(2, what);
    const v = this.view.getUint16(this.pos);
    this.pos += 2;
    return v;
  }

  u32(what: string): number {
    this.need(4, what);
    const v = this.view.getUint32(this.pos);
    this.pos += 4;
    return v;
  }

  /** A signed 64-bit big-endian integer as a number (exact for millisecond timestamps). */
  i64(what: string): number {
    this.need(8, what);
    // High and low halves, not getBigInt64: no BigInt per entry. Rounds beyond 2^53 exactly as
    // Number(bigint) does (one rounding of the exact sum).
    const v = this.view.getInt32(this.pos) * 0x1_0000_0000 + this.view.getUint32(this.pos + 4);
    this.pos += 8;
    return v;
  }

  /** A view (not a copy) of the next `n` bytes. */
  bytesView(n: number, what: string): Uint8Array {
    this.need(n, what);
    const out = this.bytes.subarray(this.pos, this.pos + n);
    this.pos += n;
    return out;
  }

  skip(n: number, what: string): void {
    this.need(n, what);
    this.pos += n;
  }
}
