import * as path from 'node:path';
import { MidtrustError } from '../errors';
import { symlinkRefused } from './boundedRead';
import type { WriteAtomicOptions } from './host';

/** What the walk needs to know about one path component (lstat: links are not followed). */
export interface ComponentStat {
  readonly kind: 'directory' | 'symlink' | 'other';
  readonly uid: number;
  /** Permission bits including the sticky bit (`& 0o7777`). */
  readonly mode: number;
}

/** The file system a walk runs on: local fs or SFTP (POSIX paths; Windows hosts are not walked). */
export interface PathWalkOps {
  /** `undefined` when the component does not exist. */
  lstat(p: string): Promise<ComponentStat | undefined>;
  readlink(p: string): Promise<string>;
  /** Accounts whose links are followed and whose sticky directories are safe: root and the account midtrust runs as. */
  readonly trustedUids: readonly number[];
  /** Prefix for messages ("" locally, "ssh mid@host:22 " remotely). */
  readonly where: string;
}

/** Linux gives up after 40 links (ELOOP); so do we. */
const MAX_LINKS = 40;
const STICKY = 0o1000;
const GROUP_OR_OTHER_WRITE = 0o022;

/**
 * Walks `dir` from the root, one component at a time, and returns its canonical path (no links)
 * once every directory on the way is one where a file midtrust creates cannot be redirected or
 * swapped by another account:
 *
 * - **A symbolic link is followed only when root or the account midtrust runs as owns it.** A link
 *   is owned by whoever made it, so a link owned by any other account was planted by that account
 *   (the MID service account, typically, which can write the MID's directories): refused.
 *   Administrators' links (`/usr/lib/jvm/default-java`, `/opt/servicenow -> /data/servicenow`)
 *   are root's and are followed.
 * - **No directory on the way is writable by group or others**, unless it has the sticky bit and
 *   belongs to root or to us (like `/tmp`): otherwise another account could rename our temporary
 *   file between its verification and the rename, or swap a directory for a link.
 *
 * What is deliberately allowed: a directory owned (and writable) by another single account — the
 * MID service account owns its home when root runs midtrust. That account can already change the
 * store; what it cannot do is redirect midtrust elsewhere, because every file midtrust creates is
 * created with O_CREAT|O_EXCL|O_NOFOLLOW (an exclusive SFTP open remotely), which never follows or
 * reuses an existing name. The one thing left is a race: that owner moving a directory between
 * this walk and the create. It could then make midtrust create a *new* file elsewhere, never
 * overwrite one; to rule that out too, run midtrust as the account that owns the MID home.
 *
 * @example
 * await safeDirectory('/opt/servicenow/mid/agent/jre/lib/security', localWalkOps()); // the canonical path, or INVALID_INPUT
 */
export async function safeDirectory(dir: string, ops: PathWalkOps): Promise<string> {
  const p = path.posix;
  const todo = splitComponents(p.isAbsolute(dir) ? dir : p.resolve(dir));
  // Ask for every prefix up to the first `..` at once: over SFTP one round trip instead of one
  // per component. The walk below still judges them in order (a link changes what follows).
  const ahead = new Map<string, Promise<ComponentStat | undefined>>();
  let prefix = '/';
  ahead.set(prefix, ops.lstat(prefix));
  for (const part of todo) {
    if (part === '..') break;
    prefix = p.join(prefix, part);
    ahead.set(prefix, ops.lstat(prefix));
  }
  // Settle every prefetch even if the walk stops early, so none rejects unobserved.
  for (const v of ahead.values()) v.catch(() => undefined);
  const lstat = (q: string): Promise<ComponentStat | undefined> => ahead.get(q) ?? ops.lstat(q);
  const mustExist = async (q: string): Promise<ComponentStat> => {
    const st = await lstat(q);
    if (!st) throw new MidtrustError('NOT_FOUND', `${ops.where}${q}: does not exist; check the path`);
    return st;
  };
  let current = '/';
  await checkDirectoryMode(current, await mustExist(current), ops);
  let links = 0;
  while (todo.length > 0) {
    const part = todo.shift() as string;
    if (part === '..') {
      current = p.dirname(current);
      continue;
    }
    const next = p.join(current, part);
    const st = await mustExist(next);
    if (st.kind === 'symlink') {
      if (!ops.trustedUids.includes(st.uid)) {
        throw new MidtrustError(
          'INVALID_INPUT',
          `${ops.where}${next}: is a symbolic link owned by uid ${st.uid}, not by root or the account midtrust runs as; ` +
            `midtrust does not create files through links another account could have planted — give the real path of the directory, or run midtrust as uid ${st.uid}`,
        );
      }
      if (++links > MAX_LINKS) throw new MidtrustError('INVALID_INPUT', `${ops.where}${dir}: too many levels of symbolic links; check where the links point`);
      const target = await ops.readlink(next);
      if (p.isAbsolute(target)) current = '/';
      todo.unshift(...splitComponents(target));
      continue;
    }
    if (st.kind !== 'directory') throw new MidtrustError('INVALID_INPUT', `${ops.where}${next}: is not a directory (in the path ${dir}); check the path`);
    await checkDirectoryMode(next, st, ops);
    current = next;
  }
  return current;
}

/** Whether a write follows a link at the path itself: only for a keystore path (`what` names the file otherwise). */
export interface LinkRule {
  readonly follow: boolean;
  readonly what: string;
}

/** The keystore rule: its path may be a link (Debian's cacerts), followed whoever made it. */
export const FOLLOW_KEYSTORE_LINK: LinkRule = { follow: true, what: 'the keystore' };

/** The link rule of a write: a keystore's path may be a link; `noFollow` writes refuse one. */
export function linkRuleOf(opts: WriteAtomicOptions): LinkRule {
  return opts.noFollow ? { follow: false, what: opts.what ?? 'this file' } : FOLLOW_KEYSTORE_LINK;
}

/**
 * The file a write to `file` really replaces, on any file system the ops reach. With
 * `link.follow` false (every file but a keystore) a link at the path itself is refused. The keystore
 * path itself is the one link midtrust follows, whoever made it (Debian links every JDK's
 * cacerts to /etc/ssl/certs/java/cacerts), however many hops, dangling or not (followed to where
 * the target would be, as `cp` does); the directories on the way, the link's and the target's,
 * must pass {@link safeDirectory}.
 *
 * @example
 * await resolveWriteTarget('/usr/lib/jvm/java-17-openjdk-amd64/lib/security/cacerts', localWalkOps()); // '/etc/ssl/certs/java/cacerts'
 */
export async function resolveWriteTarget(file: string, ops: PathWalkOps, link: LinkRule = FOLLOW_KEYSTORE_LINK): Promise<string> {
  const p = path.posix;
  let current = p.isAbsolute(file) ? file : p.resolve(file);
  for (let hop = 0; hop <= MAX_LINKS; hop++) {
    const dir = await safeDirectory(p.dirname(current), ops);
    const candidate = p.join(dir, p.basename(current));
    const st = await ops.lstat(candidate);
    if (st?.kind !== 'symlink') return candidate;
    if (!link.follow) throw symlinkRefused(`${ops.where}${file}`, link.what);
    // Not path.resolve: a lexical `..` would skip a link the kernel follows; the walk applies `..` in order.
    const target = await ops.readlink(candidate);
    current = p.isAbsolute(target) ? target : `${dir === '/' ? '' : dir}/${target}`;
  }
  throw new MidtrustError('INVALID_INPUT', `${ops.where}${file}: too many levels of symbolic links; check where the links point`);
}

/** POSIX components in order; `..` is kept, as it must be applied after the links before it. */
function splitComponents(s: string): string[] {
  return s.split('/').filter((c) => c !== '' && c !== '.');
}

async function checkDirectoryMode(p: string, st: ComponentStat, ops: PathWalkOps): Promise<void> {
  if (st.kind !== 'directory') throw new MidtrustError('INVALID_INPUT', `${ops.where}${p}: is not a directory; check the path`);
  if ((st.mode & GROUP_OR_OTHER_WRITE) === 0) return;
  if ((st.mode & STICKY) !== 0 && ops.trustedUids.includes(st.uid)) return;
  throw new MidtrustError(
    'INVALID_INPUT',
    `${ops.where}${p}: is writable by other users (mode ${(st.mode & 0o7777).toString(8).padStart(4, '0')}) without a sticky bit set by root: ` +
      `another account could swap the files midtrust creates there; run chmod o-w,g-w ${p}, or keep the store in a directory only its owner can write`,
  );
}
