import * as path from 'node:path';
import { parseCertificateInput } from '../certificate/certificateInput';
import { sha256Hex } from '../certificate/fingerprint';
import { MidtrustError } from '../errors';
import type { KeystoreType } from '../keystore/model';
import type { DesiredCertificate, DesiredState } from './desiredState';
import { validateAgainstSchema } from './schemaValidation';
import { Secret } from './secret';

export type { DesiredState } from './desiredState';

/** What loading needs from the outside world (injected so the plan layer does no I/O of its own). */
export interface DesiredStateIo {
  readFile(file: string): Uint8Array;
  readonly env: Record<string, string | undefined>;
  /** How to join a midHome: 'win32' for `C:\ServiceNow\mid1`. Defaults from the midHome's shape. */
  readonly platform?: 'posix' | 'win32';
}

/** Where the JRE truststore lives below a MID Server home. */
export const MID_CACERTS = ['agent', 'jre', 'lib', 'security', 'cacerts'] as const;

/** Whether a path is written Windows-style (drive letter or UNC). */
export function isWindowsPath(p: string): boolean {
  return /^[A-Za-z]:[\\/]/.test(p) || p.startsWith('\\\\');
}

/** `<midHome>/agent/jre/lib/security/cacerts`, joined the way the MID host spells paths. */
export function midCacertsPath(midHome: string, platform?: 'posix' | 'win32'): string {
  const win = platform === 'win32' || isWindowsPath(midHome);
  return win ? path.win32.join(midHome, ...MID_CACERTS) : path.posix.join(midHome, ...MID_CACERTS);
}

interface RawPassword {
  env?: string;
  file?: string;
  value?: string;
}
interface RawCertificate {
  alias: string;
  file?: string;
  pem?: string;
  state?: 'present' | 'absent';
}
interface RawDesiredState {
  keystore: { path?: string; midHome?: string; password?: RawPassword; create?: boolean; type?: KeystoreType };
  exclusive?: boolean;
  backup?: number;
  certificates: RawCertificate[];
}

/**
 * Parses, validates and resolves a desired-state file (YAML or JSON). Every problem is reported
 * at once, as `<file>:<line>: <property>: <problem>`, in one INVALID_INPUT error.
 *
 * @example
 * const desired = loadDesiredState(fs.readFileSync(f, 'utf8'), f, { readFile: fs.readFileSync, env: process.env });
 */
export function loadDesiredState(text: string, fileName: string, io: DesiredStateIo): DesiredState {
  // yaml is loaded only when a file is parsed: `ls` and the Pulumi provider never pay for it.
  const { LineCounter, parseDocument, isNode } = require('yaml') as typeof import('yaml');
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, prettyErrors: false, uniqueKeys: true });
  if (doc.errors.length > 0) {
    const lines = doc.errors.map((e) => `${fileName}:${lineCounter.linePos(e.pos[0]).line}: ${e.message.split('\n')[0]}`);
    throw new MidtrustError('INVALID_INPUT', `the desired-state file is not valid YAML:\n  ${lines.join('\n  ')}`);
  }
  const data = doc.toJS() as unknown;
  const lineOf = (p: readonly (string | number)[]): number | undefined => {
    for (let n = p.length; n >= 0; n--) {
      const node = n === 0 ? doc.contents : doc.getIn(p.slice(0, n), true);
      if (isNode(node) && node.range) return lineCounter.linePos(node.range[0]).line;
    }
    return undefined;
  };
  return resolve(data, path.dirname(fileName), fileName, io, lineOf);
}

/**
 * The same validation and resolution for an object that did not come from a file (the CLI's
 * import/delete, the Pulumi provider). Relative paths resolve against `baseDir`.
 */
export function desiredStateFromObject(data: unknown, baseDir: string, io: DesiredStateIo, sourceFile = '<options>'): DesiredState {
  return resolve(data, baseDir, sourceFile, io, () => undefined);
}

function resolve(
  data: unknown,
  baseDir: string,
  sourceFile: string,
  io: DesiredStateIo,
  lineOf: (p: readonly (string | number)[]) => number | undefined,
): DesiredState {
  const problems: string[] = [];
  const problem = (p: readonly (string | number)[], message: string): void => {
    const line = lineOf(p);
    const where = p.length ? formatPath(p) : '(top level)';
    problems.push(`${sourceFile}${line === undefined ? '' : `:${line}`}: ${where}: ${message}`);
  };
  for (const sp of validateAgainstSchema('desired-state.schema.json', data)) problem(sp.path, sp.message);
  if (problems.length > 0) throw invalid(problems);

  const raw = data as RawDesiredState;
  const ks = raw.keystore;
  const storePath = ks.midHome !== undefined ? midCacertsPath(resolvePath(baseDir, ks.midHome), io.platform) : resolvePath(baseDir, ks.path as string);
  const password = resolvePassword(ks.password, baseDir, io, (m) => problem(['keystore', 'password'], m));

  const certificates: DesiredCertificate[] = [];
  raw.certificates.forEach((c, i) => {
    if (c.state === 'absent') {
      certificates.push({ alias: c.alias, state: 'absent', source: `${sourceFile} certificates[${i}]` });
      return;
    }
    let input: Uint8Array | string;
    let source: string;
    if (c.file !== undefined) {
      source = c.file;
      try {
        input = io.readFile(resolvePath(baseDir, c.file));
      } catch (e) {
        problem(['certificates', i, 'file'], `alias ${c.alias}: cannot read ${c.file} (${e instanceof MidtrustError ? e.code : 'error'}); check the path (relative to the desired-state file)`);
        return;
      }
    } else {
      source = 'pem (inline)';
      input = c.pem as string;
    }
    let ders: Uint8Array[];
    try {
      ders = parseCertificateInput(input, `alias ${c.alias} (${source})`);
    } catch (e) {
      problem(['certificates', i, c.file !== undefined ? 'file' : 'pem'], e instanceof MidtrustError ? e.message : String(e));
      return;
    }
    // A chain file declares every certificate in it: <alias>, <alias>-2, <alias>-3, ... in file order.
    ders.forEach((der, k) => {
      certificates.push({ alias: k === 0 ? c.alias : `${c.alias}-${k + 1}`, state: 'present', der, sha256: sha256Hex(der), source });
    });
  });
  if (problems.length > 0) throw invalid(problems);
  return {
    sourceFile,
    keystore: { path: storePath, ...(password ? { password } : {}), create: ks.create ?? false, ...(ks.type ? { type: ks.type } : {}) },
    exclusive: raw.exclusive ?? false,
    backup: raw.backup ?? 0,
    certificates,
  };
}

function resolvePassword(p: RawPassword | undefined, baseDir: string, io: DesiredStateIo, problem: (m: string) => void): Secret | undefined {
  if (!p) return undefined;
  if (p.value !== undefined) return new Secret(p.value);
  if (p.env !== undefined) {
    const v = io.env[p.env];
    if (v === undefined) {
      problem(`the environment variable ${p.env} is not set; export it before running midtrust`);
      return undefined;
    }
    return new Secret(v);
  }
  if (p.file !== undefined) {
    try {
      const text = Buffer.from(io.readFile(resolvePath(baseDir, p.file))).toString('utf8');
      return new Secret(text.split(/\r?\n/)[0]);
    } catch {
      problem(`cannot read the password file ${p.file}`);
    }
  }
  return undefined;
}

function resolvePath(baseDir: string, p: string): string {
  if (isWindowsPath(p)) return p;
  return path.resolve(baseDir, p);
}

function formatPath(p: readonly (string | number)[]): string {
  return p.map((s, i) => (typeof s === 'number' ? `[${s}]` : i === 0 ? s : `.${s}`)).join('');
}

function invalid(problems: string[]): MidtrustError {
  return new MidtrustError('INVALID_INPUT', `the desired state is invalid:\n  ${problems.join('\n  ')}`);
}
