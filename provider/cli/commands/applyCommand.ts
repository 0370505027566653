import { MidtrustError } from '../../errors';
import { applyDesiredState, type ApplyResult } from '../../apply/desiredStateRun';
import { LocalHost } from '../../host/localHost';
import { formatPlan, planToJson } from '../../plan/formatPlan';
import { EXIT, type CliIo } from '../cliIo';
import { defineCommand } from '../commandSpec';
import { FLEET_OPTIONS, runFleetCommand } from '../fleetDoor';
import { loadDesiredStateFile } from '../desiredStateIo';

interface ApplyOptions {
  file?: string;
  json?: boolean;
  verbose?: boolean;
  inventory?: string;
  parallel?: string;
  'lock-timeout'?: string;
}

/** `midtrust apply -f desired.yaml`: one locked, verified, atomic read-modify-write. */
export const applyCommand = defineCommand<ApplyOptions>({
  name: 'apply',
  usage: 'midtrust apply -f <desired.yaml> [--inventory <hosts.yaml> [--parallel N]] [--json] [--verbose] [--lock-timeout <seconds>]',
  options: { file: { type: 'string', short: 'f' }, json: { type: 'boolean' }, verbose: { type: 'boolean', short: 'v' }, ...FLEET_OPTIONS, 'lock-timeout': { type: 'string' } },
  async run(_positionals, opts, io) {
    const desired = loadDesiredStateFile(opts.file, io);
    if (opts.inventory) return runFleetCommand('apply', desired, opts, io);
    const result = await applyDesiredState(new LocalHost(), desired, { lockTimeoutMs: lockTimeoutMs(opts['lock-timeout']) });
    reportApply(result, opts, io);
    return EXIT.OK;
  },
});

/** --lock-timeout in seconds → ms (undefined: the default 30 s). */
export function lockTimeoutMs(value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!Number.isFinite(n) || n < 0) throw new MidtrustError('INVALID_INPUT', `--lock-timeout ${value}: give a number of seconds`);
  return n * 1000;
}

/** Prints an apply result for a person or as JSON (shared by apply, import and delete). */
export function reportApply(result: ApplyResult, opts: { json?: boolean; verbose?: boolean }, io: CliIo): void {
  if (opts.json) {
    io.stdout(`${JSON.stringify({ ...planToJson(result.plan), written: result.written }, null, 2)}\n`);
    return;
  }
  io.stdout(formatPlan(result.plan, { verbose: opts.verbose }));
  if (result.written) {
    io.stdout(`Wrote ${result.plan.keystorePath}.\nRestart the MID Server (or any JVM using this store) to load the new trust.\n`);
  }
}
