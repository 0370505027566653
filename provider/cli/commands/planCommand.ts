import { planDesiredState } from '../../apply/desiredStateRun';
import { LocalHost } from '../../host/localHost';
import { formatPlan, planToJson } from '../../plan/formatPlan';
import { EXIT } from '../cliIo';
import { defineCommand } from '../commandSpec';
import { FLEET_OPTIONS, runFleetCommand } from '../fleetDoor';
import { loadDesiredStateFile } from '../desiredStateIo';

interface PlanOptions {
  file?: string;
  json?: boolean;
  verbose?: boolean;
  inventory?: string;
  parallel?: string;
}

/** `midtrust plan -f desired.yaml`: what apply would change. Exit 0 nothing to do, 2 changes pending. */
export const planCommand = defineCommand<PlanOptions>({
  name: 'plan',
  summary: 'show what apply would change (exit 2 when changes are pending: drift)',
  usage: 'midtrust plan -f <desired.yaml> [--inventory <hosts.yaml> [--parallel N]] [--json] [--verbose]',
  options: { file: { type: 'string', short: 'f' }, json: { type: 'boolean' }, verbose: { type: 'boolean', short: 'v' }, ...FLEET_OPTIONS },
  async run(_positionals, opts, io) {
    const desired = loadDesiredStateFile(opts.file, io);
    if (opts.inventory) return runFleetCommand('plan', desired, opts, io);
    const plan = await planDesiredState(new LocalHost(), desired);
    io.stdout(opts.json ? `${JSON.stringify(planToJson(plan), null, 2)}\n` : formatPlan(plan, { verbose: opts.verbose }));
    return plan.changes > 0 ? EXIT.CHANGES_PENDING : EXIT.OK;
  },
});
