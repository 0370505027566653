// Build step: turns every JSON Schema in schema/ into standalone validation code in
// dist/schema-validators/. Compiling a schema with ajv at run time costs ~100 ms of start-up
// (loading ajv plus code generation); the CLI must start in well under that.
const fs = require('node:fs');
const path = require('node:path');
const Ajv = require('ajv').default;
const standaloneCode = require('ajv/dist/standalone').default;

const root = path.resolve(__dirname, '..');
const out = path.join(root, 'dist', 'schema-validators');
fs.mkdirSync(out, { recursive: true });
for (const name of fs.readdirSync(path.join(root, 'schema')).filter((n) => n.endsWith('.schema.json'))) {
  const schema = JSON.parse(fs.readFileSync(path.join(root, 'schema', name), 'utf8'));
  const ajv = new Ajv({ allErrors: true, strict: false, verbose: true, code: { source: true } });
  const validate = ajv.compile(schema);
  fs.writeFileSync(path.join(out, name.replace(/\.json$/, '.js')), standaloneCode(ajv, validate));
}
