import type { LinkRule } from './safeDirectory';

/**
 * What {@link Host.stat} tells about a file that exists; a missing file is `undefined` rather
 * than an `exists: false` record, so a caller cannot read the size of a file that is not there.
 *
 * @example
 * const st = await host.stat('/usr/lib/jvm/java-17-openjdk-amd64/lib/security/cacerts');
 * st?.realPath; // '/etc/ssl/certs/java/cacerts' on Debian: the file a write really replaces
 */
export interface HostStat {
  readonly size: number;
  readonly mtimeMs: number;
  /** Permission bits (`& 0o7777`), the part a rewrite must keep. */
  readonly mode: number;
  readonly uid: number;
  readonly gid: number;
  /** The path with symlinks resolved: the file that is really written. */
  readonly realPath: string;
}

/**
 * Options of {@link Host.writeFileAtomic}.
 *
 * @example
 * await host.writeFileAtomic(file, bytes, { verify: (b) => assertSameContent(model, readKeystore(b), file) });
 */
export interface WriteAtomicOptions {
  /** Mode for a new file (an existing file keeps its own). Default 0o644. */
  readonly mode?: number;
  /**
   * Mode the file gets even when it exists (owner and group are still kept): for a file that is
   * about to hold a password in plain text (wrapper-override.conf → 0600).
   */
  readonly setMode?: number;
  /**
   * Called with the bytes read back from the temporary file before it replaces the target;
   * throwing aborts the write and leaves the target untouched, so a store that cannot be
   * verified is never renamed into place.
   */
  readonly verify?: (readBack: Uint8Array) => void | Promise<void>;
  /**
   * Refuse when the path itself is a symbolic link instead of writing its target: for every file
   * but a keystore (midtrust follows a link only for a keystore path, e.g. Debian's cacerts).
   */
  readonly noFollow?: boolean;
  /** Names the file in messages (with noFollow). */
  readonly what?: string;
}

/**
 * Options of {@link Host.readFile}. The defaults suit a keystore; other inputs give their own
 * limit and name (READ_LIMITS in readLimits.ts).
 *
 * @example
 * await host.readFile(layout.configXml, { maxBytes: READ_LIMITS.configFile, what: 'config.xml' });
 */
export interface ReadFileOptions {
  /** Refuse larger files (default READ_LIMITS.keystore, 64 MiB). */
  readonly maxBytes?: number;
  /** Names the input in messages (default "the keystore"). */
  readonly what?: string;
  /** Refuse a symlink at the path itself (for files midtrust made and reads back). */
  readonly noFollow?: boolean;
}

/**
 * Options of {@link Host.createNewFile}, {@link Host.createDirectory} and {@link Host.replaceFile}.
 *
 * @example
 * await host.createNewFile(backup, bytes, { mode: 0o600 });
 */
export interface CreateOptions {
  /** Permission bits, set exactly. Default 0o600 for files, 0o700 for directories. */
  readonly mode?: number;
}

/**
 * Options of {@link Host.lock}.
 *
 * @example
 * await host.lock(file, { timeoutMs: 5000 });
 */
export interface LockOptions {
  /** How long to wait for another run's lock before failing with LOCKED. Default 30 s. */
  readonly timeoutMs?: number;
  /**
   * A lock taken on another machine (a shared file system) whose age exceeds this is considered
   * abandoned, because there is no way to ask whether its process still runs. Default 10 min.
   */
  readonly staleMs?: number;
}

/**
 * Options of {@link Host.makeDirectory}.
 *
 * @example
 * await host.makeDirectory('/etc/servicenow/mid1', { mode: 0o755, owner: { uid: 996, gid: 996 } });
 */
export interface MakeDirectoryOptions {
  /** Permission bits of the directories created. Default 0o700. */
  readonly mode?: number;
  /** Owner and group of the directories created (needs root, or the caller's own ids). */
  readonly owner?: { readonly uid: number; readonly gid: number };
}

/**
 * A held lock; `release` is idempotent and removes the lock file only while it is still ours.
 *
 * @example
 * const lock = await host.lock(file);
 * try { ... } finally { await lock.release(); }
 */
export interface HostLock {
  /** The lock file: `<resolved store path>.midtrust.lock`. */
  readonly lockPath: string;
  release(): Promise<void>;
}

/**
 * Where keystore bytes live. Everything above this layer (plan, codecs, doors) is the same for a
 * local file and a remote MID host: an implementation only moves bytes, atomically and under a
 * lock, and knows nothing about keystore formats. Every method is async and every path is in the
 * host's own syntax, so an SSH implementation can follow without changing callers.
 *
 * Errors are MidtrustError: NOT_FOUND for a missing file, IO (naming the file and what to do) when
 * the operating system refuses, LOCKED when another run holds the store.
 *
 * @example
 * const host: Host = new LocalHost();
 * const lock = await host.lock(cacerts);
 * try {
 *   const bytes = await host.readFile(cacerts);
 *   await host.writeFileAtomic(cacerts, rewrite(bytes), { verify });
 * } finally {
 *   await lock.release();
 * }
 */
export interface Host {
  /** For messages: "local", "ssh mid@host:22". */
  describe(): string;
  /**
   * The whole file — a regular file only (a FIFO, a device or a directory is refused without
   * blocking), at most `opts.maxBytes` (default 64 MiB). NOT_FOUND when missing,
   * INVALID_INPUT for a non-regular or too large file, IO with the reason otherwise.
   */
  readFile(path: string, opts?: ReadFileOptions): Promise<Uint8Array>;
  /** Follows symlinks; `undefined` when the path (or the symlink's target) does not exist. */
  stat(path: string): Promise<HostStat | undefined>;
  /**
   * The file a write to `path` really replaces: the keystore path is the one link midtrust
   * follows (Debian's cacerts link) — only when root or its target's owner made it, into a
   * directory the link's maker owns — and every directory on the way must be one where no other
   * account can redirect or swap what midtrust creates (safeDirectory.ts: links only from root
   * or us, no group/world-writable directory without a root sticky bit). INVALID_INPUT otherwise.
   */
  resolveTarget(path: string, link?: LinkRule): Promise<string>;
  /**
   * Replaces the file atomically — through a symlink, its target — so a reader (or a crash)
   * only ever sees the complete old or the complete new content: temporary file beside the
   * target, fsync, original mode and owner, read back + `verify`, rename, fsync of the directory.
   * On failure the original is untouched and the temporary file removed.
   */
  writeFileAtomic(path: string, bytes: Uint8Array, opts?: WriteAtomicOptions): Promise<void>;
  /**
   * Takes the cross-process lock beside the (resolved) file, waiting up to `timeoutMs` for
   * another run. Once held, leftovers of killed writes are removed ({@link Host.cleanupStaleTemps}).
   * Not re-entrant: locking the same store twice in one run waits for itself.
   */
  lock(path: string, opts?: LockOptions): Promise<HostLock>;
  /**
   * Removes leftovers of writes and lock takeovers that were killed mid-way (those whose process
   * is gone). Returns how many were removed. The host implements it because only the host can
   * tell whether a process id is still alive.
   */
  cleanupStaleTemps(path: string): Promise<number>;
  /** Lists a directory's entry names (empty when it does not exist). */
  listDir(dir: string): Promise<string[]>;
  /** Removes a file; a missing file is fine. */
  removeFile(path: string): Promise<void>;
  /**
   * Creates a directory and its missing parents — mode 0700 unless `opts.mode`, given to
   * `opts.owner` when set (so a service account can reach what root created); existing is fine.
   * Returns the directories it created, outermost first.
   */
  makeDirectory(path: string, opts?: MakeDirectoryOptions): Promise<string[]>;
  /** Removes a directory if it is empty; returns false (and leaves it) when it is not, or is gone. */
  removeEmptyDirectory(path: string): Promise<boolean>;
  /**
   * Creates a new file holding `bytes`, exclusively (O_CREAT|O_EXCL|O_NOFOLLOW locally, an
   * SSH_FXF_CREAT|SSH_FXF_EXCL open over SFTP), in a directory checked like
   * {@link Host.resolveTarget}'s, flushed to disk. Returns false — writing nothing — when the name
   * exists in any form, a dangling symlink included; the caller picks another name or fails.
   * Backups and migration copies are made this way, so they never overwrite anything.
   */
  createNewFile(path: string, bytes: Uint8Array, opts?: CreateOptions): Promise<boolean>;
  /** Creates one directory (its parent must exist), exclusively: false when the name exists. Mode 0700 by default. */
  createDirectory(path: string, opts?: CreateOptions): Promise<boolean>;
  /**
   * Replaces `path` with `bytes` atomically *without following a link at that name*: an
   * exclusive temporary file beside it, renamed over the name (a rename replaces a link itself).
   * For files midtrust owns by name, such as the backup manifest.
   */
  replaceFile(path: string, bytes: Uint8Array, opts?: CreateOptions): Promise<void>;
}
