import { planDesiredState } from '../../apply/desiredStateRun';
import { LocalHost } from '../../host/localHost';
import { formatPlan, planToJson } from '../../plan/formatPlan';
import { EXIT } from '../cliIo';
import { defineCommand } from '../commandSpec';
import { FLEET_OPTIONS, runFleetCommand } from '../fleetDoor';
import { loadDesiredStateFile } from '../desiredStateIo';

/** Loaded only when a desired state lists endpoints: a plan without them never pays for TLS code. */
const endpointChecks = (): typeof import('../../verify/endpointChecks') => require('../../verify/endpointChecks');

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
  usage: 'midtrust plan -f <desired.yaml> [--inventory <hosts.yaml> [--parallel N]] [--json] [--verbose]',
  options: { file: { type: 'string', short: 'f' }, json: { type: 'boolean' }, verbose: { type: 'boolean', short: 'v' }, ...FLEET_OPTIONS },
  async run(_positionals, opts, io) {
    const desired = loadDesiredStateFile(opts.file, io);
    if (opts.inventory) {
      if (desired.endpoints?.length) {
        io.stderr(`Note: the ${desired.endpoints.length} endpoint(s) declared in ${desired.sourceFile} are not judged by plan --inventory; midtrust report --inventory (or verify --inventory) judges them from every MID host.\n`);
      }
      return runFleetCommand('plan', desired, opts, io);
    }
    const host = new LocalHost();
    const plan = await planDesiredState(host, desired);
    // Declared endpoints: judged against the store as apply will leave it, by lint's rule.
    const endpoints = desired.endpoints?.length ? await endpointChecks().checkEndpointsAfterApply(host, desired, { env: io.env }) : undefined;
    if (opts.json) {
      const json = { ...planToJson(plan), ...(endpoints ? { endpoints: endpointChecks().endpointChecksJson(endpoints) } : {}) };
      io.stdout(`${JSON.stringify(json, null, 2)}\n`);
    } else {
      io.stdout(formatPlan(plan, { verbose: opts.verbose }));
      if (endpoints) io.stdout(endpointChecks().formatEndpointChecks('Endpoints after apply:', endpoints));
    }
    // As lint judges it: an endpoint not trusted after apply is an error (endpoint-not-trusted), so
    // plan exits 1 even with changes pending — applying would leave that endpoint broken.
    const { checkEndpoints } = require('../../rules/endpointRules') as typeof import('../../rules/endpointRules');
    const { reaches } = require('../../rules/violation') as typeof import('../../rules/violation');
    const failing = endpoints ? checkEndpoints(endpoints, {}).filter((v) => reaches(v, 'error')) : [];
    if (failing.length > 0) {
      if (!opts.json) io.stderr(`midtrust plan: ${failing.length} declared endpoint(s) would not be trusted after apply (endpoint-not-trusted, as lint reports it; see "Endpoints after apply")\n`);
      return EXIT.ERROR;
    }
    return plan.changes > 0 ? EXIT.CHANGES_PENDING : EXIT.OK;
  },
});
