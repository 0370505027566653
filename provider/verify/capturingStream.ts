import { Duplex } from 'node:stream';

/**
 * A pass-through stream that keeps a copy of the bytes read from `inner` (up to `limit`), so the
 * TLS handshake can be read as the server sent it while node's TLS client runs over it. Works for
 * a TCP socket and for an SSH channel alike.
 *
 * @example
 * const tap = new CapturingStream(socket, 1 << 20);
 * const tlsSocket = tls.connect({ socket: tap, ... });
 * // after the handshake: tap.received()
 */
export class CapturingStream extends Duplex {
  private readonly chunks: Buffer[] = [];
  private size = 0;

  constructor(
    private readonly inner: Duplex,
    private readonly limit: number,
  ) {
    super();
    inner.on('data', (chunk: Buffer) => {
      if (this.size < this.limit) {
        this.chunks.push(chunk);
        this.size += chunk.length;
      }
      if (!this.push(chunk)) inner.pause();
    });
    inner.on('end', () => this.push(null));
    inner.on('error', (e: Error) => this.destroy(e));
    inner.on('close', () => {
      if (!this.destroyed) this.destroy();
    });
  }

  /** Everything received so far (at most `limit` bytes, plus the chunk that crossed it). */
  received(): Buffer {
    return Buffer.concat(this.chunks);
  }

  override _read(): void {
    this.inner.resume();
  }

  override _write(chunk: Buffer, _encoding: BufferEncoding, callback: (error?: Error | null) => void): void {
    this.inner.write(chunk, callback);
  }

  override _final(callback: (error?: Error | null) => void): void {
    this.inner.end();
    callback();
  }

  override _destroy(error: Error | null, callback: (error?: Error | null) => void): void {
    this.inner.destroy();
    callback(error);
  }
}
