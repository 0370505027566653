import type { Host } from '../host/host';
import { READ_LIMITS } from '../host/readLimits';
import { duplicateMidParameters } from './configXml';
import { midLayout, validateMidLayout } from './midLayout';
import { configuredStrategy, readConfigXml } from './upgrade/upgradeRun';
import { readExternalTruststore } from './wrapperOverride';
import type { MidSettings } from '../rules/midRules';

/** Reads what the policy rules need from a MID home: strategy and duplicate parameters (config.xml), external truststore (wrapper-override.conf). */
export async function readMidSettings(host: Host, midHome: string): Promise<MidSettings> {
  const layout = midLayout(midHome);
  await validateMidLayout(host, layout);
  const { strategy } = await configuredStrategy(host, layout);
  const duplicateParameters = duplicateMidParameters(await readConfigXml(host, layout));
  const wrapper = (await host.stat(layout.wrapperOverride))
    ? Buffer.from(await host.readFile(layout.wrapperOverride, { maxBytes: READ_LIMITS.configFile, what: 'wrapper-override.conf' })).toString('utf8')
    : '';
  return { layout, strategy, external: readExternalTruststore(wrapper), duplicateParameters };
}
