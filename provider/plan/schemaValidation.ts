import * as fs from 'node:fs';
import * as path from 'node:path';
import type Ajv from 'ajv';
import type { ErrorObject, ValidateFunction } from 'ajv';

/** One schema problem: where (JSON pointer segments) and what, in words for a person. */
export interface SchemaProblem {
  readonly path: readonly (string | number)[];
  readonly message: string;
}

let ajv: Ajv | undefined;
const compiled = new Map<string, ValidateFunction>();

/** Validates `data` against a JSON Schema in schema/ and returns readable problems (empty when valid). */
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
  const file = path.join(__dirname, '..', '..', 'schema-validators', schemaName.replace(/\.json$/, '.js'));
  if (!fs.existsSync(file)) return undefined;
  const mod = require(file) as ValidateFunction | { default: ValidateFunction };
  return typeof mod === 'function' ? mod : mod.default;
}

/** Compiles from schema/ at run time (tests running from sources). Same options as the build step. */
function compileNow(schemaName: string): ValidateFunction {
  const { default: Ajv } = require('ajv') as typeof import('ajv');
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
 * ajv reports every branch of a oneOf/if-then-else; people need one sentence per mistake.
 * Known schema shapes get a specific message, the rest ajv's own wording.
 */
function humanize(errors: ErrorObject[]): SchemaProblem[] {
  const out = new Map<string, SchemaProblem>();
  const add = (path: (string | number)[], message: string): void => {
    const key = `${path.join('/')}|${message}`;
    if (!out.has(key)) out.set(key, { path, message });
  };
  const oneOfPaths = new Set(errors.filter((e) => e.keyword === 'oneOf').map((e) => e.instancePath));
  for (const e of errors) {
    const path = pointerToPath(e.instancePath);
    const last = path[path.length - 1];
    if (e.keyword === 'additionalProperties') {
      const extra = (e.params as { additionalProperty: string }).additionalProperty;
      add([...path, extra], `unknown property '${extra}'${hint(e)}`);
    } else if (e.keyword === 'oneOf' || e.keyword === 'not' || e.keyword === 'if') {
      if (path.length === 1 && last === 'keystore') add(path, "give exactly one of 'path' or 'midHome'");
      else if (path[0] === 'certificates' && e.keyword === 'not') add(path, "a certificate with state 'absent' takes no 'file' or 'pem'");
      else if (path[0] === 'certificates') add(path, "give exactly one of 'file' or 'pem' (or state: absent)");
    } else if (e.keyword === 'required' && oneOfPaths.has(e.instancePath)) {
      // Covered by the oneOf message above.
    } else if (e.keyword === 'required') {
      add(path, `missing required property '${(e.params as { missingProperty: string }).missingProperty}'`);
    } else if (e.keyword === 'pattern' && last === 'alias') {
      add(path, 'an alias must not contain control characters');
    } else if (e.keyword === 'pattern' && last === 'env') {
      add(path, 'not a valid environment variable name');
    } else if (e.keyword === 'enum') {
      add(path, `must be one of ${(e.params as { allowedValues: unknown[] }).allowedValues.map((v) => JSON.stringify(v)).join(', ')}`);
    } else if ((e.keyword === 'minProperties' || e.keyword === 'maxProperties') && last === 'password') {
      add(path, "give exactly one of 'env', 'file' or 'value'");
    } else {
      add(path, e.message ?? e.keyword);
    }
  }
  return [...out.values()];
}

function hint(e: ErrorObject): string {
  const props = (e.parentSchema as { properties?: Record<string, unknown> } | undefined)?.properties;
  return props ? ` (allowed: ${Object.keys(props).join(', ')})` : '';
}
