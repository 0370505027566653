// Re-exports only (see STYLE.md): the package main.
export * from './errors';
export * from './keystore/model';
export { sniffKeystoreType } from './keystore/sniff';
export { TrustedCertificate, type TrustedCertificateArgs } from './resources/trustedCertificate';
export { Truststore, type TruststoreArgs, type TruststoreCertificateArgs, type TruststoreEntry } from './resources/truststore';
export { MidtrustProvider } from './resources/midtrustProvider';
export { MidServerFleet, type MidServerFleetArgs, type MidServerFleetHost } from './resources/midServerFleet';
export type { ConnectionInput } from './resources/connectionInput';
export { TruststoreMigrationStrategy, type TruststoreMigrationStrategyArgs } from './resources/truststoreMigrationStrategy';
export { MidServerParameter, type MidServerParameterArgs } from './resources/midServerParameter';
export { ExternalTruststore, type ExternalTruststoreArgs } from './resources/externalTruststore';
export { demoMidServer, type DemoMidServer } from './demo/pulumiDemo';
