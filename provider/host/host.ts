/**
 * Where keystore bytes live. Everything above this layer (plan, codecs, doors) is the same for a
 * local file and a remote MID host; an implementation only moves bytes, atomically and under a lock.
 * All paths are in the host's own syntax.
 */
export interface HostStat {
  readonly size: number;
  readonly mtimeMs: number;
  readonly mode: number;
  readonly uid: number;
  readonly gid: number;
  /** The path with symlinks resolved: the file that is really written. */
  readonly realPath: string;
}

export interface WriteAtomicOptions {
  /** Mode for a new file (an existing file keeps its own). Default 0o644. */
  readonly mode?: number;
  /**
   * Called with the bytes read back from the temporary file before it replaces the target;
   * throwing aborts the write and leaves the target untouched.
   */
  readonly verify?: (readBack: Uint8Array) => void | Promise<void>;
}

export interface LockOptions {
  /** How long to wait for another run's lock before failing with LOCKED. Default 30 s. */
  readonly timeoutMs?: number;
  /** A lock from another machine older than this is considered abandoned. Default 10 min. */
  readonly staleMs?: number;
}

/** A held lock; release is idempotent and removes the lock file only while it is still ours. */
export interface HostLock {
  readonly lockPath: string;
  release(): Promise<void>;
}

export interface Host {
  /** For messages: "local", "ssh mid@host:22". */
  describe(): string;
  /** NOT_FOUND when missing, IO with the reason otherwise. */
  readFile(path: string): Promise<Uint8Array>;
  /** undefined when the path does not exist. */
  stat(path: string): Promise<HostStat | undefined>;
  /** Replaces the file (the symlink's target) atomically: temp file, fsync, verify, rename, fsync dir. */
  writeFileAtomic(path: string, bytes: Uint8Array, opts?: WriteAtomicOptions): Promise<void>;
  /** Takes the cross-process lock beside the (resolved) file. */
  lock(path: string, opts?: LockOptions): Promise<HostLock>;
  /** Removes leftovers of writes that were killed mid-way (temp files of dead processes). */
  cleanupStaleTemps(path: string): Promise<number>;
  /** Lists a directory's entry names (empty when it does not exist). */
  listDir(dir: string): Promise<string[]>;
  removeFile(path: string): Promise<void>;
  /** Creates a directory and its parents (mode 0700 for new ones); existing is fine. */
  makeDirectory(path: string): Promise<void>;
}
