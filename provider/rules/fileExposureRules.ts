import { violation } from './certificateRules';
import type { RuleOptions, Violation } from './violation';

/**
 * A file or directory every account on the machine can read, found by provider/host/fileExposure.
 * Only reported where the platform can tell: POSIX permission bits. On Windows node's mode bits
 * are made up from the read-only attribute and say nothing about the ACL, so nothing is found.
 */
export interface FileExposure {
  readonly path: string;
  /** What it is, for the message: 'keystore with private keys', 'upgrade backup directory', … */
  readonly what: string;
  /** Permission bits (`& 0o7777`). */
  readonly mode: number;
  readonly directory: boolean;
}

/**
 * `readable-by-everyone`: a keystore holding private or secret keys, or a directory of keystore
 * backups, that every account can read. (A truststore of public certificates is meant to be
 * readable: every JVM on the machine reads the JDK's cacerts.)
 *
 * @example
 * checkFileExposures([{ path: '/opt/mid/agent/work/truststore_migration', what: 'upgrade backup directory', mode: 0o755, directory: true }], opts);
 */
export function checkFileExposures(exposures: readonly FileExposure[], opts: Pick<RuleOptions, 'severities'>): Violation[] {
  return exposures.map((x) => {
    const mode = x.mode.toString(8).padStart(4, '0');
    const fix = x.directory ? `chmod o-rwx ${x.path}` : `chmod o-rwx ${x.path} (the MID service account keeps its access as owner or group)`;
    return violation('readable-by-everyone', opts, null, null, `${x.path} (${x.what}) is readable by every account on the machine (mode ${mode})`, fix);
  });
}
