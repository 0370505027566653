import { inspect } from 'node:util';

/**
 * A password that cannot leak by accident: JSON.stringify, util.inspect, template strings and
 * console.log all print "[secret]". Only `reveal()` gives the value, to the code that needs it.
 *
 * @example
 * const pw = new Secret(process.env.MID_STOREPASS ?? '');
 * JSON.stringify({ pw }) // '{"pw":"[secret]"}'
 * readKeystore(bytes, { password: pw.reveal() });
 */
export class Secret {
  readonly #value: string;

  constructor(value: string) {
    this.#value = value;
  }

  /** The password itself: pass it straight to the codec, never to a message. */
  reveal(): string {
    return this.#value;
  }

  toJSON(): string {
    return '[secret]';
  }

  toString(): string {
    return '[secret]';
  }

  [inspect.custom](): string {
    return '[secret]';
  }
}
