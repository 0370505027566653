import { parameterOps } from './midParameterOps';

/*
 * The logic behind the MidServerParameter resource (required by name from midtrustProvider.ts in
 * the dynamic-provider host): any plain parameter of agent/config.xml.
 */
const ops = parameterOps({ schema: 'mid-server-parameter.schema.json', valueKey: 'value', parameterName: (p) => String(p.name) });

/** Provider methods; see parameterOps in midParameterOps.ts. */
export const { check, diff, create, read, update } = ops;
const remove = ops.remove;
// `delete` is a reserved word; the provider calls this name.
export { remove as delete };
