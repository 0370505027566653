/**
 * Windows MID hosts run OpenSSH for Windows, whose SFTP server spells `C:\ServiceNow\mid1` as
 * `/C:/ServiceNow/mid1`. POSIX paths pass through unchanged.
 */
export function toSftpPath(p: string): string {
  if (/^[A-Za-z]:[\\/]/.test(p)) return `/${p.replace(/\\/g, '/')}`;
  return p;
}
