/**
 * Issue #13 item 8: a desired-state file is JSON-shaped data. A YAML tag that makes something
 * else (`!!binary` made a Buffer, reported as ~100 "unknown property 'readBigUInt64LE'" lines)
 * gets one clear problem line per tagged value, naming the tag and its line.
 */
import { loadDesiredState } from '../../provider/plan/desiredStateFile';
import { errorOf } from '../helpers/errorOf';

const io = { readFile: (): Uint8Array => Buffer.from(''), env: { PW: 'x' } };
const load = (yaml: string) => loadDesiredState(yaml, '/etc/mid/desired.yaml', io);

describe('YAML tags in a desired-state file', () => {
  it('!!binary gives one problem per tagged value, naming the tag and its line', () => {
    const err = errorOf(() => load('keystore:\n  path: ./cacerts\n  password: { value: !!binary aGVsbG8= }\ncertificates:\n  - alias: a\n    pem: !!binary aGVsbG8gd29ybGQ=\n'));
    expect(err.code).toBe('INVALID_INPUT');
    expect(err.message.split('\n')).toEqual([
      'the desired state has 2 problems:',
      "  /etc/mid/desired.yaml:3: the YAML tag !!binary is not allowed here; a desired-state file holds plain strings, numbers, booleans, lists and maps — write the value without the tag",
      "  /etc/mid/desired.yaml:6: the YAML tag !!binary is not allowed here; a desired-state file holds plain strings, numbers, booleans, lists and maps — write the value without the tag",
    ]);
  });

  it.each([
    ['!!set', 'certificates: !!set { a, b }\n'],
    ['!!timestamp', 'certificates: []\nbackup: !!timestamp 2026-01-01\n'],
    ['!!omap', 'certificates: !!omap [ a: 1 ]\n'],
    ['!custom', 'certificates: !custom [ ]\n'],
  ])('%s is refused the same way', (tag, rest) => {
    const err = errorOf(() => load(`keystore: { path: x }\n${rest}`));
    expect(err.message).toContain(`the YAML tag ${tag} is not allowed here`);
    expect(err.message.split('\n')).toHaveLength(2);
  });

  it('the JSON-compatible tags still work (!!str keeps a number-like alias a string)', () => {
    const d = load('keystore: { path: x, password: { env: PW } }\ncertificates:\n  - alias: !!str 2024\n    state: absent\n');
    expect(d.certificates[0].alias).toBe('2024');
  });
});
