/**
 * Test PKIs made by the real openssl at test time: keys, and certificates issued with
 * `openssl ca` (the only way in OpenSSL 3.0 to choose validity dates, for expired and
 * not-yet-valid certificates), with chosen extensions and digests (MD5, SHA-1 intermediates).
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { spawn, type ChildProcess } from 'node:child_process';
import { createHash } from 'node:crypto';
import { openssl } from '../helpers/keytool';

const CA_CONFIG = `[ ca ]
default_ca = CA_default
[ CA_default ]
database = index.txt
new_certs_dir = issued
serial = serial
default_md = sha256
default_days = 30
policy = policy_any
unique_subject = no
copy_extensions = none
email_in_dn = no
[ policy_any ]
commonName = supplied
`;

/** Extension profiles, as openssl config lines. */
export const PROFILE = {
  root: 'basicConstraints=critical,CA:TRUE\nkeyUsage=critical,keyCertSign,cRLSign\nsubjectKeyIdentifier=hash',
  intermediate: 'basicConstraints=critical,CA:TRUE,pathlen:0\nkeyUsage=critical,keyCertSign,cRLSign\nsubjectKeyIdentifier=hash\nauthorityKeyIdentifier=keyid',
  server: (sans = 'DNS:localhost,IP:127.0.0.1'): string =>
    `basicConstraints=CA:FALSE\nkeyUsage=critical,digitalSignature,keyEncipherment\nextendedKeyUsage=serverAuth\nsubjectAltName=${sans}\nsubjectKeyIdentifier=hash\nauthorityKeyIdentifier=keyid`,
} as const;

export interface IssueSpec {
  /** `/CN=...` */
  readonly subject: string;
  /** The issuing certificate's name in this PKI, or 'self'. */
  readonly issuer: string | 'self';
  /** Extension lines (PROFILE.*). */
  readonly ext: string;
  /** The key to certify (default: a key of the certificate's own name, made with `keySpec`). */
  readonly key?: string;
  /** 'ec' (P-256, default) or 'rsa:<bits>'. */
  readonly keySpec?: string;
  /** YYYYMMDDHHMMSSZ; default now−1 day … now+30 days. */
  readonly start?: string;
  readonly end?: string;
  /** Signature digest (default sha256). */
  readonly md?: string;
}

export class TestPki {
  private serial = 0x1000;

  constructor(readonly dir: string) {
    fs.mkdirSync(path.join(dir, 'issued'), { recursive: true });
    fs.writeFileSync(path.join(dir, 'ca.cnf'), CA_CONFIG);
    fs.writeFileSync(path.join(dir, 'index.txt'), '');
    fs.writeFileSync(path.join(dir, 'serial'), `${this.serial.toString(16)}\n`);
  }

  file(name: string): string {
    return path.join(this.dir, name);
  }

  private run(args: string[]): string {
    return openssl(args, { cwd: this.dir });
  }

  /** Makes `<name>.key` unless it exists. */
  key(name: string, spec = 'ec'): string {
    const file = `${name}.key`;
    if (fs.existsSync(this.file(file))) return file;
    if (spec === 'ec') this.run(['genpkey', '-algorithm', 'EC', '-pkeyopt', 'ec_paramgen_curve:P-256', '-out', file]);
    else this.run(['genpkey', '-algorithm', 'RSA', '-pkeyopt', `rsa_keygen_bits:${spec.split(':')[1]}`, '-out', file]);
    return file;
  }

  /** Issues `<name>.pem` with `openssl ca`. */
  issue(name: string, spec: IssueSpec): void {
    const key = spec.key ?? this.key(name, spec.keySpec);
    const day = 24 * 3600 * 1000;
    const stamp = (d: Date): string => `${d.toISOString().replace(/[-:T]/g, '').slice(0, 14)}Z`;
    fs.writeFileSync(this.file(`${name}.ext`), `[ ext ]\n${spec.ext}\n`);
    this.run(['req', '-new', '-key', key, '-subj', spec.subject, '-out', `${name}.csr`]);
    const signer = spec.issuer === 'self' ? ['-selfsign', '-keyfile', key] : ['-cert', `${spec.issuer}.pem`, '-keyfile', `${spec.issuer}.key`];
    this.run([
      'ca', '-batch', '-config', 'ca.cnf', '-notext', '-preserveDN', ...signer, '-in', `${name}.csr`, '-out', `${name}.pem`,
      '-startdate', spec.start ?? stamp(new Date(Date.now() - day)), '-enddate', spec.end ?? stamp(new Date(Date.now() + 30 * day)),
      '-md', spec.md ?? 'sha256', '-extfile', `${name}.ext`, '-extensions', 'ext',
    ]);
  }

  pem(name: string): string {
    return fs.readFileSync(this.file(`${name}.pem`), 'utf8');
  }

  der(name: string): Buffer {
    return Buffer.from(this.pem(name).replace(/-----[^-]+-----|\s/g, ''), 'base64');
  }

  sha256(name: string): string {
    return createHash('sha256').update(this.der(name)).digest('hex');
  }

  /** Concatenates certificates into `<file>` (a chain file, in the given order). */
  chain(file: string, names: string[]): string {
    fs.writeFileSync(this.file(file), names.map((n) => this.pem(n)).join(''));
    return this.file(file);
  }
}

/** A running `openssl s_server` and the port it chose. */
export interface TlsServer {
  readonly port: number;
  stop(): Promise<void>;
}

/**
 * `openssl s_server` on 127.0.0.1 with a port of its choosing. It sends only the certificate of
 * -cert plus, in file order, the certificates of -cert_chain. @SECLEVEL=0 so weak test
 * certificates (MD5, RSA-768) are still served: judging them is the client's business.
 */
let served = 0;

export function startTlsServer(pki: TestPki, leaf: string, chain: string[], opts: { tls12?: boolean } = {}): Promise<TlsServer> {
  const args = ['s_server', '-accept', '127.0.0.1:0', '-cert', pki.file(`${leaf}.pem`), '-key', pki.file(`${leaf}.key`), '-www', '-cipher', 'DEFAULT@SECLEVEL=0'];
  if (chain.length > 0) args.push('-cert_chain', pki.chain(`served-chain-${++served}.pem`, chain));
  if (opts.tls12) args.push('-tls1_2');
  const proc: ChildProcess = spawn('openssl', args, { cwd: pki.dir, stdio: ['ignore', 'pipe', 'pipe'] });
  return new Promise((resolve, reject) => {
    let out = '';
    let err = '';
    const timer = setTimeout(() => reject(new Error(`s_server for ${leaf} did not start: ${err}`)), 10_000);
    proc.stderr?.on('data', (b: Buffer) => (err += b.toString()));
    proc.stdout?.on('data', (b: Buffer) => {
      out += b.toString();
      const m = /ACCEPT 127\.0\.0\.1:(\d+)/.exec(out);
      if (m) {
        clearTimeout(timer);
        resolve({
          port: Number(m[1]),
          stop: () => new Promise((r) => (proc.exitCode !== null ? r() : (proc.once('exit', () => r()), proc.kill('SIGTERM')))),
        });
      }
    });
    proc.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`s_server for ${leaf} exited ${code}: ${err}`));
    });
  });
}
