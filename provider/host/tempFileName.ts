import { randomBytes } from 'node:crypto';

/**
 * `.<name>.midtrust-<pid>-<random>.tmp`: hidden (a MID Server or `ls` user is not distracted), in
 * the same directory as the target (so the final rename is atomic), carrying the writer's pid so
 * a leftover of a killed run can be recognized and removed once that process is gone.
 */
const TEMP_PATTERN = /^\.(.+)\.midtrust-(\d+)-[0-9a-f]+\.tmp$/;

/**
 * The base name of a temporary file for replacing the file named `targetBase`.
 *
 * @example
 * tempFileName('cacerts', 4242); // '.cacerts.midtrust-4242-9f3a0c11d2e4.tmp'
 */
export function tempFileName(targetBase: string, pid = process.pid): string {
  return `.${targetBase}.midtrust-${pid}-${randomBytes(6).toString('hex')}.tmp`;
}

/** Base names of the temporary files this process is writing now (see {@link isOwnTempInUse}). */
const inUse = new Set<string>();

/**
 * Marks a temporary file name as in use by this process until `done` is called: a file with this
 * process's pid that is not in use is a dead predecessor's (Windows and Wine hand pids on soon).
 *
 * @example
 * const done = useTempFile(name); try { … } finally { done(); }
 */
export function useTempFile(name: string): () => void {
  inUse.add(name);
  return () => {
    inUse.delete(name);
  };
}

/** Whether a temporary file carrying this process's pid is one it is writing now. */
export function isOwnTempInUse(name: string): boolean {
  return inUse.has(name);
}

/**
 * What a directory entry's name says, if it is one of midtrust's temporary files.
 *
 * @example
 * parseTempFileName('.cacerts.midtrust-4242-9f3a0c11d2e4.tmp'); // { targetBase: 'cacerts', pid: 4242 }
 * parseTempFileName('cacerts'); // undefined
 */
export function parseTempFileName(name: string): { targetBase: string; pid: number } | undefined {
  const m = TEMP_PATTERN.exec(name);
  return m ? { targetBase: m[1], pid: Number(m[2]) } : undefined;
}

/** `<store>.midtrust-owners.json`: the ownership record of the Pulumi resources (provider/ownership). */
export const OWNERSHIP_RECORD_SUFFIX = '.midtrust-owners.json';

/**
 * True when a temporary file for `targetBase` belongs to the store `storeBase`: the store itself,
 * or a file midtrust keeps beside it (its backups and their manifest, its ownership record). Those
 * are cleaned up together, under the store's lock.
 *
 * @example
 * belongsToStore('cacerts.midtrust-owners.json', 'cacerts'); // true
 */
export function belongsToStore(targetBase: string, storeBase: string): boolean {
  return targetBase === storeBase || targetBase.startsWith(`${storeBase}.midtrust-backup`) || targetBase === `${storeBase}${OWNERSHIP_RECORD_SUFFIX}`;
}
