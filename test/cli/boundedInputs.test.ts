/**
 * Issue #13 item 6: no input can hang midtrust or exhaust its memory. Each case runs the
 * compiled CLI as its own process with a deadline: before the fix these hung (a FIFO opened for
 * reading waits for a writer forever; `ls /dev/zero` grew to gigabytes), so a timeout here is
 * the failure being guarded against.
 */
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { CLI } from '../helpers/midtrustCli';
import { env, makeCertificateSet, makeStore } from './applyFixtures';

const DEADLINE_MS = 15_000;

interface Run {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

function run(argv: string[], opts: { cwd?: string; input?: string | Buffer; stdinFile?: string } = {}): Run {
  const stdin = opts.stdinFile ? fs.openSync(opts.stdinFile, 'r') : undefined;
  try {
    const r = spawnSync(process.execPath, [CLI, ...argv], {
      cwd: opts.cwd,
      env: { ...process.env, ...env },
      input: opts.input,
      stdio: [stdin ?? 'pipe', 'pipe', 'pipe'],
      timeout: DEADLINE_MS,
      encoding: 'utf8',
      maxBuffer: 1024 * 1024,
    });
    return { code: r.status, signal: r.signal, stdout: r.stdout, stderr: r.stderr };
  } finally {
    if (stdin !== undefined) fs.closeSync(stdin);
  }
}

/** Fails clearly (not by a jest timeout) when the process had to be killed. */
function expectRefused(r: Run, message: RegExp): void {
  expect(r.signal).toBeNull();
  expect(r.code).toBe(1);
  expect(r.stderr).toMatch(message);
  expect(r.stderr).not.toMatch(/internal error|\n\s+at /);
}

let certs: ReturnType<typeof makeCertificateSet>;
let dir: string;
let store: string;
let fifo: string;
beforeAll(() => {
  certs = makeCertificateSet(1);
  dir = certs.dir;
  store = path.join(dir, 'cacerts');
  makeStore(store, 'JKS');
  fifo = path.join(dir, 'fifo');
  execFileSync('mkfifo', [fifo]);
});
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

describe('non-regular inputs are refused at once', () => {
  it('a FIFO or a character device as the keystore', () => {
    expectRefused(run(['ls', fifo]), /fifo: is a FIFO \(named pipe\), not a regular file; the keystore must be a regular file/);
    expectRefused(run(['ls', '/dev/zero']), /\/dev\/zero: is a character device, not a regular file/);
  });

  it('a FIFO as the desired-state file, a certificate file or a password file', () => {
    expectRefused(run(['plan', '-f', fifo], { cwd: dir }), /fifo: is a FIFO \(named pipe\), not a regular file; the desired-state file must be a regular file/);
    fs.writeFileSync(path.join(dir, 'cert-fifo.yaml'), `keystore:\n  path: cacerts\n  password: { env: MID_STOREPASS }\ncertificates:\n  - alias: a\n    file: fifo\n`);
    const cert = run(['plan', '-f', 'cert-fifo.yaml'], { cwd: dir });
    expectRefused(cert, /certificates\[0\]\.file: alias a: cannot read fifo \(.*is a FIFO/);
    fs.writeFileSync(path.join(dir, 'pw-fifo.yaml'), `keystore:\n  path: cacerts\n  password: { file: fifo }\ncertificates: []\n`);
    expectRefused(run(['plan', '-f', 'pw-fifo.yaml'], { cwd: dir }), /keystore\.password: cannot read the password file fifo \(.*is a FIFO/);
  });

  it('--storepass-file pointing at a FIFO or a device', () => {
    expectRefused(run(['ls', store, '--storepass-file', fifo]), /--storepass-file .*fifo: is a FIFO \(named pipe\)/);
    expectRefused(run(['ls', store, '--storepass-file', '/dev/zero']), /is a character device/);
  });

  it('a FIFO planted as the lock file is reported at once, not waited on past --lock-timeout', () => {
    fs.writeFileSync(path.join(dir, 'lock.yaml'), `keystore:\n  path: cacerts\n  password: { env: MID_STOREPASS }\ncertificates:\n  - alias: leaf\n    file: leaf0.pem\n`);
    const lockPath = `${fs.realpathSync(store)}.midtrust.lock`;
    execFileSync('mkfifo', [lockPath]);
    try {
      expectRefused(run(['apply', '-f', 'lock.yaml', '--lock-timeout', '2'], { cwd: dir }), /cacerts\.midtrust\.lock: is a FIFO \(named pipe\), not a midtrust lock file.*Remove it/);
    } finally {
      fs.rmSync(lockPath, { force: true });
    }
  });
});

describe('every read is bounded', () => {
  it('a keystore over the 64 MiB limit is refused by size, naming the limit (a sparse file: no disk used)', () => {
    const huge = path.join(dir, 'huge');
    fs.closeSync(fs.openSync(huge, 'w'));
    fs.truncateSync(huge, 65 * 1024 * 1024);
    try {
      expectRefused(run(['ls', huge]), /huge: larger than the 64 MiB limit for the keystore \(68157440 bytes\)/);
    } finally {
      fs.rmSync(huge);
    }
  });

  it('--storepass-stdin reads one bounded line: endless input is refused, a writer that keeps the pipe open does not hang it', async () => {
    expectRefused(run(['ls', store, '--storepass-stdin'], { stdinFile: '/dev/zero' }), /standard input: larger than the 64 KiB limit for --storepass-stdin/);
    // The password, then silence with the pipe still open (as a parent process that forgets to close it).
    const child = spawn(process.execPath, [CLI, 'ls', store, '--storepass-stdin', '--json'], { env: { ...process.env }, stdio: ['pipe', 'pipe', 'pipe'] });
    child.stdin.write(`${env.MID_STOREPASS}\n`);
    let stdout = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    const code = await new Promise<number | null>((resolve) => {
      const timer = setTimeout(() => {
        child.kill('SIGKILL');
        resolve(null);
      }, DEADLINE_MS);
      child.on('exit', (c) => {
        clearTimeout(timer);
        resolve(c);
      });
    });
    child.stdin.destroy();
    expect(code).toBe(0);
    expect(JSON.parse(stdout).verified).toBe(true);
  }, DEADLINE_MS + 5_000);
});
