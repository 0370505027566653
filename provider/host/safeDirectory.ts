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
  /** The account name of a uid, for messages ("mid"); undefined when it cannot be told. */
  accountName?(uid: number): Promise<string | undefined>;
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

/**
 * The keystore rule: its path may be a link (Debian's cacerts), followed only when root or the
 * owner of its target made it, into a directory the link's maker owns ({@link resolveWriteTarget}).
 */
export const FOLLOW_KEYSTORE_LINK: LinkRule = { follow: true, what: 'the keystore' };

/** The link rule of a write: a keystore's path may be a link; `noFollow` writes refuse one. */
export function linkRuleOf(opts: WriteAtomicOptions): LinkRule {
  return opts.noFollow ? { follow: false, what: opts.what ?? 'this file' } : FOLLOW_KEYSTORE_LINK;
}

/**
 * The file a write to `file` really replaces, on any file system the ops reach. With
 * `link.follow` false (every file but a keystore) a link at the path itself is refused. The keystore
 * path itself is the one link midtrust follows (Debian links every JDK's cacerts to
 * /etc/ssl/certs/java/cacerts), however many hops, dangling or not (followed to where the target
 * would be, as `cp` does) — each hop only under {@link checkKeystoreLink}'s rule, so a link the MID
 * account planted in its own home cannot send root's write to a store elsewhere. The directories
 * on the way, the link's and the target's, must pass {@link safeDirectory}.
 *
 * @example
 * await resolveWriteTarget('/usr/lib/jvm/java-17-openjdk-amd64/lib/security/cacerts', localWalkOps()); // '/etc/ssl/certs/java/cacerts'
 */
export async function resolveWriteTarget(file: string, ops: PathWalkOps, link: LinkRule = FOLLOW_KEYSTORE_LINK): Promise<string> {
  const p = path.posix;
  let current = p.isAbsolute(file) ? file : p.resolve(file);
  let followed: FollowedLink | undefined;
  for (let hop = 0; hop <= MAX_LINKS; hop++) {
    const dir = await safeDirectory(p.dirname(current), ops);
    const candidate = p.join(dir, p.basename(current));
    const st = await ops.lstat(candidate);
    if (followed) await checkKeystoreLink(followed, dir, candidate, st, ops, file);
    if (st?.kind !== 'symlink') return candidate;
    if (!link.follow) throw symlinkRefused(`${ops.where}${file}`, link.what);
    // Not path.resolve: a lexical `..` would skip a link the kernel follows; the walk applies `..` in order.
    const target = await ops.readlink(candidate);
    followed = { path: candidate, uid: st.uid };
    current = p.isAbsolute(target) ? target : `${dir === '/' ? '' : dir}/${target}`;
  }
  throw new MidtrustError('INVALID_INPUT', `${ops.where}${file}: too many levels of symbolic links; check where the links point`);
}

/** A keystore link just followed: where it is and who made it (a link belongs to its maker). */
interface FollowedLink {
  readonly path: string;
  readonly uid: number;
}

/**
 * The rule for following a keystore link, judged on each hop once its target is known:
 *
 * - **made by root or by the owner of its target.** A link belongs to whoever made it. The MID
 *   service account owns the MID home, so it can replace `agent/jre/lib/security/cacerts` with a
 *   link to any store on the host (the system JDK's cacerts); root's midtrust must not rewrite
 *   that store because of a link its owner never made. Debian's links (root's) and a link an
 *   owner made to its own store are followed.
 * - **into a directory owned by the link's maker.** The write creates a temporary file, a lock,
 *   a backup and its manifest beside the target; a link must not move those into another
 *   account's directory either — a dangling link would otherwise create a store there.
 *
 * A link is evidence about its maker's files only, never about another account's.
 */
async function checkKeystoreLink(link: FollowedLink, dir: string, target: string, st: ComponentStat | undefined, ops: PathWalkOps, file: string): Promise<void> {
  const dirOwner = (await ops.lstat(dir))?.uid;
  const targetOwner = st?.uid;
  const refusedBy =
    link.uid !== 0 && targetOwner !== undefined && targetOwner !== link.uid
      ? `${target}, which belongs to ${await account(targetOwner, ops)}`
      : dirOwner !== undefined && dirOwner !== link.uid
        ? `${target}, in ${dir}, a directory that belongs to ${await account(dirOwner, ops)}`
        : undefined;
  if (refusedBy === undefined) return;
  const maker = await account(link.uid, ops);
  const via = link.path === file ? '' : ` (reached from ${file})`;
  throw new MidtrustError(
    'INVALID_INPUT',
    `${ops.where}${link.path}: is a symbolic link made by ${maker}${via} that points to ${refusedBy}; ` +
      'midtrust follows a keystore link only when root or the owner of its target made it, and never into a directory another account owns, ' +
      'so nothing was written. If the link is meant, give the path it points to instead' +
      (link.uid === 0 ? '' : ` (or have root make the link); if not, ${maker} may have planted it: remove it and look at what else that account changed`),
  );
}

/** "uid 1000 (mid)", or "root". */
async function account(uid: number, ops: PathWalkOps): Promise<string> {
  if (uid === 0) return 'root';
  const name = await ops.accountName?.(uid).catch(() => undefined);
  return name ? `uid ${uid} (${name})` : `uid ${uid}`;
}

/**
 * The name of `uid` in the text of an /etc/passwd file, or undefined.
 *
 * @example
 * accountNameIn('mid:x:1001:1001::/home/mid:/bin/sh\n', 1001); // 'mid'
 */
export function accountNameIn(passwd: string, uid: number): string | undefined {
  for (const line of passwd.split('\n')) {
    const fields = line.split(':');
    if (fields.length >= 3 && fields[2] === String(uid) && /^[A-Za-z0-9._-]{1,64}$/.test(fields[0])) return fields[0];
  }
  return undefined;
}

/**
 * Windows (locally, and over SFTP where the server reports no owners): who made a link cannot be
 * checked, so the keystore rule (a link is followed only when root or its target's owner made
 * it) cannot be applied — the link is refused and the real path asked for.
 *
 * @example
 * throw windowsLinkRefused('C:\\ServiceNow\\mid1\\agent\\jre\\lib\\security\\cacerts');
 */
export function windowsLinkRefused(file: string): MidtrustError {
  return new MidtrustError(
    'INVALID_INPUT',
    `${file}: is a symbolic link (or junction) on a Windows host, where midtrust cannot tell who made it; ` +
      'it follows a keystore link only when an administrator or the owner of its target made it, so nothing was written. Give the path of the file the link points to instead',
  );
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
