/**
 * Issue #13 item 8: under --json every failure is a JSON object on stdout —
 * `{"error": {"code": "<ErrorCode>", "message": "..."}}`, exit 1, nothing on stderr — for every
 * command, including a bad option, so a script always parses stdout.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { tempDir } from '../helpers/keytool';
import { midtrust } from '../helpers/midtrustCli';

let dir: string;
beforeAll(() => {
  dir = tempDir('mt-jsonerr-');
});
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

const missing = () => path.join(dir, 'missing');

describe('errors under --json', () => {
  it.each([
    ['ls', () => ['ls', missing(), '--json'], 'NOT_FOUND'],
    ['plan', () => ['plan', '-f', missing(), '--json'], 'NOT_FOUND'],
    ['apply', () => ['apply', '-f', missing(), '--json'], 'NOT_FOUND'],
    ['import', () => ['import', '--keystore', missing(), '--json'], 'INVALID_INPUT'],
    ['delete', () => ['delete', '--keystore', missing(), '--json'], 'INVALID_INPUT'],
    ['upgrade-preview', () => ['upgrade-preview', '--current', missing(), '--json'], 'INVALID_INPUT'],
    ['migrate', () => ['migrate', '--mid-home', missing(), '--json'], 'INVALID_INPUT'],
    ['restore', () => ['restore', '--mid-home', missing(), '--json'], 'NOT_FOUND'],
    ['lint', () => ['lint', '-f', missing(), '--json'], 'NOT_FOUND'],
    ['audit', () => ['audit', missing(), '--json'], 'NOT_FOUND'],
    ['an unknown option', () => ['ls', missing(), '--bogus', '--json'], 'INVALID_INPUT'],
    ['a password on the command line', () => ['ls', missing(), '--storepass=changeit', '--json'], 'INVALID_INPUT'],
    ['an unknown command', () => ['bogus', '--json'], 'INVALID_INPUT'],
  ])('%s: a JSON error object on stdout, exit 1', async (_name, argv, code) => {
    const r = await midtrust(argv(), { env: {} });
    expect(r.code).toBe(1);
    expect(r.stderr).toBe('');
    const body = JSON.parse(r.stdout) as { error: { code: string; message: string } };
    expect(Object.keys(body)).toEqual(['error']);
    expect(body.error.code).toBe(code);
    expect(body.error.message.length).toBeGreaterThan(10);
    expect(body.error.message).not.toMatch(/^midtrust/);
  });

  it('without --json, errors stay one line for a person on stderr', async () => {
    const r = await midtrust(['ls', missing()], { env: {} });
    expect(r.code).toBe(1);
    expect(r.stdout).toBe('');
    expect(r.stderr).toMatch(/^midtrust ls: error: .*missing: does not exist/);
  });
});
