import * as fs from 'node:fs';
import * as path from 'node:path';
import type Ajv from 'ajv';
import type { ErrorObject, ValidateFunction } from 'ajv';
import { closestName } from '../closestName';

/** One schema problem: where (JSON pointer segments) and what, in words for a person. */
export interface SchemaProblem {
  readonly path: readonly (string | number)[];
  readonly message: string;
}

let ajv: Ajv | undefined;
const compiled = new Map<string, ValidateFunction>();

/**
 * Validates `data` against a JSON Schema in schema/ and returns readable problems (empty when
 * valid). A schema can word its own messages with `"x-messages": {"<keyword>": "..."}` on the
 * object holding the keyword; otherwise ajv's wording is used, with hints for unknown properties.
 *
 * @example
 * validateAgainstSchema('desired-state.schema.json', { keystore: {}, certificates: [] })
 * // [{ path: ['keystore'], message: "give exactly one of 'path' (the keystore file) or 'midHome' (a MID Server home)" }]
 */
export function validateAgainstSchema(schemaName: string, data: unknown): SchemaProblem[] {
  let validate = compiled.get(schemaName);
  if (!validate) {
    validate = precompiled(schemaName) ?? compileNow(schemaName);
    compiled.set(schemaName, validate);
  }
  if (validate(data)) return [];
  return humanize(validate.errors ?? []);
}

/** The validator `npm run build` generated (scripts/compile-schemas.js), when running from dist/. */
function precompiled(schemaName: string): ValidateFunction | undefined {
  // Found upward from here: dist/provider/plan/ when compiled, dist/ when bundled into the CLI.
  let file: string | undefined;
  for (let dir = __dirname; dir !== path.dirname(dir); dir = path.dirname(dir)) {
    const candidate = path.join(dir, 'schema-validators', schemaName.replace(/\.json$/, '.js'));
    if (fs.existsSync(candidate)) {
      file = candidate;
      break;
    }
    if (fs.existsSync(path.join(dir, 'package.json'))) break; // never leave the package
  }
  if (!file) return undefined;
  const mod = require(file) as ValidateFunction | { default: ValidateFunction };
  return typeof mod === 'function' ? mod : mod.default;
}

/** Compiles from schema/ at run time (tests running from sources). Same options as the build step. */
function compileNow(schemaName: string): ValidateFunction {
  const { default: Ajv } = require('ajv') as typeof import('ajv');
  // verbose: errors carry parentSchema, where x-messages and the allowed property names live.
  ajv ??= new Ajv({ allErrors: true, strict: false, verbose: true });
  return ajv.compile(loadSchema(schemaName));
}

/** Reads a schema from the repo's schema/ folder, found upward from here (works from sources and from dist/). */
function loadSchema(schemaName: string): object {
  for (let dir = __dirname; dir !== path.dirname(dir); dir = path.dirname(dir)) {
    const file = path.join(dir, 'schema', schemaName);
    if (fs.existsSync(file)) return JSON.parse(fs.readFileSync(file, 'utf8')) as object;
  }
  throw new Error(`schema ${schemaName} not found above ${__dirname}`);
}

function pointerToPath(pointer: string): (string | number)[] {
  if (!pointer) return [];
  return pointer
    .split('/')
    .slice(1)
    .map((s) => s.replace(/~1/g, '/').replace(/~0/g, '~'))
    .map((s) => (/^\d+$/.test(s) ? Number(s) : s));
}

/**
 * ajv reports every failing branch of a oneOf/anyOf and the if/then/else bookkeeping; a person
 * needs one sentence per mistake. Errors inside a combinator's branches are dropped (the
 * combinator's own error says it), as is "must match else schema".
 */
function humanize(errors: ErrorObject[]): SchemaProblem[] {
  const out = new Map<string, SchemaProblem>();
  for (const e of errors) {
    if (e.keyword === 'if' || /\/(oneOf|anyOf)\/\d+\//.test(e.schemaPath) || /\/not\//.test(e.schemaPath)) continue;
    const at = pointerToPath(e.instancePath);
    const own = (e.parentSchema as { 'x-messages'?: Record<string, string> } | undefined)?.['x-messages']?.[e.keyword];
    let where = at;
    let message: string;
    if (own) {
      message = own;
    } else if (e.keyword === 'additionalProperties') {
      const extra = (e.params as { additionalProperty: string }).additionalProperty;
      where = [...at, extra];
      message = `unknown property '${extra}'${hint(e, extra)}`;
    } else if (e.keyword === 'required') {
      message = `missing required property '${(e.params as { missingProperty: string }).missingProperty}'`;
    } else if (e.keyword === 'pattern' && at[at.length - 1] === 'alias') {
      // The resource schemas share the alias rule without x-messages.
      message = 'an alias must not contain control characters';
    } else if (e.keyword === 'enum') {
      message = `must be one of ${(e.params as { allowedValues: unknown[] }).allowedValues.map((v) => JSON.stringify(v)).join(', ')}`;
    } else if (e.keyword === 'type') {
      const want = (e.params as { type: string }).type;
      message = `must be ${/^[aeiou]/.test(want) ? 'an' : 'a'} ${want}`;
    } else {
      message = e.message ?? e.keyword;
    }
    const key = `${where.join('/')}|${message}`;
    if (!out.has(key)) out.set(key, { path: where, message });
  }
  return [...out.values()];
}

/** "(did you mean 'password'? allowed: path, midHome, ...)" from the schema that refused the property. */
function hint(e: ErrorObject, extra: string): string {
  const props = Object.keys((e.parentSchema as { properties?: Record<string, unknown> } | undefined)?.properties ?? {});
  if (props.length === 0) return '';
  const close = closestName(props, extra);
  return ` (${close ? `did you mean '${close}'? ` : ''}allowed: ${props.join(', ')})`;
}
