import { usageText } from '../../provider/cli/usageText';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { commandHelpText, runCli } from '../../provider/cli/runCli';
import { ROOT } from '../helpers/midtrustCli';
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
      const shown = texts[texts.length - 1];
      expect(shown.split(/\s+/).join(' ').trim().startsWith(usage.split(/\s+/).join(' ').trim())).toBe(true);
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

  it('every command’s --help describes each of its options on a line of its own, gives an example and the docs page', async () => {
    for (const c of commands) {
      const spec = c.load();
      const help = commandHelpText(spec);
      const options = help.slice(help.indexOf('\nOptions:\n') + 10, help.indexOf('\n\nExample:\n')).split('\n');
      for (const name of Object.keys(spec.options)) {
        // The option starts a line; its description follows on that line or the next, never empty.
        const at = options.findIndex((l) => new RegExp(`^  (-[a-z], )?--${name}( |$)`).test(l));
        expect([c.name, name, at >= 0]).toEqual([c.name, name, true]);
        const described = options[at].replace(/^ {2}(-[a-z], )?--\S+( <[^>]*>| \S+)?/, '').trim() || options[at + 1]?.trim();
        expect([c.name, name, (described ?? '').length > 10]).toEqual([c.name, name, true]);
      }
      expect(help).toMatch(new RegExp(`\nExample:\n {2}midtrust ${c.name}( |\n)`));
      const docs = /\nDocs: (\S+)\n$/.exec(help)?.[1];
      expect(docs && fs.existsSync(path.join(ROOT, docs))).toBe(true);
    }
  });

  it('demo --help says what the demo does and where', async () => {
    const help = commandHelpText(commands.find((c) => c.name === 'demo')!.load());
    expect(help.replace(/\n/g, ' ')).toMatch(/Runs the quick start on a demo MID Server it creates under \.\/demo .*previews an upgrade.*Touches nothing outside that directory/);
  });
});
