import * as path from 'node:path';
import type { Document, LineCounter } from 'yaml';
import { parseCertificateInput } from '../certificate/certificateInput';
import { sha256Hex } from '../certificate/fingerprint';
import { MidtrustError } from '../errors';
import type { KeystoreType } from '../keystore/model';
import { parseEndpointTarget } from '../verify/endpointTarget';
import type { DesiredCertificate, DesiredState } from './desiredState';
import { validateAgainstSchema } from './schemaValidation';
import { Secret } from './secret';
import { emptyPasswordProblem, passwordFromText } from './storePasswordText';
import { assertYamlNesting, isStackOverflow, yamlTooDeep } from './yamlNesting';

export type { DesiredState } from './desiredState';

/** What loading needs from the outside world (injected so the plan layer does no I/O of its own). */
export interface DesiredStateIo {
  /**
   * Reads a certificate or password file (absolute path; `kind` says which, so the reader can
   * bound it: READ_LIMITS). Any error it throws is reported, not propagated.
   */
  readFile(file: string, kind?: 'certificate' | 'password'): Uint8Array;
  readonly env: Record<string, string | undefined>;
  /** How the keystore host spells paths: 'win32' joins a midHome with backslashes. Default: from the midHome's shape. */
  readonly platform?: 'posix' | 'win32';
  /**
   * Leave keystore.password unresolved (the schema still checks its form): for `lint`, which reads
   * no store unless endpoints are checked, so CI can lint a file without the secret.
   */
  readonly skipPassword?: boolean;
}

/** Where the JRE truststore lives below a MID Server home. */
export const MID_CACERTS = ['agent', 'jre', 'lib', 'security', 'cacerts'] as const;

/** Whether a path is written Windows-style (drive letter or UNC). */
export function isWindowsPath(p: string): boolean {
  return /^[A-Za-z]:[\\/]/.test(p) || p.startsWith('\\\\');
}

/**
 * `<midHome>/agent/jre/lib/security/cacerts`, joined the way the MID host spells paths.
 *
 * @example
 * midCacertsPath('C:\\ServiceNow\\mid1') // 'C:\\ServiceNow\\mid1\\agent\\jre\\lib\\security\\cacerts'
 */
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
  sha256?: string;
  state?: 'present' | 'absent';
}
interface RawDesiredState {
  keystore: { path?: string; midHome?: string; store?: 'effective' | 'bundled'; password?: RawPassword; create?: boolean; type?: KeystoreType; javaVersion?: number };
  exclusive?: boolean;
  backup?: number;
  certificates: RawCertificate[];
  endpoints?: string[];
}

type PropertyPath = readonly (string | number)[];

/**
 * Parses, validates and resolves a desired-state file (YAML or JSON; schema in
 * schema/desired-state.schema.json). Paths resolve against the file's directory; a `midHome`
 * becomes `<midHome>/agent/jre/lib/security/cacerts` until resolveDesiredStore (provider/mid/
 * effectiveStore.ts) reads its host and names the store its JVM really uses; the password is read from its env
 * variable, file (first line) or value; certificate files are read through `io` and parsed.
 * A file holding several certificates declares each of them: `<alias>`, `<alias>-2`,
 * `<alias>-3`, … in file order, so a chain converges like single certificates do.
 *
 * Every problem is reported at once, one per line as `<file>:<line>: <property>: <problem>`, in a
 * single INVALID_INPUT error. Nothing else is ever thrown, and no message holds the password.
 *
 * @example
 * const desired = loadDesiredState(fs.readFileSync(f, 'utf8'), f, { readFile: (p) => fs.readFileSync(p), env: process.env });
 * desired.keystore.password?.reveal() // only where the keystore codec needs it
 */
export function loadDesiredState(text: string, fileName: string, io: DesiredStateIo): DesiredState {
  let data: unknown;
  let lineOf: (p: PropertyPath) => number | undefined;
  try {
    // yaml is loaded only when a file is parsed: `ls` and the Pulumi provider never pay for it.
    const yaml = require('yaml') as typeof import('yaml');
    const lineCounter = new yaml.LineCounter();
    assertYamlNesting(text, fileName, 'the desired-state file');
    const doc = yaml.parseDocument(text, { lineCounter, prettyErrors: false, uniqueKeys: true });
    if (doc.errors.some(isStackOverflow)) throw yamlTooDeep(fileName, 'the desired-state file');
    if (doc.errors.length > 0) {
      // Only position and yaml's one-line reason: its context excerpt could quote a password value.
      const lines = doc.errors.map((e) => {
        const { line, col } = lineCounter.linePos(e.pos[0]);
        return `${fileName}:${line}:${col}: ${e.message.split('\n')[0]}`;
      });
      // Most of these come from indentation; yaml often reports them at the line above the one edited.
      const indentation = doc.errors.some((e) => /indent|compact mapping|implicit key|nested mapping|block (sequence|mapping)/i.test(e.message));
      const hint = indentation ? `\n  (usually indentation: an entry's keys line up under its first key, \`- alias:\` → \`  file:\`; check these lines and the one after each)` : '';
      throw new MidtrustError('INVALID_INPUT', `the desired-state file is not valid YAML:\n  ${lines.join('\n  ')}${hint}`);
    }
    if (doc.contents === null) {
      throw new MidtrustError('INVALID_INPUT', `${fileName}: the desired-state file is empty; it needs at least 'keystore' and 'certificates' (see docs/desired-state.md)`);
    }
    const tagged = foreignTags(yaml, doc).map(({ tag, offset }) => `${fileName}:${lineCounter.linePos(offset).line}: the YAML tag ${tag} is not allowed here; a desired-state file holds plain strings, numbers, booleans, lists and maps — write the value without the tag`);
    if (tagged.length > 0) throw invalid(tagged);
    // maxAliasCount bounds YAML alias expansion ("billion laughs"): a desired state needs none.
    data = doc.toJS({ maxAliasCount: 50 });
    lineOf = (p) => locate(yaml, doc, lineCounter, p);
  } catch (e) {
    if (e instanceof MidtrustError) throw e;
    if (isStackOverflow(e)) throw yamlTooDeep(fileName, 'the desired-state file');
    throw new MidtrustError('INVALID_INPUT', `${fileName}: cannot read the desired-state file: ${reasonOf(e)}`);
  }
  return resolve(data, path.dirname(fileName), fileName, io, lineOf);
}

/** The tags whose values are JSON's own kinds: anything else (`!!binary`, `!!set`, `!!timestamp`, `!custom`) makes values the schema cannot describe. */
const JSON_TAGS = new Set(['str', 'int', 'float', 'bool', 'null', 'map', 'seq'].map((t) => `tag:yaml.org,2002:${t}`));

/** Every explicitly tagged node whose tag is not a JSON kind, with where it starts. */
function foreignTags(yaml: typeof import('yaml'), doc: Document): Array<{ tag: string; offset: number }> {
  const out: Array<{ tag: string; offset: number }> = [];
  yaml.visit(doc, (_key, node) => {
    if (!yaml.isNode(node) || node.tag === undefined || JSON_TAGS.has(node.tag)) return;
    out.push({ tag: node.tag.replace(/^tag:yaml\.org,2002:/, '!!'), offset: node.range?.[0] ?? 0 });
    return yaml.visit.SKIP;
  });
  return out;
}

/** The source name of a desired state made from the CLI's import/delete options. */
const OPTIONS_SOURCE = '<options>';

/**
 * The command-line option a property of an options-made desired state came from, so import and
 * delete speak of --file and --alias, not of a desired-state file the user never wrote.
 */
function optionFor(p: PropertyPath): string | undefined {
  const key = p.filter((s) => typeof s === 'string').join('.');
  return ({ 'keystore.path': '--keystore', 'keystore.password': 'the store password', 'keystore.type': '--keystore', 'certificates.alias': '--alias', 'certificates.file': '--file', certificates: '--alias' } as Record<string, string>)[key];
}

/**
 * The same validation and resolution for an object that did not come from a file (the CLI's
 * import/delete). Relative paths resolve against `baseDir`; problems carry no line numbers.
 */
export function desiredStateFromObject(data: unknown, baseDir: string, io: DesiredStateIo, sourceFile = OPTIONS_SOURCE): DesiredState {
  return resolve(data, baseDir, sourceFile, io, () => undefined);
}

/**
 * The line of the YAML node a property path points at: the key's line for a mapping entry (so an
 * unknown property is reported where it is written), the item's for a list entry; for a missing
 * property, the nearest existing parent.
 */
function locate(yaml: typeof import('yaml'), doc: Document, lineCounter: LineCounter, p: PropertyPath): number | undefined {
  let node: unknown = doc.contents;
  let offset = yaml.isNode(node) ? node.range?.[0] : undefined;
  for (const segment of p) {
    if (yaml.isMap(node)) {
      const pair = node.items.find((it) => (yaml.isScalar(it.key) ? String(it.key.value) : String(it.key)) === String(segment));
      if (!pair) break;
      if (yaml.isNode(pair.key) && pair.key.range) offset = pair.key.range[0];
      node = pair.value;
    } else if (yaml.isSeq(node) && typeof segment === 'number') {
      node = node.items[segment];
      if (!yaml.isNode(node) || !node.range) break;
      offset = node.range[0];
    } else {
      break;
    }
  }
  return offset === undefined ? undefined : lineCounter.linePos(offset).line;
}

function resolve(data: unknown, baseDir: string, sourceFile: string, io: DesiredStateIo, lineOf: (p: PropertyPath) => number | undefined): DesiredState {
  const problems: string[] = [];
  const fromOptions = sourceFile === OPTIONS_SOURCE;
  const problem = (p: PropertyPath, message: string): void => {
    const option = fromOptions ? optionFor(p) : undefined;
    if (option) {
      problems.push(`${option}: ${message}`);
      return;
    }
    const line = lineOf(p);
    problems.push(`${sourceFile}${line === undefined ? '' : `:${line}`}: ${p.length ? formatPath(p) : '(top level)'}: ${message}`);
  };
  for (const sp of validateAgainstSchema('desired-state.schema.json', data)) {
    // YAML reads `alias: 2024` or `value: 123456` as numbers: say how to keep them strings.
    const value = sp.path.reduce<unknown>((cur, s) => (typeof cur === 'object' && cur !== null ? (cur as Record<string | number, unknown>)[s] : undefined), data);
    const quote = sp.message === 'must be a string' && (typeof value === 'number' || typeof value === 'boolean') ? ' (quote it in YAML)' : '';
    problem(sp.path, `${sp.message}${quote}`);
  }
  if (problems.length > 0) throw invalid(problems, fromOptions);

  const raw = data as RawDesiredState;
  const ks = raw.keystore;
  const storePath = ks.midHome !== undefined ? midCacertsPath(resolveStorePath(baseDir, ks.midHome, io.platform), io.platform) : resolveStorePath(baseDir, ks.path as string, io.platform);
  const password = io.skipPassword ? undefined : resolvePassword(ks.password, baseDir, io, (m) => problem(['keystore', 'password'], m));
  if (ks.create && ks.type === 'JKS' && !ks.password) {
    // A JKS integrity digest is keyed by the password; keytool refuses to make one without it.
    problem(['keystore', 'type'], 'a JKS store needs a password: give keystore.password, or use type PKCS12 for a password-less store');
  }

  const certificates: DesiredCertificate[] = [];
  // One read and parse per file: a file declared under many aliases (a generated desired state,
  // tens of thousands of entries) is read once, and every alias sees the same content.
  const parsedFiles = new Map<string, { ders: Uint8Array[]; sha256: string[] } | { error: unknown; read: boolean }>();
  const parsedFile = (file: string, label: string): { ders: Uint8Array[]; sha256: string[] } | { error: unknown; read: boolean } => {
    const full = path.resolve(baseDir, file);
    let got = parsedFiles.get(full);
    if (!got) {
      let input: Uint8Array;
      try {
        input = io.readFile(full, 'certificate');
      } catch (error) {
        got = { error, read: false };
        parsedFiles.set(full, got);
        return got;
      }
      try {
        const ders = parseCertificateInput(input, label);
        got = { ders, sha256: ders.map(sha256Hex) };
      } catch (error) {
        got = { error, read: true };
      }
      parsedFiles.set(full, got);
    }
    return got;
  };
  raw.certificates.forEach((c, i) => {
    if (c.state === 'absent') {
      certificates.push({ alias: c.alias, state: 'absent', source: fromOptions ? `--alias ${c.alias}` : `${sourceFile} certificates[${i}]` });
      return;
    }
    let ders: Uint8Array[];
    let hashes: string[];
    let source: string;
    if (c.file !== undefined) {
      source = c.file;
      const got = parsedFile(c.file, PARSE_LABEL);
      if ('error' in got) {
        if (!got.read) problem(['certificates', i, 'file'], `alias ${c.alias}: cannot read ${c.file} (${reasonOf(got.error)})${fromOptions ? '' : '; the path is relative to the desired-state file'}`);
        else problem(['certificates', i, 'file'], `alias ${c.alias} (${source})${reasonOf(got.error).slice(PARSE_LABEL.length)}`);
        return;
      }
      ({ ders, sha256: hashes } = got);
    } else {
      source = 'inline pem';
      try {
        ders = parseCertificateInput(c.pem as string, `alias ${c.alias} (${source})`);
      } catch (e) {
        problem(['certificates', i, 'pem'], reasonOf(e));
        return;
      }
      hashes = ders.map(sha256Hex);
    }
    if (c.sha256 !== undefined) {
      // A pin: the file must hold exactly the certificate whose fingerprint was confirmed.
      const pinned = c.sha256.replace(/:/g, '').toLowerCase();
      if (ders.length !== 1) {
        problem(['certificates', i, 'sha256'], `alias ${c.alias}: sha256 pins one certificate, but ${source} holds ${ders.length}; declare each with its own alias and pin`);
        return;
      }
      const actual = hashes[0];
      if (actual !== pinned) {
        problem(['certificates', i, 'sha256'], `alias ${c.alias}: ${source} holds the certificate with sha256 ${actual}, not the pinned ${pinned}; check where the file came from before trusting it`);
        return;
      }
    }
    // A chain file declares every certificate in it, in file order. Importing only the first one
    // is the classic reason a chain never converges (FACTS.md §4).
    ders.forEach((der, k) => {
      certificates.push({
        alias: k === 0 ? c.alias : `${c.alias}-${k + 1}`,
        state: 'present',
        der,
        sha256: hashes[k],
        source: ders.length === 1 ? source : `${source} (${k + 1} of ${ders.length})`,
      });
    });
  });
  const endpoints = raw.endpoints ?? [];
  endpoints.forEach((e, i) => {
    try {
      parseEndpointTarget(e);
    } catch (err) {
      problem(['endpoints', i], reasonOf(err));
    }
  });
  if (problems.length > 0) throw invalid(problems, fromOptions);
  return {
    sourceFile,
    endpoints,
    keystore: {
      path: storePath,
      ...(ks.midHome !== undefined ? { midHome: resolveStorePath(baseDir, ks.midHome, io.platform), midStore: ks.store ?? 'effective' } : {}),
      ...(password ? { password } : {}),
      create: ks.create ?? false,
      ...(ks.type ? { type: ks.type } : {}),
      ...(ks.javaVersion !== undefined ? { javaVersion: ks.javaVersion } : {}),
    },
    exclusive: raw.exclusive ?? false,
    backup: raw.backup ?? 0,
    certificates,
  };
}

const OMIT_PASSWORD = 'omit keystore.password';
/** What a shared file parse calls its input; each alias's message puts its own name in its place. */
const PARSE_LABEL = '\u0000';

/** Messages here name the variable or file, never what they hold. */
function resolvePassword(p: RawPassword | undefined, baseDir: string, io: DesiredStateIo, problem: (m: string) => void): Secret | undefined {
  if (!p) return undefined;
  if (p.value !== undefined) return new Secret(p.value);
  if (p.env !== undefined) {
    const v = io.env[p.env];
    if (v === undefined) {
      problem(`the environment variable ${p.env} is not set; export it before running midtrust`);
      return undefined;
    }
    const empty = emptyPasswordProblem(v, `the environment variable ${p.env} is empty`, OMIT_PASSWORD);
    if (empty) problem(empty);
    return empty ? undefined : new Secret(v);
  }
  const file = p.file as string;
  let text: string;
  try {
    text = Buffer.from(io.readFile(path.resolve(baseDir, file), 'password')).toString('utf8');
  } catch (e) {
    problem(`cannot read the password file ${file} (${reasonOf(e)}); the path is relative to the desired-state file`);
    return undefined;
  }
  const first = passwordFromText(text);
  const empty = emptyPasswordProblem(first, `the password file ${file}: its first line is empty`, OMIT_PASSWORD);
  if (empty) problem(empty);
  return empty ? undefined : new Secret(first);
}

/** Keystore paths may name another host's layout: a Windows path stays as written. */
function resolveStorePath(baseDir: string, p: string, platform: 'posix' | 'win32' | undefined): string {
  if (isWindowsPath(p)) return p;
  return platform === 'win32' ? path.win32.resolve(baseDir, p) : path.resolve(baseDir, p);
}

/** The first line of an error's message. Duck-typed: errors from node's fs may come from another realm (jest, vm). */
function reasonOf(e: unknown): string {
  const message = typeof e === 'object' && e !== null ? (e as { message?: unknown }).message : undefined;
  return typeof message === 'string' && message !== '' ? message.split('\n')[0] : 'unreadable';
}

function formatPath(p: PropertyPath): string {
  return p.map((s, i) => (typeof s === 'number' ? `[${s}]` : i === 0 ? s : `.${s}`)).join('');
}

function invalid(problems: string[], fromOptions = false): MidtrustError {
  const n = problems.length;
  if (fromOptions && n === 1) return new MidtrustError('INVALID_INPUT', problems[0]);
  return new MidtrustError('INVALID_INPUT', `${fromOptions ? 'the options have' : 'the desired state has'} ${n} problem${n === 1 ? '' : 's'}:\n  ${problems.join('\n  ')}`);
}
