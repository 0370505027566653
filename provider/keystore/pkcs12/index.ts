/** The PKCS#12 keystore codec (JDK 16+ modern, legacy, password-less), re-exported; see pkcs12Reader and pkcs12Writer. */
export { readPkcs12 } from './pkcs12Reader';
export { writePkcs12 } from './pkcs12Writer';
export { pkcs12Protection, isPkcs12StoreData, isPkcs12EntryData } from './pkcs12CodecData';
export type { Pkcs12StoreData, Pkcs12EntryData, Pkcs12Content } from './pkcs12CodecData';
