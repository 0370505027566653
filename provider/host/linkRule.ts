import type { WriteAtomicOptions } from './host';
import { FOLLOW_KEYSTORE_LINK, type LinkRule } from './safeDirectory';

/** The link rule of a write: a keystore's path may be a link; `noFollow` writes refuse one. */
export function linkRuleOf(opts: WriteAtomicOptions): LinkRule {
  return opts.noFollow ? { follow: false, what: opts.what ?? 'this file' } : FOLLOW_KEYSTORE_LINK;
}
