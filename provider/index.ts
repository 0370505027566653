// Re-exports only (see STYLE.md): the package main.
export * from './errors';
export * from './keystore/model';
export { sniffKeystoreType } from './keystore/sniff';
