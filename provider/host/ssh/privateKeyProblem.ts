/**
 * Why `key` is not a private key the SSH client can log in with, in words (never quoting the
 * key), or undefined when it is one. Checked where the key is read, so a wrong file (a
 * certificate, a public key, a known_hosts file) is named with its host before any connection,
 * instead of failing inside the SSH library.
 *
 * @example
 * privateKeyProblem(fs.readFileSync('id_ed25519.pub', 'utf8')); // 'it is a public key; give the private key (the file without .pub)'
 */
export function privateKeyProblem(key: string, passphrase?: string): string | undefined {
  const { utils } = require('ssh2') as typeof import('ssh2');
  let parsed: ReturnType<typeof utils.parseKey>;
  try {
    parsed = utils.parseKey(key, passphrase);
  } catch (e) {
    parsed = e instanceof Error ? e : new Error(String(e));
  }
  const first = Array.isArray(parsed) ? parsed[0] : parsed;
  if (first instanceof Error) {
    if (/passphrase/i.test(first.message)) return passphrase === undefined
      ? 'it is encrypted and no passphrase was given; set privateKeyPassphraseEnv or privateKeyPassphraseFile, or use an SSH agent (agent: true)'
      : 'it is encrypted and the passphrase given does not open it; check privateKeyPassphraseEnv / privateKeyPassphraseFile';
    if (/-----BEGIN CERTIFICATE-----/.test(key)) return 'it is a certificate, not a private key';
    return `it is not a private key the SSH client can read (${first.message}); give an OpenSSH or PEM private key, e.g. one made by ssh-keygen -t ed25519`;
  }
  if (first && !first.isPrivateKey()) return 'it is a public key; give the private key (the file without .pub)';
  return undefined;
}
