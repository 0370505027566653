/**
 * The most bytes midtrust reads from each kind of input. Every read through
 * {@link readRegularFile} (and the hosts' `readFile`) stops at its limit with an error naming the
 * file and the limit, so a huge, growing or endless input (`/dev/zero`, a log by mistake) can
 * neither hang a run nor exhaust its memory. The limits are far above any real input:
 *
 * | input | limit | real sizes |
 * |---|---|---|
 * | keystore | 64 MiB | JDK cacerts ≈ 160 KiB; the largest enterprise stores a few MiB |
 * | certificate file (PEM/DER, chains, bundles) | 8 MiB | the whole Mozilla bundle ≈ 220 KiB |
 * | desired-state file, inventory | 8 MiB | a few KiB |
 * | MID config files (config.xml, wrapper-override.conf) | 8 MiB | a few KiB |
 * | password file, password on stdin, SSH private key | 64 KiB | one line, a few KiB |
 * | lock file, backup manifest | 1 MiB | one line / one line per backup |
 */
export const READ_LIMITS = {
  keystore: 64 * 1024 * 1024,
  certificate: 8 * 1024 * 1024,
  desiredState: 8 * 1024 * 1024,
  configFile: 8 * 1024 * 1024,
  secret: 64 * 1024,
  smallRecord: 1024 * 1024,
} as const;

/**
 * "64 MiB": a limit as people read it.
 *
 * @example
 * formatByteLimit(READ_LIMITS.secret); // '64 KiB'
 */
export function formatByteLimit(bytes: number): string {
  if (bytes >= 1024 * 1024 && bytes % (1024 * 1024) === 0) return `${bytes / (1024 * 1024)} MiB`;
  if (bytes >= 1024 && bytes % 1024 === 0) return `${bytes / 1024} KiB`;
  return `${bytes} bytes`;
}
