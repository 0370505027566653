/**
 * The one rule the resources follow after a MID upgrade (provider/resources/upgradeAwareness.ts),
 * table-driven over store models: what is wanted under the declared alias, what happens to the
 * migrated copies by `migratedCopies`, and when an adopted JDK root the vendor dropped is not put
 * back. The whole path (real host, keytool) is deploymentUpgrade.test.ts.
 */
import { parseCertificateInput } from '../../provider/certificate/certificateInput';
import { sha256Hex } from '../../provider/certificate/fingerprint';
import type { Keystore } from '../../provider/keystore/model';
import { EMPTY_LEDGER, type Ledger } from '../../provider/ownership/ownershipLedger';
import { jreReplaced, wantsAfterUpgrade, type MigratedCopyHandling } from '../../provider/resources/upgradeAwareness';
import { acmePem, bundlePems } from './providerFixtures';

const der = (pem: string): Uint8Array => parseCertificateInput(pem, 'test')[0];
const ROOT = der(acmePem('acme-root-ca'));
const OTHER = der(acmePem('acme-issuing-ca'));
const VENDOR = der(bundlePems()[1]);
const store = (entries: Array<[string, Uint8Array]>): Keystore => ({ type: 'JKS', integrity: 'verified', entries: entries.map(([alias, c]) => ({ alias, kind: 'trustedCertificate', timestamp: 0, certificates: [c] })) });
const declared = (alias: string, c: Uint8Array, adopted = false) => ({ alias, der: c, sha256: sha256Hex(c), source: alias, adopted });
const handling = (migratedCopies: MigratedCopyHandling, extra: { restoreVendorDropped?: boolean; vendorIncoming?: Set<string> } = {}) => ({ migratedCopies, restoreVendorDropped: false, vendorIncoming: undefined, ...extra });
const summary = (w: ReturnType<typeof wantsAfterUpgrade>) => ({
  wanted: [...w.wanted].map(([k, v]) => `${k}:${'absent' in v ? 'absent' : 'cert'}`).sort(),
  removeUnclaimed: w.removeUnclaimed,
  vendorDropped: w.vendorDropped,
  copies: w.copies.map((c) => `${c.alias}:${c.state}:${c.inStore ? 'in' : 'out'}`),
});

test.each<[string, Keystore, ReturnType<typeof declared>[], ReturnType<typeof handling>, ReturnType<typeof summary>]>([
  ['adopt: declared alias back, copies freed as claims', store([['snc_acme', ROOT], ['snc_snc_acme', ROOT]]), [declared('acme', ROOT)], handling('adopt'), { wanted: ['acme:cert', 'snc_acme:absent', 'snc_snc_acme:absent'], removeUnclaimed: [], vendorDropped: [], copies: ['snc_acme:adopted:out', 'snc_snc_acme:adopted:out'] }],
  ['keep: the copy stays', store([['snc_acme', ROOT]]), [declared('acme', ROOT)], handling('keep'), { wanted: ['acme:cert'], removeUnclaimed: [], vendorDropped: [], copies: ['snc_acme:kept:in'] }],
  ['remove: taken out without a claim', store([['snc_acme', ROOT]]), [declared('acme', ROOT)], handling('remove'), { wanted: ['acme:cert'], removeUnclaimed: ['snc_acme'], vendorDropped: [], copies: ['snc_acme:removed:out'] }],
  ['a copy of another certificate is left', store([['snc_acme', OTHER]]), [declared('acme', ROOT)], handling('adopt'), { wanted: ['acme:cert'], removeUnclaimed: [], vendorDropped: [], copies: ['snc_acme:left:in'] }],
  ['a declared snc_ alias is not a copy', store([['snc_acme', ROOT]]), [declared('acme', ROOT), declared('snc_acme', ROOT)], handling('adopt'), { wanted: ['acme:cert', 'snc_acme:cert'], removeUnclaimed: [], vendorDropped: [], copies: [] }],
  ['adopted vendor root the vendor dropped: not put back, its copy left', store([['snc_v [jdk]', VENDOR]]), [declared('v [jdk]', VENDOR, true)], handling('adopt', { vendorIncoming: new Set() }), { wanted: [], removeUnclaimed: [], vendorDropped: ['v [jdk]'], copies: ['snc_v [jdk]:left:in'] }],
  ['… put back with restoreVendorDropped', store([['snc_v [jdk]', VENDOR]]), [declared('v [jdk]', VENDOR, true)], handling('adopt', { vendorIncoming: new Set(), restoreVendorDropped: true }), { wanted: ['snc_v [jdk]:absent', 'v [jdk]:cert'], removeUnclaimed: [], vendorDropped: [], copies: ['snc_v [jdk]:adopted:out'] }],
  ['… put back when still shipped (removed by hand)', store([]), [declared('v [jdk]', VENDOR, true)], handling('adopt', { vendorIncoming: new Set([sha256Hex(VENDOR)]) }), { wanted: ['v [jdk]:cert'], removeUnclaimed: [], vendorDropped: [], copies: [] }],
  ['… put back when midtrust added it (not adopted)', store([]), [declared('v [jdk]', VENDOR, false)], handling('adopt', { vendorIncoming: new Set() }), { wanted: ['v [jdk]:cert'], removeUnclaimed: [], vendorDropped: [], copies: [] }],
  ['… put back without an upgrade backup to tell', store([]), [declared('v [jdk]', VENDOR, true)], handling('adopt'), { wanted: ['v [jdk]:cert'], removeUnclaimed: [], vendorDropped: [], copies: [] }],
  ['a private CA the upgrade lost: put back', store([]), [declared('acme', ROOT, true)], handling('adopt', { vendorIncoming: new Set() }), { wanted: ['acme:cert'], removeUnclaimed: [], vendorDropped: [], copies: [] }],
])('%s', (_name, current, decl, h, want) => {
  expect(summary(wantsAfterUpgrade(current, EMPTY_LEDGER, 'me', decl, h))).toEqual(want);
});

test('a copy this owner freed at an earlier up stays freed (else reconciling would give it back)', () => {
  const ledger: Ledger = { version: 1, records: { snc_acme: { found: { digest: sha256Hex(ROOT), data: '' }, put: null, owners: ['me'] }, acme: { found: null, put: { digest: sha256Hex(ROOT), data: '' }, owners: ['me'] } } };
  const w = wantsAfterUpgrade(store([['acme', ROOT]]), ledger, 'me', [declared('acme', ROOT)], handling('adopt'));
  expect(summary(w).wanted).toEqual(['acme:cert', 'snc_acme:absent']);
  // Switching to keep lets go of it: destroy's give-back rule then puts the copy back.
  expect(summary(wantsAfterUpgrade(store([['acme', ROOT]]), ledger, 'me', [declared('acme', ROOT)], handling('keep'))).wanted).toEqual(['acme:cert']);
});

test('jreReplaced: a new release file or a new upgrade backup; unknown is never "replaced"', () => {
  const seen = { releaseSha256: 'a', migrationBackup: null };
  expect(jreReplaced(seen, { releaseSha256: 'a', migrationBackup: null })).toBe(false);
  expect(jreReplaced(seen, { releaseSha256: 'b', migrationBackup: null })).toBe(true);
  expect(jreReplaced(seen, { releaseSha256: 'a', migrationBackup: '1764815000' })).toBe(true);
  expect(jreReplaced(undefined, { releaseSha256: 'b', migrationBackup: null })).toBe(false);
  expect(jreReplaced(seen, null)).toBe(false);
});
