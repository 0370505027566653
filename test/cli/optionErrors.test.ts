/** A mistyped or incomplete option gets one clear line (and the usage), never parseArgs' own text. */
import { midtrust } from '../helpers/midtrustCli';

describe('option errors', () => {
  it.each([
    ['a misspelt option, with the one meant', ['ls', 'K', '--storepas-env', 'X'], 'midtrust ls: error: unknown option --storepas-env (did you mean --storepass-env?)'],
    ['an option nothing is close to', ['ls', 'K', '--colour'], 'midtrust ls: error: unknown option --colour'],
    ['a short option with no value', ['lint', '-f'], 'midtrust lint: error: option -f needs a value (-f <desired.yaml>)'],
    ['a short option followed by another option', ['lint', '-f', '--fail-on', 'error'], 'midtrust lint: error: option -f needs a value (-f <desired.yaml>)'],
    ['a long option with no value', ['ls', 'K', '--storepass-env'], 'midtrust ls: error: option --storepass-env needs a value (--storepass-env VAR)'],
    ['a value given to a flag', ['ls', 'K', '--json=yes'], 'midtrust ls: error: option --json takes no value'],
  ])('%s', async (_name, argv, firstLine) => {
    const r = await midtrust(argv);
    expect(r.code).toBe(1);
    expect(r.stdout).toBe('');
    const [line, ...usage] = r.stderr.trimEnd().split('\n');
    expect(line).toBe(firstLine);
    expect(usage[0]).toMatch(new RegExp(`^usage: midtrust ${argv[0]} `));
    expect(r.stderr).not.toMatch(/To specify a positional argument|'--'/);
  });

  it('under --json, the same message as a JSON error object', async () => {
    const r = await midtrust(['ls', 'K', '--storepas-env', 'X', '--json']);
    expect(r.code).toBe(1);
    expect(r.stderr).toBe('');
    const body = JSON.parse(r.stdout) as { error: { code: string; message: string } };
    expect(Object.keys(body)).toEqual(['error']);
    expect(body.error.code).toBe('INVALID_INPUT');
    expect(body.error.message.split('\n')[0]).toBe('unknown option --storepas-env (did you mean --storepass-env?)');
  });
});
