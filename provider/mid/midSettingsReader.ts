import type { Host } from '../host/host';
import { duplicateMidParameters } from './configXml';
import { readWrapperOverride } from './effectiveStore';
import { midLayout, validateMidLayout } from './midLayout';
import { configuredStrategy, readConfigXml } from './upgrade/upgradeRun';
import { readExternalTruststore, readSystemProperties, TRUSTSTORE_PROPERTIES } from './wrapperOverride';
import type { MidSettings } from '../rules/midRules';

/**
 * Reads what the policy rules need from a MID home: strategy and duplicate parameters
 * (config.xml), external truststore (wrapper-override.conf). `managed`: the store being managed
 * or audited (a resolveMidStore answer), so the rules can flag a bypassed bundled cacerts.
 */
export async function readMidSettings(host: Host, midHome: string, opts: { managed?: MidSettings['managed'] } = {}): Promise<MidSettings> {
  const layout = midLayout(midHome);
  await validateMidLayout(host, layout);
  const { strategy } = await configuredStrategy(host, layout);
  const duplicateParameters = duplicateMidParameters(await readConfigXml(host, layout));
  const wrapper = await readWrapperOverride(host, layout);
  const wired = readSystemProperties(wrapper).get(TRUSTSTORE_PROPERTIES.path);
  return {
    layout,
    strategy,
    external: readExternalTruststore(wrapper),
    duplicateParameters,
    ...(opts.managed ? { managed: opts.managed } : {}),
    ...(wired ? { externalLine: wired.line + 1 } : {}),
  };
}
