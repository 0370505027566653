import { usageText } from '../../provider/cli/usageText';
import { runCli } from '../../provider/cli/runCli';
import { commands } from '../../provider/cli/commands/index';

describe('usage and help fit an 80-column terminal', () => {
  it('folds between top-level groups, aligned after the command, and breaks a group only when it cannot fit', () => {
    expect(usageText('midtrust ls <keystore> [--storepass-env VAR | --storepass-file F] [--json]', 40)).toBe(
      'midtrust ls <keystore>\n            [--storepass-env VAR |\n            --storepass-file F] [--json]',
    );
    expect(usageText('midtrust ls <keystore> [--json]', 40)).toBe('midtrust ls <keystore> [--json]');
    // A usage laid out by hand stays as it is.
    expect(usageText('midtrust verify --target <t>\n  <t>  host:port', 40)).toBe('midtrust verify --target <t>\n  <t>  host:port');
  });

  it('midtrust --help and every command’s --help: no line over 80 columns, nothing lost', async () => {
    const texts: string[] = [];
    const io = { stdout: (t: string) => void texts.push(t), stderr: (t: string) => void texts.push(t), env: {}, cwd: process.cwd(), readStdin: async () => '', isTty: false, columns: 80 };
    expect(await runCli(['--help'], io)).toBe(0);
    for (const c of commands) {
      expect(await runCli([c.name, '--help'], io)).toBe(0);
      const usage = c.load().usage;
      // Folding only moves line breaks: the words are the same.
      expect(texts[texts.length - 1].split(/\s+/).join(' ').trim()).toBe(usage.split(/\s+/).join(' ').trim());
    }
    const long = texts.flatMap((t) => t.split('\n')).filter((l) => l.length > 80);
    expect(long).toEqual([]);
  });

  it('midtrust help <command> is that command’s --help', async () => {
    const out: string[] = [];
    const io = { stdout: (t: string) => void out.push(t), stderr: (t: string) => void out.push(t), env: {}, cwd: process.cwd(), readStdin: async () => '', isTty: false, columns: 80 };
    expect(await runCli(['help', 'ls'], io)).toBe(0);
    expect(out.join('')).toMatch(/^midtrust ls <keystore>/);
  });
});
