// The CrossGuard policy pack: `pulumi preview --policy-pack policy` (after `npm run build`).
import { PolicyPack } from '@pulumi/policy';
import { midtrustPolicies } from './midtrustPolicies';

new PolicyPack('midtrust', { policies: midtrustPolicies });
