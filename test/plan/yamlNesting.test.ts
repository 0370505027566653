/**
 * Issue #19 item 10: a YAML input nested 20,000 deep said "Maximum call stack size exceeded";
 * midtrust now says the file is nested too deeply, with the limit, before the parser recurses.
 */
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { MAX_YAML_DEPTH, yamlTooDeepAt } from '../../provider/plan/yamlNesting';
import { tempDir } from '../helpers/keytool';
import { midtrust, ROOT } from '../helpers/midtrustCli';

const dir = tempDir('mt-yaml-deep-');
const head = 'keystore:\n  path: ./cacerts\ncertificates: ';
const DEEP = {
  'flow lists': `${head}${'['.repeat(20_000)}${']'.repeat(20_000)}\n`,
  'flow maps': `${head}${'{a: '.repeat(20_000)}1${'}'.repeat(20_000)}\n`,
  'compact block lists': `${head}\n  ${'- '.repeat(20_000)}x\n`,
  'indented maps': `${head}\n${Array.from({ length: 300 }, (_, i) => `${' '.repeat(i + 2)}k${i}:`).join('\n')} 1\n`,
};

describe('YAML nested too deeply', () => {
  it.each(Object.entries(DEEP))('a desired-state file of %s: "nested too deeply", the limit, the line; no stack overflow', async (_form, text) => {
    const f = path.join(dir, 'deep.yaml');
    fs.writeFileSync(f, text);
    const r = await midtrust(['plan', '-f', f]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(new RegExp(`deep\\.yaml:\\d+: the desired-state file is nested too deeply \\(more than ${MAX_YAML_DEPTH} levels`));
    expect(r.stderr).not.toMatch(/call stack/i);
    const j = await midtrust(['plan', '-f', f, '--json']);
    expect(JSON.parse(j.stdout).error.code).toBe('INVALID_INPUT');
  });

  it('an inventory nested 20,000 deep: the same, naming the inventory', async () => {
    const inv = path.join(dir, 'hosts.yaml');
    fs.writeFileSync(inv, `hosts: ${'['.repeat(20_000)}${']'.repeat(20_000)}\n`);
    fs.writeFileSync(path.join(dir, 'd.yaml'), 'keystore:\n  midHome: /opt/mid\ncertificates: []\n');
    const r = await midtrust(['plan', '-f', path.join(dir, 'd.yaml'), '--inventory', inv]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/hosts\.yaml:1: the inventory is nested too deeply \(more than 64 levels/);
  });

  it('the limit is exact for flow nesting, and quoted or commented brackets do not count', () => {
    const at = (depth: number) => yamlTooDeepAt(`a: ${'['.repeat(depth)}${']'.repeat(depth)}\n`);
    expect(at(MAX_YAML_DEPTH - 1)).toBeUndefined();
    expect(at(MAX_YAML_DEPTH + 1)).toBe(1);
    expect(yamlTooDeepAt(`a: "${'['.repeat(500)}"\nb: '${'{'.repeat(500)}'\n# ${'['.repeat(500)}\nc: x${'['.repeat(500)}\n`)).toBeUndefined();
    expect(yamlTooDeepAt(`pem: |\n${Array.from({ length: 200 }, (_, i) => `${' '.repeat(i + 2)}line`).join('\n')}\nnext: 1\n`)).toBeUndefined();
  });

  it('every YAML file of the repository (examples, docs, fixtures) is within the limit', () => {
    const files = execFileSync('git', ['ls-files', '*.yaml', '*.yml'], { cwd: ROOT, encoding: 'utf8' }).split('\n').filter(Boolean);
    expect(files.length).toBeGreaterThan(3);
    for (const f of files) expect([f, yamlTooDeepAt(fs.readFileSync(path.join(ROOT, f), 'utf8'))]).toEqual([f, undefined]);
  });
});
